"""Use cases of metrics: the figures of workers, workstations and the factory over a window.

A window is cut into whole UTC days and hours, read from the rollups, and the partial hours at
its edges, computed from raw events (metrics/plan.py); hours whose rollups are stale are computed
from raw events too. No request loads more than an hour of raw events per edge, plus the stale
hours.
"""

import copy
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, groupby, pairwise
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Row, Table

from floorpulse.analytics import repository
from floorpulse.analytics.recent import Recent
from floorpulse.analytics.rollups import tally_span
from floorpulse.analytics.schemas import (
    Band,
    FactoryMetrics,
    MetricsQuery,
    Point,
    Series,
    SiteFigures,
    SitesMetrics,
    TeamMetrics,
    Timeline,
    Timeseries,
    TimeseriesQuery,
    WorkerMetrics,
    WorkstationMetrics,
)
from floorpulse.analytics.timeline import Tiles
from floorpulse.analytics.windows import Asked, resolve
from floorpulse.clock import Clock, utc_now
from floorpulse.db.engine import Database
from floorpulse.db.epoch import from_epoch_us, to_epoch_us
from floorpulse.errors import InvalidInput
from floorpulse.metrics.buckets import bucket_edges
from floorpulse.metrics.intervals import Band as StateBand
from floorpulse.metrics.intervals import Window, active_workers, at_resolution, bands
from floorpulse.metrics.plan import Piece, Source, plan, spans
from floorpulse.metrics.tally import US_PER_HOUR, US_PER_S, Key, Tally, hour_start, sum_by
from floorpulse.metrics.teams import TeamTally, by_team
from floorpulse.registry import repository as registry
from floorpulse.settings import Settings
from floorpulse.shared import Shared
from floorpulse.validation import FieldError

T = TypeVar("T")
SITE_FIGURES = set(SiteFigures.model_fields) - {"site_id"}
Pair = tuple[str, str]  # (worker_id, workstation_id)
# Points per series a time-series query may ask for: a month of hours, years of days.
MAX_POINTS = 1000
# A timeline is drawn from raw events: longer windows show their last day.
TIMELINE_SPAN_US = 24 * US_PER_HOUR
# Raw reads are kept this long, and only while no event is stored: a dashboard's panels read
# the open hour's events once between them, not once each.
RAW_KEPT_S = 1.0
WORKERS = (registry.workers, "worker_id")
STATIONS = (registry.workstations, "workstation_id")


@dataclass(frozen=True)
class StateBands:
    """Each worker's states over `window` (the part of the window `asked` a timeline shows),
    and the workers' names by id."""

    asked: Asked
    window: Window
    names: dict[str, str | None]
    bands: list[StateBand]


class MetricsService:
    def __init__(
        self, db: Database, settings: Settings, clock: Clock = utc_now, *, keep_recent: bool = False
    ) -> None:
        """With `keep_recent`, the recent hours are kept running (analytics/recent.py): for
        the dashboard's drawing process, which reads them every second for every view. That
        reads every row stored once more, which a server process ingesting them should not."""
        self.db = db
        self.settings = settings
        self.clock = clock
        self.timeout_us = settings.state_timeout_us
        self.tiles = Tiles(self.timeout_us, settings.confidence_threshold)
        threshold = settings.confidence_threshold
        self._recent = Recent(db, self.timeout_us, threshold, clock) if keep_recent else None
        self._raw_tallies = Shared(self._read_raw, RAW_KEPT_S, maxsize=256)
        self._active = Shared(self._read_active, RAW_KEPT_S, maxsize=64)
        self._memo: dict[Hashable, Any] | None = None  # see at()

    def at(self, now: datetime) -> "MetricsService":
        """This service with its clock stopped at `now`, sharing what this one keeps: the
        panels of a dashboard view are read at one instant, so they agree, and the raw
        spans they have in common (the open hour) are read once; so are the registry and the
        tallies that several panels sum up in their own ways."""
        stopped = copy.copy(self)
        stopped.clock = lambda: now
        stopped._memo = {}
        return stopped

    def workers(self, query: MetricsQuery) -> list[WorkerMetrics]:
        """One row per registered worker of the site, in worker id order."""
        site, window, _ = self._resolve(query, self.clock())
        with self.db.read() as conn:
            per_worker = sum_by(self._tallies(conn, site, window, query).items(), lambda k: k[0])
            known = self._registered(conn, WORKERS, site)
        return [
            _worker_row(w.worker_id, w.name, per_worker.get(w.worker_id, Tally()))
            for w in known
            if query.worker_id in (None, w.worker_id)
        ]

    def teams(self, query: MetricsQuery, min_members: int = 0) -> list[TeamMetrics]:
        """One row per team of the site's workers, by name; teams with fewer than
        `min_members` seen in the window left out."""
        site, window, _ = self._resolve(query, self.clock())
        with self.db.read() as conn:
            per_worker = sum_by(self._tallies(conn, site, window, query).items(), lambda k: k[0])
            known = self._registered(conn, WORKERS, site)
        team_of = {w.worker_id: w.team for w in known if query.worker_id in (None, w.worker_id)}
        return [_team_row(t) for t in by_team(per_worker, team_of, min_members)]

    def workstations(self, query: MetricsQuery) -> list[WorkstationMetrics]:
        """One row per registered workstation of the site, in id order."""
        site, window, _ = self._resolve(query, self.clock())
        with self.db.read() as conn:
            per_station = sum_by(self._tallies(conn, site, window, query).items(), lambda k: k[1])
            known = self._registered(conn, STATIONS, site)
        return [
            _station_row(s.workstation_id, s.name, per_station.get(s.workstation_id, Tally()))
            for s in known
            if query.workstation_id in (None, s.workstation_id)
        ]

    def sites(self, query: MetricsQuery) -> SitesMetrics:
        """Each site's factory figures over the window (one site: `site`): every site the
        cameras have named, those configured (FLOORPULSE_SITES), and the default site."""
        with self.db.read() as conn:
            known = registry.site_ids(conn) | {self.settings.default_site, *self.settings.sites}
        asked = sorted({query.site} if query.site else known)
        rows = [(site, self.factory(query.model_copy(update={"site": site}))) for site in asked]
        return SitesMetrics(
            sites=[
                SiteFigures(site_id=site, **figures.model_dump(include=SITE_FIGURES))
                for site, figures in rows
            ],
        )

    def factory(self, query: MetricsQuery) -> FactoryMetrics:
        """The whole site (or the filtered part of it) over the window."""
        now = self.clock()
        site, window, asked = self._resolve(query, now)
        with self.db.read() as conn:
            total = sum(self._tallies(conn, site, window, query).values(), Tally())
            workers = self._registered(conn, WORKERS, site)
            stations = self._registered(conn, STATIONS, site)
            active = self._active_now(conn, site, to_epoch_us(now), query.worker_id)
        return FactoryMetrics(
            total_productive_time_minutes=_minutes(total.working_us),
            total_production_count=total.units,
            average_production_rate=_rounded(total.units_per_working_hour),
            average_utilization_percentage=_rounded(total.utilization_pct),
            total_workers=len(workers),
            total_workstations=len(stations),
            active_workers=len(active),
            from_=asked.start,
            to=asked.end,
            shift=asked.shift,
        )

    def timeseries(self, query: TimeseriesQuery) -> Timeseries:
        """Per local hour or day of the window: one series for the site, or one per worker or
        workstation (every registered one, with zeros where nothing was seen)."""
        site, _, asked = self._resolve(query, self.clock())
        zone = self.settings.zone_of(site)
        edges = bucket_edges(asked.start, asked.end, query.bucket, zone)
        if len(edges) - 1 > MAX_POINTS:
            reason = (
                f"makes {len(edges) - 1} {query.bucket} buckets, at most {MAX_POINTS}: "
                "shorten the window or use bucket=day"
            )
            raise InvalidInput(f"window {reason}", [FieldError("query.bucket", reason)])
        buckets = [Window(to_epoch_us(a), to_epoch_us(b)) for a, b in pairwise(edges)]
        with self.db.read() as conn:
            sums = self._bucket_tallies(conn, site, buckets, query) if buckets else {}
            entities = self._series_keys(conn, site, query)
        per_key = sum_by(sums.items(), _series_part(query.scope, site))
        local = list(pairwise(edge.astimezone(zone) for edge in edges))
        series = [
            Series(
                key=key,
                name=name,
                points=[
                    _point(start, end, per_key.get((i, key), Tally()))
                    for i, (start, end) in enumerate(local)
                ],
            )
            for key, name in entities
        ]
        return Timeseries(
            from_=asked.start,
            to=asked.end,
            shift=asked.shift,
            bucket=query.bucket,
            scope=query.scope,
            timezone=str(zone),
            series=series,
        )

    def timeline(self, query: MetricsQuery) -> Timeline:
        """Each registered worker's states over the window (its last 24 h if longer)."""
        drawn = self.state_bands(query)
        return Timeline(
            from_=from_epoch_us(drawn.window.start_us),
            to=drawn.asked.end,
            shift=drawn.asked.shift,
            bands=[
                Band(
                    worker_id=b.worker_id,
                    name=drawn.names.get(b.worker_id),
                    start=from_epoch_us(b.start_us),
                    end=from_epoch_us(b.end_us),
                    state=b.state,
                )
                for b in drawn.bands
            ],
        )

    def state_bands(self, query: MetricsQuery, steps: int | None = None) -> StateBands:
        """timeline() as the metrics core draws it, for a chart: a day of a hundred workers is
        thousands of bands, drawn each second. With `steps`, as a chart that many steps wide
        can show them (at_resolution)."""
        site, window, asked = self._resolve(query, self.clock())
        window = Window(max(window.start_us, window.end_us - TIMELINE_SPAN_US), window.end_us)
        step_us = max(1, -(-(window.end_us - window.start_us) // steps)) if steps else None
        with self.db.read() as conn:
            known = self._registered(conn, WORKERS, site)
            names = {w.worker_id: w.name for w in known if query.worker_id in (None, w.worker_id)}
            found = self._bands(conn, site, window, list(names), query.worker_id, step_us)
        return StateBands(asked, window, names, found)

    def _bands(
        self,
        conn: Connection,
        site: str,
        window: Window,
        workers: list[str],
        worker: str | None,
        step_us: int | None,
    ) -> list[StateBand]:
        """The timeline's bands: the recent hours' from those kept running if they are, the
        others' from the kept tiles; every band, or at resolution if `step_us` is given."""
        recent = None
        if kept := self._refreshed_recent():
            recent = kept.observed(site, window, worker)
        if recent is None:
            drawn: Iterable[StateBand] = self.tiles.observed(conn, site, window, worker)
        else:
            begin, latest = recent
            earlier = Window(window.start_us, begin)
            tiled = (
                self.tiles.observed(conn, site, earlier, worker) if begin > window.start_us else []
            )
            drawn = chain(tiled, latest)
        if step_us is None:
            return bands(drawn, window, workers)
        return at_resolution(drawn, window, step_us, workers)

    def _series_keys(
        self, conn: Connection, site: str, query: TimeseriesQuery
    ) -> list[tuple[str, str | None]]:
        if query.scope == "factory":
            return [(site, None)]
        if query.scope == "worker":
            rows = self._registered(conn, WORKERS, site)
            pairs = [(r.worker_id, r.name) for r in rows]
            wanted = query.worker_id
        else:
            rows = self._registered(conn, STATIONS, site)
            pairs = [(r.workstation_id, r.name) for r in rows]
            wanted = query.workstation_id
        return [(key, name) for key, name in pairs if wanted in (None, key)]

    def _once(self, question: Hashable, answer: Callable[[], T]) -> T:
        """answer(), once per question for a stopped service (at()); every time otherwise."""
        if self._memo is None:
            return answer()
        if question not in self._memo:
            self._memo[question] = answer()
        return cast(T, self._memo[question])

    def _refreshed_recent(self) -> Recent | None:
        """The kept recent hours, if kept, brought up to date: once for all the panels of a
        stopped service (at()), which read at one instant; at every read otherwise."""
        if self._recent is not None:
            self._once(("recent",), self._recent.refresh)
        return self._recent

    def _registered(self, conn: Connection, kind: tuple[Table, str], site: str) -> list[Row[Any]]:
        """The site's registered workers or workstations."""
        table, key = kind
        return self._once((key, site), lambda: registry.list_all(conn, table, key, site))

    def _resolve(self, query: MetricsQuery, now: datetime) -> tuple[str, Window, Asked]:
        """The site, the window in epoch µs, and the window as asked (capped at now)."""
        asked = resolve(query, self.settings, now)
        window = Window(to_epoch_us(asked.start), to_epoch_us(asked.end))
        return query.site or self.settings.default_site, window, asked

    def _tallies(
        self, conn: Connection, site: str, window: Window, query: MetricsQuery
    ) -> dict[Pair, Tally]:
        """Tallies per (worker, station) over the window, filtered as the query asks."""
        per_bucket = self._bucket_tallies(conn, site, [window], query)
        return {(w, s): t for (_, w, s), t in per_bucket.items()}

    def _bucket_tallies(
        self, conn: Connection, site: str, windows: list[Window], query: MetricsQuery
    ) -> dict[tuple[int, str, str], Tally]:
        """Tallies per (bucket, worker, station), filtered as the query asks: window i is
        bucket i (see metrics/plan.py). Callers must not change the answer (it may be kept)."""
        question = (site, tuple(windows), query.worker_id, query.workstation_id)
        return self._once(question, lambda: self._read_tallies(conn, site, windows, query))

    def _read_tallies(
        self, conn: Connection, site: str, windows: list[Window], query: MetricsQuery
    ) -> dict[tuple[int, str, str], Tally]:
        worker = query.worker_id
        self._refreshed_recent()
        first = hour_start(min(w.start_us for w in windows))
        stale = repository.stale_hours_in(
            conn, site, (first, max(w.end_us for w in windows)), worker
        )
        pieces = plan(windows, {hour for _, hour in stale})
        sums: defaultdict[tuple[int, str, str], Tally] = defaultdict(Tally)
        for source in (Source.HOURS, Source.DAYS):
            spans = [(n, p.start_us, p.end_us) for n, p in enumerate(pieces) if p.source is source]
            for n, w, s, value in repository.sum_pieces(conn, source, site, spans, worker):
                sums[(pieces[n].bucket, w, s)] += value
        for piece in pieces:
            if piece.source is Source.RAW:
                for (w, s, _), value in self._raw(conn, site, piece.start_us, piece.end_us, worker):
                    key = (piece.bucket, w, s)
                    sums[key] = sums[key] + value if piece.sign > 0 else sums[key] - value
        self._replace_stale(conn, site, pieces, stale, sums)
        return {k: t for k, t in sums.items() if query.workstation_id in (None, k[2])}

    def _replace_stale(
        self,
        conn: Connection,
        site: str,
        pieces: list[Piece],
        stale: list[tuple[str, int]],
        sums: defaultdict[tuple[int, str, str], Tally],
    ) -> None:
        """Take the stored rollups of stale hours back out of the sums and put raw figures in."""
        rolled = [p for p in pieces if p.source is not Source.RAW]
        bucket_of: dict[tuple[str, int], int] = {}
        for worker, hour in stale:
            for piece in rolled:
                if piece.start_us <= hour < piece.end_us:
                    bucket_of[(worker, hour)] = piece.bucket
        if not bucket_of:
            return
        for (w, s, hour), outdated in repository.rollups_of(conn, site, list(bucket_of)):
            key = (bucket_of[(w, hour)], w, s)
            sums[key] = sums[key] - outdated
        by_worker_bucket = sorted((w, b, h) for (w, h), b in bucket_of.items())
        for (worker, bucket), hours in groupby(by_worker_bucket, key=lambda x: x[:2]):
            for start, end in spans((h for _, _, h in hours), US_PER_HOUR):
                for (w, s, _), value in self._raw(conn, site, start, end, worker):
                    sums[(bucket, w, s)] += value

    def _raw(
        self, conn: Connection, site: str, start: int, end: int, worker: str | None
    ) -> Iterable[tuple[Key, Tally]]:
        """Tallies of `[start, end)` as raw events give them: kept running for the recent
        hours if they are kept (refreshed by the caller), else read and kept a moment."""
        recent = self._recent.tally(site, Window(start, end), worker) if self._recent else None
        if recent is not None:
            return recent.items()
        newest = repository.newest_id(conn)
        return self._raw_tallies(site, start, end, worker, newest).items()

    def _read_raw(
        self, site: str, start: int, end: int, worker: str | None, _newest: int
    ) -> dict[Key, Tally]:
        # A connection of its own: the caller's is not part of what makes the read the same.
        with self.db.read() as conn:
            return tally_span(
                conn,
                site,
                Window(start, end),
                worker,
                timeout_us=self.timeout_us,
                min_confidence=self.settings.confidence_threshold,
            )

    def _active_now(self, conn: Connection, site: str, now_us: int, worker: str | None) -> set[str]:
        if kept := self._refreshed_recent():
            recent = kept.active(site, now_us, worker)
            if recent is not None:
                return recent
        return self._active(site, now_us, worker, repository.newest_id(conn))

    def _read_active(self, site: str, now_us: int, worker: str | None, _newest: int) -> set[str]:
        with self.db.read() as conn:
            states, _ = repository.load_events(
                conn,
                site,
                now_us - self.timeout_us,
                now_us + 1,
                self.settings.confidence_threshold,
                worker,
            )
        return active_workers(states, now_us, self.timeout_us)


def _worker_row(worker_id: str, name: str | None, t: Tally) -> WorkerMetrics:
    return WorkerMetrics(
        worker_id=worker_id,
        name=name,
        **_people_figures(t),
        active_seconds=t.working_us / US_PER_S,
        idle_seconds=t.idle_us / US_PER_S,
        absent_seconds=t.absent_us / US_PER_S,
    )


def _team_row(team: TeamTally) -> TeamMetrics:
    return TeamMetrics(
        team=team.team, members_seen=team.members_seen, **_people_figures(team.tally)
    )


def _people_figures(t: Tally) -> dict[str, Any]:
    """What a worker's row and a team's have in common, named as the seed API names it."""
    return {
        "total_active_time_minutes": _minutes(t.working_us),
        "total_idle_time_minutes": _minutes(t.idle_us),
        "total_absent_time_minutes": _minutes(t.absent_us),
        "utilization_percentage": _rounded(t.utilization_pct),
        "total_units_produced": t.units,
        "units_per_hour": _rounded(t.units_per_working_hour),
    }


def _station_row(station_id: str, name: str | None, t: Tally) -> WorkstationMetrics:
    return WorkstationMetrics(
        workstation_id=station_id,
        name=name,
        occupancy_time_minutes=_minutes(t.occupied_us),
        utilization_percentage=_rounded(t.utilization_pct),
        total_units_produced=t.units,
        throughput_rate=_rounded(t.units_per_occupied_hour),
        working_seconds=t.working_us / US_PER_S,
        idle_seconds=t.idle_us / US_PER_S,
    )


def _series_part(scope: str, site: str) -> Callable[[tuple[int, str, str]], tuple[int, str]]:
    """What a (bucket, worker, station) tally counts towards: (bucket, series key)."""
    if scope == "worker":
        return lambda key: (key[0], key[1])
    if scope == "workstation":
        return lambda key: (key[0], key[2])
    return lambda key: (key[0], site)


def _point(start: datetime, end: datetime, t: Tally) -> Point:
    # Built unchecked: a heatmap is thousands of points, each field computed just here.
    return Point.model_construct(
        start=start,
        end=end,
        working_seconds=t.working_us / US_PER_S,
        idle_seconds=t.idle_us / US_PER_S,
        absent_seconds=t.absent_us / US_PER_S,
        units=t.units,
        utilization_percentage=_rounded(t.utilization_pct),
    )


def _minutes(duration_us: int) -> float:
    return round(duration_us / (60 * US_PER_S), 2)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
