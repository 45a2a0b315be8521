"""SQL statements of access: API keys (digests only) and dashboard sessions."""

from typing import Any

from sqlalchemy import Connection, Row, delete, select, update

from floorpulse.db.tables import api_keys, sessions


def insert_key(conn: Connection, row: dict[str, Any]) -> int:
    return int(conn.execute(api_keys.insert().returning(api_keys.c.id), row).scalar_one())


def get_key(conn: Connection, key_id: int) -> Row[Any] | None:
    return conn.execute(select(api_keys).where(api_keys.c.id == key_id)).first()


def all_keys(conn: Connection) -> list[Row[Any]]:
    return list(conn.execute(select(api_keys).order_by(api_keys.c.id)))


def active_keys(conn: Connection) -> list[Row[Any]]:
    query = select(api_keys).where(api_keys.c.revoked_us.is_(None))
    return list(conn.execute(query))


def revoke(conn: Connection, key_id: int, now_us: int) -> None:
    """Revoke a key and end the sessions it opened (a revoked key's earlier revocation stays)."""
    conn.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id, api_keys.c.revoked_us.is_(None))
        .values(revoked_us=now_us)
    )
    conn.execute(delete(sessions).where(sessions.c.key_id == key_id))


def insert_session(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(sessions.insert(), row)


def session(conn: Connection, session_digest: str) -> tuple[int, int] | None:
    """The key a session was opened with, and when it ends; None for an unknown session."""
    query = select(sessions.c.key_id, sessions.c.expires_us).where(
        sessions.c.digest == session_digest
    )
    row = conn.execute(query).first()
    return None if row is None else (int(row.key_id), int(row.expires_us))


def delete_session(conn: Connection, session_digest: str) -> None:
    conn.execute(delete(sessions).where(sessions.c.digest == session_digest))


def delete_expired_sessions(conn: Connection, now_us: int) -> None:
    conn.execute(delete(sessions).where(sessions.c.expires_us <= now_us))
