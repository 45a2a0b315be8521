"""SQL statements of retention: old raw events out, the record of where figures became final."""

from sqlalchemy import Connection, delete, exists, func, select

from floorpulse.db import partitions
from floorpulse.db.tables import events, install_secrets, purges, stale_hours


def stale_before(conn: Connection, before_us: int) -> bool:
    """Whether an hour before `before_us` still waits for its rollup."""
    return bool(conn.execute(select(exists().where(stale_hours.c.hour_us < before_us))).scalar())


def final_before(conn: Connection) -> int:
    """Hours before this were purged: their rollups are final (0: none yet)."""
    return int(conn.execute(select(func.coalesce(func.max(purges.c.before_us), 0))).scalar_one())


def delete_events_before(conn: Connection, before_us: int) -> int:
    """Delete the events before `before_us`; on PostgreSQL the months wholly before it are
    dropped, not deleted row by row. Answer how many went."""
    dropped = partitions.drop_before(conn, before_us) if conn.dialect.name == "postgresql" else 0
    return dropped + int(conn.execute(delete(events).where(events.c.ts_us < before_us)).rowcount)


def record(conn: Connection, before_us: int, done_us: int, deleted: int) -> None:
    conn.execute(purges.insert(), {"before_us": before_us, "done_us": done_us, "deleted": deleted})


def install_secret(conn: Connection, name: str) -> bytes:
    value = conn.execute(select(install_secrets.c.value).where(install_secrets.c.name == name))
    return bytes.fromhex(value.scalar_one())
