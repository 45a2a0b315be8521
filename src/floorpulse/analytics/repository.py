"""SQL statements over events as the metrics read them, and over the hourly rollups."""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import BigInteger, Connection, Row, and_, delete, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from floorpulse.db.tables import events, hourly_rollups, rollup_basis, stale_hours
from floorpulse.metrics.intervals import StateEvent
from floorpulse.metrics.tally import US_PER_HOUR, Key, Tally, UnitEvent

StaleKey = tuple[str, str, int]  # (site_id, worker_id, hour_us)
TALLY_COLUMNS = ("working_us", "idle_us", "absent_us", "units")


def load_events(
    conn: Connection,
    site_id: str,
    start_us: int,
    end_us: int,
    min_confidence: float,
    worker_id: str | None = None,
) -> tuple[list[StateEvent], list[UnitEvent]]:
    """The counted events of `[start_us, end_us)`: states, and units."""
    query = select(
        events.c.ts_us,
        events.c.worker_id,
        events.c.workstation_id,
        events.c.event_type,
        events.c["count"],
    ).where(
        events.c.site_id == site_id,
        events.c.ts_us >= start_us,
        events.c.ts_us < end_us,
        events.c.confidence >= min_confidence,
    )
    if worker_id is not None:
        query = query.where(events.c.worker_id == worker_id)
    states: list[StateEvent] = []
    units: list[UnitEvent] = []
    for ts_us, worker, station, kind, count in conn.execute(query):
        if kind == "product_count":
            units.append(UnitEvent(ts_us, worker, station, count))
        else:
            states.append(StateEvent(ts_us, worker, station, kind))
    return states, units


def mark_stale(conn: Connection, hours: Iterable[StaleKey], marked_us: int) -> None:
    """Mark hours as needing a rebuild; marking one again bumps its version."""
    rows = [
        {"site_id": s, "worker_id": w, "hour_us": h, "version": 0, "marked_us": marked_us}
        for s, w, h in hours
    ]
    if rows:
        conn.execute(_upsert_bumping_version(conn), rows)


def _upsert_bumping_version(conn: Connection) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(stale_hours)
    return insert.on_conflict_do_update(
        index_elements=["site_id", "worker_id", "hour_us"],
        set_={"version": stale_hours.c.version + 1, "marked_us": insert.excluded.marked_us},
    )


def mark_all_stale(conn: Connection, timeout_us: int) -> None:
    """Every hour with events, or with a rollup, needs a rebuild (the settings changed)."""
    hour = events.c.ts_us - (events.c.ts_us % US_PER_HOUR + US_PER_HOUR) % US_PER_HOUR
    spill_hours = -(-timeout_us // US_PER_HOUR)  # a state reaches this many hours past its own
    for k in range(spill_hours + 1):
        shifted = select(events.c.site_id, events.c.worker_id, hour + k * US_PER_HOUR).distinct()
        mark_stale(conn, [(s, w, h) for s, w, h in conn.execute(shifted)], 0)
    rolled = select(
        hourly_rollups.c.site_id, hourly_rollups.c.worker_id, hourly_rollups.c.hour_us
    ).distinct()
    mark_stale(conn, [(s, w, h) for s, w, h in conn.execute(rolled)], 0)


def settled_stale(conn: Connection, limit: int, marked_before_us: int) -> list[Row[Any]]:
    """Stale hours last marked before `marked_before_us`, by site, worker and hour."""
    order = (stale_hours.c.site_id, stale_hours.c.worker_id, stale_hours.c.hour_us)
    query = select(stale_hours).where(stale_hours.c.marked_us < marked_before_us)
    return list(conn.execute(query.order_by(*order).limit(limit)))


def claim_stale(conn: Connection, seen: Sequence[Row[Any]]) -> set[StaleKey]:
    """Unmark the hours still at the version seen; answer those. An hour marked again since was
    changed by events the rebuild did not see: it stays stale."""
    claimed: set[StaleKey] = set()
    for row in seen:
        deleted = conn.execute(
            delete(stale_hours).where(
                stale_hours.c.site_id == row.site_id,
                stale_hours.c.worker_id == row.worker_id,
                stale_hours.c.hour_us == row.hour_us,
                stale_hours.c.version == row.version,
            )
        )
        if deleted.rowcount:
            claimed.add((row.site_id, row.worker_id, row.hour_us))
    return claimed


def replace_rollups(
    conn: Connection, site_id: str, worker_id: str, hours: Sequence[int], tallies: dict[Key, Tally]
) -> None:
    """Replace a worker's rollups of the given hours with those `tallies` that fall in them."""
    conn.execute(
        delete(hourly_rollups).where(
            hourly_rollups.c.site_id == site_id,
            hourly_rollups.c.worker_id == worker_id,
            hourly_rollups.c.hour_us.in_(hours),
        )
    )
    wanted = set(hours)
    rows = [
        {"site_id": site_id, "worker_id": w, "workstation_id": s, "hour_us": h, **_columns(t)}
        for (w, s, h), t in tallies.items()
        if h in wanted
    ]
    if rows:
        conn.execute(hourly_rollups.insert(), rows)


def _columns(t: Tally) -> dict[str, int]:
    return {name: getattr(t, name) for name in TALLY_COLUMNS}


def sum_rollups(
    conn: Connection, site_id: str, hours: tuple[int, int], worker_id: str | None = None
) -> list[tuple[tuple[str, str], Tally]]:
    """Rollups of `[hours[0], hours[1])` summed per worker and station."""
    sums = [func.sum(hourly_rollups.c[name]).cast(BigInteger) for name in TALLY_COLUMNS]
    query = (
        select(hourly_rollups.c.worker_id, hourly_rollups.c.workstation_id, *sums)
        .where(_in_hours(site_id, hours, worker_id))
        .group_by(hourly_rollups.c.worker_id, hourly_rollups.c.workstation_id)
    )
    return [((w, s), Tally(*values)) for w, s, *values in conn.execute(query)]


def stale_hours_in(
    conn: Connection, site_id: str, hours: tuple[int, int], worker_id: str | None = None
) -> list[tuple[str, int]]:
    """(worker, hour) pairs of `[hours[0], hours[1])` whose rollups are out of date."""
    query = select(stale_hours.c.worker_id, stale_hours.c.hour_us).where(
        stale_hours.c.site_id == site_id,
        stale_hours.c.hour_us >= hours[0],
        stale_hours.c.hour_us < hours[1],
    )
    if worker_id is not None:
        query = query.where(stale_hours.c.worker_id == worker_id)
    return [(w, h) for w, h in conn.execute(query)]


def rollups_of(
    conn: Connection, site_id: str, pairs: Sequence[tuple[str, int]]
) -> list[tuple[tuple[str, str], Tally]]:
    """The stored rollups of given (worker, hour) pairs, per worker and station."""
    if not pairs:
        return []
    columns = [hourly_rollups.c[name] for name in TALLY_COLUMNS]
    query = select(hourly_rollups.c.worker_id, hourly_rollups.c.workstation_id, *columns).where(
        hourly_rollups.c.site_id == site_id,
        tuple_(hourly_rollups.c.worker_id, hourly_rollups.c.hour_us).in_(pairs),
    )
    return [((w, s), Tally(*values)) for w, s, *values in conn.execute(query)]


def _in_hours(site_id: str, hours: tuple[int, int], worker_id: str | None) -> Any:
    condition = and_(
        hourly_rollups.c.site_id == site_id,
        hourly_rollups.c.hour_us >= hours[0],
        hourly_rollups.c.hour_us < hours[1],
    )
    if worker_id is not None:
        condition = and_(condition, hourly_rollups.c.worker_id == worker_id)
    return condition


def get_basis(conn: Connection) -> dict[str, str]:
    return {row.name: row.value for row in conn.execute(select(rollup_basis))}


def set_basis(conn: Connection, basis: dict[str, str]) -> None:
    conn.execute(delete(rollup_basis))
    conn.execute(rollup_basis.insert(), [{"name": k, "value": v} for k, v in basis.items()])
