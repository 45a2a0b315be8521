"""SQL statements of model health: detections per model version and camera, and sightings."""

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    Connection,
    Double,
    case,
    cast,
    delete,
    func,
    literal,
    select,
    union_all,
)

from floorpulse.analytics.repository import floor_to, stale_hours_in
from floorpulse.db.dialect import dialect_insert
from floorpulse.db.tables import alerts, events, model_hourly, model_sightings, webhook_deliveries
from floorpulse.metrics.plan import spans
from floorpulse.metrics.tally import US_PER_HOUR, hour_start

NONE = ""  # a missing model version or camera, in key columns


class HourCount(NamedTuple):
    """Detections of one model version, camera and event type in one hour."""

    hour_us: int
    model_version: str
    camera_id: str
    event_type: str
    events: int
    confidence_sum: float
    low_confidence: int


SightingKey = tuple[str, str, str]  # (site_id, model_version, camera_id)
Sighting = tuple[int, int, int]  # (first_us, last_us, last_received_us)


def widen(into: dict[SightingKey, Sighting], key: SightingKey, sighting: Sighting) -> None:
    """Take `sighting` into `key`'s: the earlier first, the later last and receipt."""
    if key in into:
        first, last, received = into[key]
        sighting = (min(first, sighting[0]), max(last, sighting[1]), max(received, sighting[2]))
    into[key] = sighting


def record_sightings(conn: Connection, sightings: Mapping[SightingKey, Sighting]) -> None:
    """Widen each (site, version, camera)'s first and last seen to take these in."""
    if not sightings:
        return
    # In key order, so that concurrent writers cannot deadlock (see analytics.mark_stale).
    rows = [
        {
            "site_id": site,
            "model_version": version,
            "camera_id": camera,
            "first_us": first,
            "last_us": last,
            "last_received_us": received,
        }
        for (site, version, camera), (first, last, received) in sorted(sightings.items())
    ]
    conn.execute(_widening(conn.dialect.name), rows)


@cache
def _widening(dialect_name: str) -> Any:
    # Built once: every commit of events records sightings, and building costs more than running.
    insert = dialect_insert(dialect_name, model_sightings)
    s, new = model_sightings.c, insert.excluded
    return insert.on_conflict_do_update(
        index_elements=["site_id", "model_version", "camera_id"],
        set_={
            "first_us": case((new.first_us < s.first_us, new.first_us), else_=s.first_us),
            "last_us": case((new.last_us > s.last_us, new.last_us), else_=s.last_us),
            "last_received_us": case(
                (new.last_received_us > s.last_received_us, new.last_received_us),
                else_=s.last_received_us,
            ),
        },
    )


def sightings(conn: Connection, site_id: str) -> list[Any]:
    query = select(model_sightings).where(model_sightings.c.site_id == site_id)
    return list(
        conn.execute(query.order_by(model_sightings.c.model_version, model_sightings.c.camera_id))
    )


def raw_counts(
    conn: Connection, site_id: str, start_us: int, end_us: int, worker_id: str | None = None
) -> list[tuple[str, HourCount]]:
    """Detections of `[start_us, end_us)` counted from the events, per worker and hour."""
    e = events.c
    hour = floor_to(e.ts_us, US_PER_HOUR)
    version, camera = func.coalesce(e.model_version, NONE), func.coalesce(e.camera_id, NONE)
    query = (
        select(
            e.worker_id,
            hour,
            version,
            camera,
            e.event_type,
            func.count(),
            cast(func.sum(e.confidence), Double),
            func.sum(case((e.low_confidence, 1), else_=0)),
        )
        .where(e.site_id == site_id, e.ts_us >= start_us, e.ts_us < end_us)
        .group_by(e.worker_id, hour, version, camera, e.event_type)
    )
    if worker_id is not None:
        query = query.where(e.worker_id == worker_id)
    return [
        (w, HourCount(int(h), v, c, t, int(n), float(s), int(low)))
        for w, h, v, c, t, n, s, low in conn.execute(query)
    ]


def replace_hours(
    conn: Connection,
    site_id: str,
    worker_id: str,
    hours: Sequence[int],
    counts: Iterable[HourCount],
) -> None:
    """Replace a worker's counts of the given hours with those of `counts` in them."""
    m = model_hourly.c
    conn.execute(
        delete(model_hourly).where(
            m.site_id == site_id, m.worker_id == worker_id, m.hour_us.in_(hours)
        )
    )
    wanted = set(hours)
    rows = [
        {"site_id": site_id, "worker_id": worker_id, **count._asdict()}
        for count in counts
        if count.hour_us in wanted
    ]
    if rows:
        conn.execute(model_hourly.insert(), rows)


def hourly_counts(conn: Connection, site_id: str, start_us: int, end_us: int) -> list[HourCount]:
    """Detections per hour, version, camera and type of `[start_us, end_us)`, all workers
    summed: whole hours from the kept counts; an hour stale for any worker, and the parts of
    hours at the window's edges, from raw events."""
    first, last = -(-start_us // US_PER_HOUR) * US_PER_HOUR, hour_start(end_us)
    if first >= last:
        return sorted(_summed_over_workers(raw_counts(conn, site_id, start_us, end_us)))
    stale = sorted({hour for _, hour in stale_hours_in(conn, site_id, (first, last))})
    m = model_hourly.c
    key = (m.hour_us, m.model_version, m.camera_id, m.event_type)
    query = (
        select(
            *key,
            cast(func.sum(m.events), BigInteger),
            cast(func.sum(m.confidence_sum), Double),
            cast(func.sum(m.low_confidence), BigInteger),
        )
        .where(m.site_id == site_id, m.hour_us >= first, m.hour_us < last)
        .group_by(*key)
    )
    skipped = set(stale)
    found = [HourCount(*row) for row in conn.execute(query) if row[0] not in skipped]
    raw = [(start_us, first), *spans(stale, US_PER_HOUR), (last, end_us)]
    for raw_start, raw_end in raw:
        if raw_start < raw_end:
            found += _summed_over_workers(raw_counts(conn, site_id, raw_start, raw_end))
    return sorted(found)


def _summed_over_workers(counts: Iterable[tuple[str, HourCount]]) -> list[HourCount]:
    summed: dict[tuple[int, str, str, str], HourCount] = {}
    for _, c in counts:
        key = (c.hour_us, c.model_version, c.camera_id, c.event_type)
        before = summed.get(key)
        summed[key] = (
            c
            if before is None
            else before._replace(
                events=before.events + c.events,
                confidence_sum=before.confidence_sum + c.confidence_sum,
                low_confidence=before.low_confidence + c.low_confidence,
            )
        )
    return list(summed.values())


def cameras_heard(
    conn: Connection, site_id: str, spans: Sequence[tuple[int, int]]
) -> list[set[tuple[str, str]]]:
    """For each `[start_us, end_us)` span, the (camera, worker) pairs seen in it."""
    if not spans:
        return []
    e = events.c
    parts = [
        select(literal(n, BigInteger), e.camera_id, e.worker_id)
        .where(e.site_id == site_id, e.ts_us >= start, e.ts_us < end, e.camera_id.is_not(None))
        .distinct()
        for n, (start, end) in enumerate(spans)
    ]
    heard: list[set[tuple[str, str]]] = [set() for _ in spans]
    for n, camera, worker in conn.execute(union_all(*parts)):
        heard[n].add((camera, worker))
    return heard


def last_heard(conn: Connection, site_id: str, camera_id: str, span: tuple[int, int]) -> int | None:
    """The latest event time of a camera in `[span[0], span[1])` (give it a short span: events
    have no index by camera)."""
    e = events.c
    query = select(func.max(e.ts_us)).where(
        e.site_id == site_id, e.camera_id == camera_id, e.ts_us >= span[0], e.ts_us < span[1]
    )
    found = conn.execute(query).scalar()
    return int(found) if found is not None else None


def unresolved_alerts(conn: Connection, site_id: str) -> dict[str, Any]:
    """The site's open and acknowledged alerts, by cause."""
    query = select(alerts).where(alerts.c.site_id == site_id, alerts.c.state != "resolved")
    return {row.cause: row for row in conn.execute(query)}


def insert_alert(conn: Connection, values: Mapping[str, Any]) -> int:
    inserted = conn.execute(alerts.insert().values(**values).returning(alerts.c.id))
    return int(inserted.scalar_one())


def update_alert(conn: Connection, alert_id: int, values: Mapping[str, Any]) -> None:
    conn.execute(alerts.update().where(alerts.c.id == alert_id).values(**values))


def get_alert(conn: Connection, alert_id: int) -> Any:
    return conn.execute(select(alerts).where(alerts.c.id == alert_id)).first()


def list_alerts(
    conn: Connection, site_id: str | None, states: Sequence[str], limit: int
) -> list[Any]:
    """Newest first."""
    query = select(alerts).where(alerts.c.state.in_(states))
    if site_id is not None:
        query = query.where(alerts.c.site_id == site_id)
    return list(
        conn.execute(query.order_by(alerts.c.opened_us.desc(), alerts.c.id.desc()).limit(limit))
    )


def enqueue_deliveries(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        conn.execute(webhook_deliveries.insert(), list(rows))


def due_deliveries(conn: Connection, now_us: int, limit: int) -> list[Any]:
    d = webhook_deliveries.c
    query = (
        select(webhook_deliveries)
        .where(d.state == "pending", d.next_attempt_us <= now_us)
        .order_by(d.next_attempt_us, d.id)
        .limit(limit)
    )
    return list(conn.execute(query))


def record_attempt(conn: Connection, delivery_id: int, values: Mapping[str, Any]) -> None:
    d = webhook_deliveries.c
    conn.execute(webhook_deliveries.update().where(d.id == delivery_id).values(**values))


def deliveries_of(conn: Connection, alert_id: int) -> list[Any]:
    d = webhook_deliveries.c
    query = select(webhook_deliveries).where(d.alert_id == alert_id).order_by(d.id)
    return list(conn.execute(query))


# A seeded shuffle of event ids: id * a mod M, M prime and a = K * (seed + 1) mod M, puts ids
# in an order that looks random, is the same for the same seed on both engines, and needs no
# random() (whose results differ between SQLite and PostgreSQL and cannot be seeded).
SHUFFLE_K, SHUFFLE_M = 2_654_435_761, 4_294_967_311


def strata(
    conn: Connection,
    site_id: str,
    version: str,
    span: tuple[int, int],
    bands: tuple[float, float],
) -> dict[tuple[str, str, int], int]:
    """How many events of a model version in `[span)` each stratum holds: (event type,
    camera, confidence band: 0 below bands[0], 1 below bands[1], else 2)."""
    band, camera = _band(bands), func.coalesce(events.c.camera_id, NONE)
    query = (
        select(events.c.event_type, camera, band, func.count())
        .where(*_of_version(site_id, version, span))
        .group_by(events.c.event_type, camera, band)
    )
    return {(kind, cam, int(b)): int(n) for kind, cam, b, n in conn.execute(query)}


def sample_ids(
    conn: Connection,
    site_id: str,
    version: str,
    span: tuple[int, int],
    bands: tuple[float, float],
    per_stratum: int,
    seed: int,
) -> dict[tuple[str, str, int], list[int]]:
    """Up to `per_stratum` event ids of each stratum, in the seed's shuffled order."""
    band, camera = _band(bands), func.coalesce(events.c.camera_id, NONE)
    multiplier = SHUFFLE_K * (seed + 1) % SHUFFLE_M  # never 0: M is prime, seed + 1 < M
    shuffled = (events.c.id * literal(multiplier, BigInteger)) % SHUFFLE_M
    rank = func.row_number().over(
        partition_by=(events.c.event_type, camera, band), order_by=(shuffled, events.c.id)
    )
    ranked = (
        select(
            events.c.id,
            events.c.event_type.label("kind"),
            camera.label("camera"),
            band.label("band"),
            rank.label("rank"),
        )
        .where(*_of_version(site_id, version, span))
        .subquery()
    )
    query = select(ranked.c.kind, ranked.c.camera, ranked.c.band, ranked.c.id).where(
        ranked.c.rank <= per_stratum
    )
    found: dict[tuple[str, str, int], list[int]] = {}
    for kind, cam, b, event_id in conn.execute(query.order_by(ranked.c.rank)):
        found.setdefault((kind, cam, int(b)), []).append(int(event_id))
    return found


def events_by_id(conn: Connection, ids: Sequence[int]) -> list[Any]:
    return list(conn.execute(select(events).where(events.c.id.in_(ids)).order_by(events.c.ts_us)))


def _band(bands: tuple[float, float]) -> Any:
    c = events.c.confidence
    return case((c < bands[0], 0), (c < bands[1], 1), else_=2)


def _of_version(site_id: str, version: str, span: tuple[int, int]) -> list[Any]:
    e = events.c
    named = e.model_version.is_(None) if version == NONE else e.model_version == version
    return [e.site_id == site_id, e.ts_us >= span[0], e.ts_us < span[1], named]
