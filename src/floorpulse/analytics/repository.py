"""SQL statements over events as the metrics read them, and over the hourly rollups."""

from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from itertools import chain
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Row,
    delete,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)

from floorpulse.db.dialect import dialect_insert
from floorpulse.db.tables import (
    daily_rollups,
    demo_runs,
    events,
    hourly_rollups,
    purges,
    rollup_basis,
    stale_hours,
)
from floorpulse.metrics.intervals import StateEvent
from floorpulse.metrics.plan import US_PER_DAY, Source, spans
from floorpulse.metrics.tally import US_PER_HOUR, Key, Tally, UnitEvent, hour_start

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
    # In key order: writers in several processes then lock the rows they share in the same
    # order and cannot deadlock (set order differs between processes; PostgreSQL deadlocked).
    rows = [
        {"site_id": s, "worker_id": w, "hour_us": h, "version": 0, "marked_us": marked_us}
        for s, w, h in sorted(hours)
    ]
    if rows:
        conn.execute(_marking(conn.dialect.name), rows)


@cache
def _marking(dialect_name: str) -> Any:
    # Built once: every commit of events marks hours, and building costs more than running it.
    return _upsert_bumping_version(_insert(dialect_name))


def _insert(dialect_name: str) -> Any:
    return dialect_insert(dialect_name, stale_hours)


def _upsert_bumping_version(insert: Any) -> Any:
    return insert.on_conflict_do_update(
        index_elements=["site_id", "worker_id", "hour_us"],
        set_={"version": stale_hours.c.version + 1, "marked_us": insert.excluded.marked_us},
    )


def mark_all_stale(conn: Connection, timeout_us: int) -> None:
    """Every hour with events, or with a rollup, needs a rebuild (the settings changed), but
    for those whose raw events were purged: their rollups are final.

    Done inside the database: ten million events mark about a million hours.
    """
    final_before_us = conn.execute(select(func.coalesce(func.max(purges.c.before_us), 0)))
    final_us = int(final_before_us.scalar_one())
    hour = floor_to(events.c.ts_us, US_PER_HOUR)
    spill_hours = -(-timeout_us // US_PER_HOUR)  # a state reaches this many hours past its own
    columns = ["site_id", "worker_id", "hour_us", "version", "marked_us"]
    zero = literal(0, BigInteger)
    sources = [
        select(events.c.site_id, events.c.worker_id, hour + k * US_PER_HOUR, zero, zero)
        for k in range(spill_hours + 1)
    ]
    r = hourly_rollups.c
    sources.append(select(r.site_id, r.worker_id, r.hour_us, zero, zero))
    for source in sources:
        # WHERE: SQLite reads `SELECT ... ON CONFLICT` ambiguously without one.
        chosen = source.distinct().where(source.selected_columns[2] >= final_us)
        selected = _insert(conn.dialect.name).from_select(columns, chosen)
        conn.execute(_upsert_bumping_version(selected))


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
    """Replace a worker's rollups of the given hours with those `tallies` that fall in them,
    and rewrite the daily rollups of their days from the hourly ones."""
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
    _resum_days(conn, site_id, worker_id, sorted({h - h % US_PER_DAY for h in hours}))


def _resum_days(conn: Connection, site_id: str, worker_id: str, days: Sequence[int]) -> None:
    conn.execute(
        delete(daily_rollups).where(
            daily_rollups.c.site_id == site_id,
            daily_rollups.c.worker_id == worker_id,
            daily_rollups.c.day_us.in_(days),
        )
    )
    hourly = hourly_rollups.c
    day = floor_to(hourly.hour_us, US_PER_DAY)
    for first, end in spans(days, US_PER_DAY):
        summed = (
            select(hourly.site_id, day, hourly.worker_id, hourly.workstation_id, *_sums(hourly))
            .where(
                hourly.site_id == site_id,
                hourly.worker_id == worker_id,
                hourly.hour_us >= first,
                hourly.hour_us < end,
            )
            .group_by(hourly.site_id, day, hourly.worker_id, hourly.workstation_id)
        )
        columns = ["site_id", "day_us", "worker_id", "workstation_id", *TALLY_COLUMNS]
        conn.execute(daily_rollups.insert().from_select(columns, summed))


def floor_to(us: Any, unit: int) -> Any:
    """`us` rounded down to a multiple of `unit`, before 1970 too (SQL's % keeps the sign of
    the dividend)."""
    return us - (us % unit + unit) % unit


def _columns(t: Tally) -> dict[str, int]:
    return {name: getattr(t, name) for name in TALLY_COLUMNS}


def _sums(columns: Any) -> list[Any]:
    return [func.sum(columns[name]).cast(BigInteger) for name in TALLY_COLUMNS]


def sum_pieces(
    conn: Connection,
    source: Source,
    site_id: str,
    pieces: Sequence[tuple[int, int, int]],
    worker_id: str | None = None,
) -> list[tuple[int, str, str, Tally]]:
    """Rollups summed per piece, worker and station; pieces are `(number, start, end)` spans
    of whole hours (Source.HOURS) or whole UTC days (Source.DAYS)."""
    found: list[tuple[int, str, str, Tally]] = []
    for first in range(0, len(pieces), PIECES_PER_STATEMENT):
        chunk = pieces[first : first + PIECES_PER_STATEMENT]
        sql = _pieces_sql(conn.dialect.name, source, len(chunk), worker_id is not None)
        parameters = (
            *chain.from_iterable(chunk),
            site_id,
            *([] if worker_id is None else [worker_id]),
        )
        found += [
            (n, w, s, Tally(*sums)) for n, w, s, *sums in conn.exec_driver_sql(sql, parameters)
        ]
    return found


ROLLUP_TABLES = {
    Source.HOURS: ("rollups_hourly", "hour_us"),
    Source.DAYS: ("rollups_daily", "day_us"),
}
# Three parameters a piece: well under SQLite's oldest limit of 999 a statement.
PIECES_PER_STATEMENT = 300


@lru_cache(maxsize=256)
def _pieces_sql(dialect: str, source: Source, pieces: int, by_worker: bool) -> str:
    # Plain SQL, cached by shape: compiling a fresh VALUES construct cost more than running it.
    mark = "?" if dialect == "sqlite" else "%s"
    table, period = ROLLUP_TABLES[source]
    spans = ", ".join([f"({mark}, {mark}, {mark})"] * pieces)
    sums = ", ".join(f"CAST(SUM(r.{name}) AS BIGINT)" for name in TALLY_COLUMNS)
    worker = f" AND r.worker_id = {mark}" if by_worker else ""
    # Without statistics SQLite would range over every worker's rows and filter them.
    by_index = (
        f" INDEXED BY ix_{table}_site_id_worker_id_{period}"
        if by_worker and dialect == "sqlite"
        else ""
    )
    return (
        f"WITH spans (piece, first_us, end_us) AS (VALUES {spans})"
        f" SELECT spans.piece, r.worker_id, r.workstation_id, {sums}"
        f" FROM spans JOIN {table} AS r{by_index} ON r.site_id = {mark}"
        f" AND r.{period} >= spans.first_us AND r.{period} < spans.end_us{worker}"
        " GROUP BY spans.piece, r.worker_id, r.workstation_id"
    )


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
) -> list[tuple[Key, Tally]]:
    """The stored hourly rollups of given (worker, hour) pairs, per worker, station and hour."""
    if not pairs:
        return []
    r = hourly_rollups.c
    columns = [r[name] for name in TALLY_COLUMNS]
    query = select(r.worker_id, r.workstation_id, r.hour_us, *columns).where(
        r.site_id == site_id, tuple_(r.worker_id, r.hour_us).in_(pairs)
    )
    return [((w, s, h), Tally(*sums)) for w, s, h, *sums in conn.execute(query)]


def get_basis(conn: Connection) -> dict[str, str]:
    return {row.name: row.value for row in conn.execute(select(rollup_basis))}


def set_basis(conn: Connection, basis: dict[str, str]) -> None:
    conn.execute(delete(rollup_basis))
    conn.execute(rollup_basis.insert(), [{"name": k, "value": v} for k, v in basis.items()])


Fingerprint = tuple[int, int, int]


def hourly_fingerprints(
    conn: Connection, site_id: str, start_us: int, end_us: int, worker_id: str | None = None
) -> dict[int, Fingerprint]:
    """For each hour of `[start_us, end_us)` with events: their count, newest id and summed
    offsets into the hour. Events are only ever added (or all cleared for fresh sample data),
    so an hour whose answer is unchanged holds the same events. Read from an index alone, one
    range per hour: a day of them 2.6x faster than one range grouped by hour, which SQLite
    sorts in a temporary B-tree."""
    hours = []
    for hour in range(hour_start(start_us), end_us, US_PER_HOUR):
        first, end = max(hour, start_us), min(hour + US_PER_HOUR, end_us)
        query = select(
            literal(hour, BigInteger),
            func.count(),
            func.max(events.c.id),
            func.sum(events.c.ts_us - hour),  # offsets, not times: a sum of times overflows
        ).where(events.c.site_id == site_id, events.c.ts_us >= first, events.c.ts_us < end)
        if worker_id is not None:
            query = query.where(events.c.worker_id == worker_id)
        hours.append(query)
    if not hours:
        return {}
    rows = conn.execute(union_all(*hours))
    return {int(h): (int(n), int(newest), int(offsets)) for h, n, newest, offsets in rows if n}


def newest_id(conn: Connection) -> int:
    """The id of the last event stored (0: none): it grows with every event stored."""
    return int(conn.execute(select(func.max(events.c.id))).scalar() or 0)


# What the recent hours' running tallies are kept from (analytics/recent.py).
RECENT_COLUMNS = (
    events.c.id,
    events.c.site_id,
    events.c.ts_us,
    events.c.worker_id,
    events.c.workstation_id,
    events.c.event_type,
    events.c["count"],
    events.c.confidence,
)
# (id, site, ts_us, worker, station, event type, count, confidence)
RecentRow = Row[int, str, int, str, str, str, int, float]


def events_after(
    conn: Connection, seen_id: int, missing: Sequence[tuple[int, int]]
) -> Sequence[RecentRow]:
    """Events with an id above `seen_id` or in one of the `missing` ranges (inclusive), by id."""
    wanted = [events.c.id > seen_id, *(events.c.id.between(lo, hi) for lo, hi in missing)]
    query = select(*RECENT_COLUMNS).where(or_(*wanted)).order_by(events.c.id)
    # all(), not list(): fetched in one call, not a row at a time (half the cost a row; a
    # burst's rows are all read here)
    return conn.execute(query).all()


def site_events_since(
    conn: Connection, site_id: str, start_us: int, through_id: int
) -> Sequence[RecentRow]:
    """A site's events from `start_us` on, of ids up to `through_id`."""
    query = select(*RECENT_COLUMNS).where(
        events.c.site_id == site_id, events.c.ts_us >= start_us, events.c.id <= through_id
    )
    return conn.execute(query).all()


def latest_seeding(conn: Connection) -> tuple[int, int] | None:
    """The id and time of the latest sample data seeding: sample data replaces every event."""
    query = select(demo_runs.c.id, demo_runs.c.seeded_us).order_by(demo_runs.c.id.desc())
    row = conn.execute(query.limit(1)).first()
    return None if row is None else (row.id, row.seeded_us)
