"""Use cases of metrics: the figures of workers, workstations and the factory over a window.

A window is cut into whole UTC hours, read from the hourly rollups, and the partial hours at its
edges, computed from raw events; hours whose rollups are stale are computed from raw events too.
No request loads more raw events than two hours' worth plus the stale hours.
"""

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from itertools import groupby

from sqlalchemy import Connection

from floorpulse.analytics import repository
from floorpulse.analytics.rollups import hour_spans, tally_span
from floorpulse.analytics.schemas import (
    FactoryMetrics,
    MetricsQuery,
    WorkerMetrics,
    WorkstationMetrics,
)
from floorpulse.clock import Clock, utc_now
from floorpulse.db.engine import Database
from floorpulse.db.epoch import from_epoch_us, to_epoch_us
from floorpulse.errors import InvalidInput
from floorpulse.metrics.intervals import Window, active_workers
from floorpulse.metrics.tally import US_PER_HOUR, US_PER_S, Tally, sum_by
from floorpulse.registry import repository as registry
from floorpulse.settings import Settings
from floorpulse.validation import FieldError

Pair = tuple[str, str]  # (worker_id, workstation_id)


class MetricsService:
    def __init__(self, db: Database, settings: Settings, clock: Clock = utc_now) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.timeout_us = settings.state_timeout_us

    def workers(self, query: MetricsQuery) -> list[WorkerMetrics]:
        """One row per registered worker of the site, in worker id order."""
        site, window, _ = self._resolve(query)
        with self.db.read() as conn:
            per_worker = sum_by(self._tallies(conn, site, window, query).items(), lambda k: k[0])
            known = registry.list_all(conn, registry.workers, "worker_id", site)
        return [
            _worker_row(w.worker_id, w.name, per_worker.get(w.worker_id, Tally()))
            for w in known
            if query.worker_id in (None, w.worker_id)
        ]

    def workstations(self, query: MetricsQuery) -> list[WorkstationMetrics]:
        """One row per registered workstation of the site, in id order."""
        site, window, _ = self._resolve(query)
        with self.db.read() as conn:
            per_station = sum_by(self._tallies(conn, site, window, query).items(), lambda k: k[1])
            known = registry.list_all(conn, registry.workstations, "workstation_id", site)
        return [
            _station_row(s.workstation_id, s.name, per_station.get(s.workstation_id, Tally()))
            for s in known
            if query.workstation_id in (None, s.workstation_id)
        ]

    def factory(self, query: MetricsQuery) -> FactoryMetrics:
        """The whole site (or the filtered part of it) over the window."""
        site, window, now_us = self._resolve(query)
        with self.db.read() as conn:
            total = sum(self._tallies(conn, site, window, query).values(), Tally())
            workers = registry.list_all(conn, registry.workers, "worker_id", site)
            stations = registry.list_all(conn, registry.workstations, "workstation_id", site)
            active = self._active_now(conn, site, now_us, query.worker_id)
        return FactoryMetrics(
            total_productive_time_minutes=_minutes(total.working_us),
            total_production_count=total.units,
            average_production_rate=_rounded(total.units_per_working_hour),
            average_utilization_percentage=_rounded(total.utilization_pct),
            total_workers=len(workers),
            total_workstations=len(stations),
            active_workers=len(active),
            from_=from_epoch_us(window.start_us),
            to=from_epoch_us(window.end_us),
        )

    def _resolve(self, query: MetricsQuery) -> tuple[str, Window, int]:
        """The site, the window capped at now, and now (epoch µs)."""
        now = self.clock()
        end = query.to or now
        start = query.from_ or self._start_of_day(end - timedelta(microseconds=1))
        if start >= end:
            raise InvalidInput(
                "`from` must be before `to`", [FieldError("query.from", "is not before `to`")]
            )
        longest = timedelta(days=self.settings.max_window_days)
        if end - start > longest:
            reason = (
                f"spans more than {self.settings.max_window_days} days (FLOORPULSE_MAX_WINDOW_DAYS)"
            )
            raise InvalidInput(f"window {reason}", [FieldError("query.from", reason)])
        now_us = to_epoch_us(now)
        start_us = to_epoch_us(start)
        window = Window(start_us, max(start_us, min(to_epoch_us(end), now_us)))
        return query.site or self.settings.default_site, window, now_us

    def _start_of_day(self, instant: datetime) -> datetime:
        local = instant.astimezone(self.settings.timezone)
        return datetime.combine(local.date(), time(0), tzinfo=self.settings.timezone)

    def _tallies(
        self, conn: Connection, site: str, window: Window, query: MetricsQuery
    ) -> dict[Pair, Tally]:
        """Tallies per (worker, station) over the window, filtered as the query asks."""
        parts = list(self._window_parts(conn, site, window, query.worker_id))
        sums = sum_by(parts, lambda pair: pair)
        if query.workstation_id is not None:
            sums = {k: v for k, v in sums.items() if k[1] == query.workstation_id}
        return sums

    def _window_parts(
        self, conn: Connection, site: str, window: Window, worker: str | None
    ) -> Iterable[tuple[Pair, Tally]]:
        start, end = window.start_us, window.end_us
        first_hour = -(-start // US_PER_HOUR) * US_PER_HOUR
        last_hour = end - end % US_PER_HOUR
        if first_hour >= last_hour:
            yield from self._raw(conn, site, start, end, worker)
            return
        yield from self._raw(conn, site, start, first_hour, worker)
        yield from self._rolled(conn, site, (first_hour, last_hour), worker)
        yield from self._raw(conn, site, last_hour, end, worker)

    def _rolled(
        self, conn: Connection, site: str, hours: tuple[int, int], worker: str | None
    ) -> Iterable[tuple[Pair, Tally]]:
        yield from repository.sum_rollups(conn, site, hours, worker)
        stale = sorted(repository.stale_hours_in(conn, site, hours, worker))
        if not stale:
            return
        # Stale hours: take their stored rollups back out, put raw figures in.
        for pair, outdated in repository.rollups_of(conn, site, stale):
            yield pair, Tally() - outdated
        for stale_worker, pairs in groupby(stale, key=lambda p: p[0]):
            for start, end in hour_spans(hour for _, hour in pairs):
                yield from self._raw(conn, site, start, end, stale_worker)

    def _raw(
        self, conn: Connection, site: str, start: int, end: int, worker: str | None
    ) -> Iterable[tuple[Pair, Tally]]:
        if start >= end:
            return
        tallies = tally_span(
            conn,
            site,
            Window(start, end),
            worker,
            timeout_us=self.timeout_us,
            min_confidence=self.settings.confidence_threshold,
        )
        for (w, s, _), value in tallies.items():
            yield (w, s), value

    def _active_now(self, conn: Connection, site: str, now_us: int, worker: str | None) -> set[str]:
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
        total_active_time_minutes=_minutes(t.working_us),
        total_idle_time_minutes=_minutes(t.idle_us),
        total_absent_time_minutes=_minutes(t.absent_us),
        utilization_percentage=_rounded(t.utilization_pct),
        total_units_produced=t.units,
        units_per_hour=_rounded(t.units_per_working_hour),
        active_seconds=t.working_us / US_PER_S,
        idle_seconds=t.idle_us / US_PER_S,
        absent_seconds=t.absent_us / US_PER_S,
    )


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


def _minutes(duration_us: int) -> float:
    return round(duration_us / (60 * US_PER_S), 2)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
