"""SQL statements of /metrics: what the rollups still owe, and the alerts not resolved."""

from sqlalchemy import Connection, func, select

from floorpulse.db.tables import alerts, stale_hours


def rollup_backlog(conn: Connection) -> tuple[int, int | None]:
    """Stale worker-hours, and the receive time of the oldest change among them."""
    count, oldest = conn.execute(select(func.count(), func.min(stale_hours.c.marked_us))).one()
    return int(count), None if oldest is None else int(oldest)


def open_alerts(conn: Connection) -> dict[tuple[str, str], int]:
    query = (
        select(alerts.c.signal, alerts.c.state, func.count())
        .where(alerts.c.state != "resolved")
        .group_by(alerts.c.signal, alerts.c.state)
    )
    return {(signal, state): int(n) for signal, state, n in conn.execute(query)}
