"""SQL statements of the demo: records of seeded history, and clearing everything."""

from typing import Any

from sqlalchemy import Connection, Row, delete, func, select

from floorpulse.db.tables import (
    alerts,
    daily_rollups,
    demo_runs,
    events,
    hourly_rollups,
    model_hourly,
    model_sightings,
    stale_hours,
    webhook_deliveries,
    workers,
    workstations,
)

# Everything derived from or describing the events; the rollups' basis stays valid.
CLEARED = (
    hourly_rollups,
    daily_rollups,
    stale_hours,
    model_hourly,
    model_sightings,
    webhook_deliveries,  # before the alerts they refer to
    alerts,
    workers,
    workstations,
    demo_runs,
)


def clear_all(conn: Connection) -> int:
    """Delete every event and what was derived from them; answer how many events went."""
    removed = conn.execute(delete(events)).rowcount
    for table in CLEARED:
        conn.execute(delete(table))
    return int(removed)


def has_events(conn: Connection) -> bool:
    return conn.execute(select(events.c.id).limit(1)).first() is not None


def record_run(conn: Connection, run: dict[str, Any]) -> None:
    conn.execute(demo_runs.insert(), run)


def latest_run(conn: Connection) -> Row[Any] | None:
    return conn.execute(select(demo_runs).order_by(demo_runs.c.id.desc()).limit(1)).first()


def run_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(demo_runs)).scalar_one())
