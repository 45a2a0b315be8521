"""What the dashboard shows, assembled from the same services the API answers with.

Every open dashboard asks for the same few views each second; each view is computed once per
moment of the store and shared by every viewer that asks for it, so twenty wall screens cost
the database what one does. A moment is a generation pushed to every viewer (push.Pulse counts
them), or a half second for those polling.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from floorpulse.analytics.schemas import (
    FactoryMetrics,
    MetricsQuery,
    Point,
    Series,
    TeamMetrics,
    TimeseriesQuery,
    WorkerMetrics,
    WorkstationMetrics,
)
from floorpulse.analytics.service import MetricsService
from floorpulse.clock import Clock, utc_now
from floorpulse.dashboard.filters import Filters, metrics_query
from floorpulse.demo.schemas import SeedResult
from floorpulse.demo.service import DemoService, SeedPlan
from floorpulse.errors import Conflict
from floorpulse.events.schemas import EventOut, EventQuery
from floorpulse.events.service import EventService
from floorpulse.metrics.intervals import Band as StateBand
from floorpulse.privacy.lens import View
from floorpulse.privacy.viewing import Lenses, Viewing
from floorpulse.registry.service import WORKERS, WORKSTATIONS, Kind, RegistryService
from floorpulse.shared import Shared

# A moment's view is kept a second at most; a viewer asking again for a moment long gone (a
# heartbeat's, after a quiet spell) gets it anew.
VIEW_TTL_S = 1.0
# Which state of the store a view shows: ("generation", n) pushed, ("half-second", n) polled.
Moment = tuple[str, int]
STREAM_LENGTH = 25
# Steps across the timeline: a wall screen's pixels. A busy day of two hundred workers is tens
# of thousands of bands, most narrower than a pixel, which made each screen's refresh 1.8 MB.
TIMELINE_STEPS = 1_500


@dataclass(frozen=True)
class Kpi:
    """One KPI card: the value over the window and over the equal period before it."""

    key: str
    label: str
    value: float | None
    previous: float | None
    unit: str = ""


@dataclass(frozen=True)
class Overview:
    start: datetime
    end: datetime
    shift: str | None
    kpis: list[Kpi]
    workers: list[WorkerMetrics]  # none for a viewer who sees no individuals
    teams: list[TeamMetrics]
    workstations: list[WorkstationMetrics]
    heatmap: list[Series]
    trend: list[Point]
    timeline: list[StateBand]  # the last day's at most (MetricsService.state_bands)
    events: list[EventOut]
    worker_choices: list[tuple[str, str]]  # (id, name or id) of every worker of the site, as
    # the viewer sees them (pseudonyms: (pseudonym, pseudonym))
    station_choices: list[tuple[str, str]]
    site_choices: list[str]
    demo: bool  # some of the stored history was seeded, not observed
    empty: bool  # nothing stored at all: the page says how to send the first event
    updated_at: datetime
    individuals: bool = True  # False: the process view, which shows no worker


class DashboardService:
    """Builds dashboard views; safe to share between threads."""

    def __init__(
        self,
        metrics: MetricsService,
        events: EventService,
        registry: RegistryService,
        demo: DemoService,
        clock: Clock,
    ) -> None:
        self.lenses = Lenses(metrics.db)
        self.metrics = metrics
        self.events = events
        self.registry = registry
        self.demo = demo
        self.clock = clock
        self._views = Shared(self._overview, VIEW_TTL_S)

    def overview(
        self, filters: Filters, moment: Moment = ("half-second", 0), view: View = View.NAMED
    ) -> Overview:
        """The view of `filters` as a viewer with `view` sees workers, shared by every such
        viewer asking for it at the same `moment` within VIEW_TTL_S. A worker filter that view
        may not ask for is refused (Forbidden, NotFound)."""
        return self._views(filters, moment, view)

    def version(self) -> tuple[int, datetime | None]:
        """Changes whenever the views might: an event stored, sample data (re)written."""
        latest = self.demo.latest_run()
        return self.events.newest_id(), latest.seeded_at if latest else None

    def _overview(self, filters: Filters, _moment: Moment, view: View) -> Overview:
        now = self.clock()
        metrics = self.metrics.at(now)  # every panel of the view read at one instant
        settings = metrics.settings
        viewing = Viewing(
            self.lenses.of(view), self.registry, settings.default_site, settings.min_team_size
        )
        filters = replace(filters, worker=viewing.worker_asked(filters.site, filters.worker))
        query = metrics_query(filters, now)
        factory = metrics.factory(query)
        workers = metrics.workers(query)
        previous = _previous(query, factory.from_, factory.to)
        registered = {kind.key: self.registry.list(kind, None) for kind in (WORKERS, WORKSTATIONS)}
        site = filters.site or settings.default_site
        shown = _Shown(viewing, site)
        return Overview(
            start=factory.from_,
            end=factory.to,
            shift=factory.shift,
            kpis=self._kpis(metrics, query, previous, factory, workers),
            workers=shown.workers(workers),
            teams=metrics.teams(query, viewing.smallest_team),
            workstations=metrics.workstations(query),
            heatmap=_series(metrics, query, "workstation"),
            trend=_series(metrics, query, "factory")[0].points,
            timeline=shown.bands(metrics.state_bands(query, TIMELINE_STEPS).bands),
            events=shown.events(self._events(filters)),
            worker_choices=shown.choices(_choices(registered[WORKERS.key], WORKERS, site)),
            station_choices=_choices(registered[WORKSTATIONS.key], WORKSTATIONS, site),
            site_choices=_sites(registered, settings.default_site),
            demo=self.demo.latest_run() is not None,
            empty=self.demo.is_empty(),
            updated_at=now,
            individuals=viewing.lens.sees_individuals,
        )

    def reseed(self) -> SeedResult:
        """Fresh sample data: the latest seeding's floor and length over again, every stored
        event deleted first; a first day of it in an empty database. Refused over real data."""
        latest = self.demo.latest_run()
        if latest is not None:
            hours = (latest.to - latest.from_).total_seconds() / 3600
            plan = SeedPlan(hours, latest.workers, latest.workstations, latest.seed, clear=True)
        elif self.demo.is_empty():
            plan = SeedPlan()
        else:
            raise Conflict("the stored events were observed, not seeded: they are kept")
        result = self.demo.seed(plan)
        self._views.clear()  # every viewer sees the new data at its next refresh
        return result

    def _kpis(
        self,
        metrics: MetricsService,
        query: MetricsQuery,
        previous: MetricsQuery,
        current: FactoryMetrics,
        workers: list[WorkerMetrics],
    ) -> list[Kpi]:
        """The cards, given the window's factory and worker figures already read."""
        if query.worker_id:  # exactly the figures GET /api/metrics/workers gives the worker
            now_row = workers[0] if workers else None
            before_rows = metrics.workers(previous)
            before_row = before_rows[0] if before_rows else None
            return _worker_kpis(now_row, before_row, current.active_workers)
        before = metrics.factory(previous)
        return [
            Kpi("active", "Active workers now", current.active_workers, None),
            Kpi(
                "utilization",
                "Utilization",
                current.average_utilization_percentage,
                before.average_utilization_percentage,
                "%",
            ),
            Kpi(
                "units",
                "Units produced",
                current.total_production_count,
                before.total_production_count,
            ),
            Kpi(
                "rate",
                "Production rate",
                current.average_production_rate,
                before.average_production_rate,
                "units/h",
            ),
            Kpi(
                "hours",
                "Productive hours",
                round(current.total_productive_time_minutes / 60, 1),
                round(before.total_productive_time_minutes / 60, 1),
                "h",
            ),
        ]

    def _events(self, filters: Filters) -> list[EventOut]:
        query = EventQuery(
            worker_id=filters.worker,
            workstation_id=filters.workstation,
            site=filters.site,
            limit=STREAM_LENGTH,
        )
        page, _ = self.events.list_events(query)
        return page


class _Shown:
    """A view's panels about workers as the viewer sees them: under pseudonyms, or (process
    view) none at all; the event stream then names only the station."""

    def __init__(self, viewing: Viewing, site: str) -> None:
        self.viewing, self.lens, self.site = viewing, viewing.lens, site

    def workers(self, rows: list[WorkerMetrics]) -> list[WorkerMetrics]:
        return self.viewing.workers(rows, self.site) if self.lens.sees_individuals else []

    def bands(self, bands: list[StateBand]) -> list[StateBand]:
        return self.viewing.state_bands(bands, self.site) if self.lens.sees_individuals else []

    def events(self, page: list[EventOut]) -> list[EventOut]:
        if self.lens.sees_individuals:
            return self.viewing.events(page)
        return [event.model_copy(update={"worker_id": ""}) for event in page]

    def choices(self, choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return self.viewing.choices(choices, self.site) if self.lens.sees_individuals else []


def dashboard_views(
    metrics: MetricsService, events: EventService, clock: Clock = utc_now
) -> DashboardService:
    """The dashboard's views over the same services the API answers with."""
    database, settings = metrics.db, metrics.settings
    return DashboardService(
        metrics,
        events,
        RegistryService(database, clock),
        DemoService(database, settings, events, clock),
        clock,
    )


# The worker's KPI cards: (key, label, what it reads of the worker's row, unit).
WORKER_KPIS: list[tuple[str, str, Callable[[WorkerMetrics], float | None], str]] = [
    ("utilization", "Utilization", lambda r: r.utilization_percentage, "%"),
    ("units", "Units produced", lambda r: r.total_units_produced, ""),
    ("rate", "Production rate", lambda r: r.units_per_hour, "units/h"),
    ("hours", "Productive hours", lambda r: round(r.total_active_time_minutes / 60, 1), "h"),
]


def _worker_kpis(
    row: WorkerMetrics | None, before: WorkerMetrics | None, active_now: int
) -> list[Kpi]:
    return [
        Kpi("active", "Active now", active_now, None),
        *(
            Kpi(key, label, read(row) if row else None, read(before) if before else None, unit)
            for key, label, read, unit in WORKER_KPIS
        ),
    ]


def _choices(rows: list[Any], kind: Kind, site: str) -> list[tuple[str, str]]:
    """(id, name or id) of every registered entry of the site, from all sites' rows."""
    ids = [(getattr(row, kind.key), row.name) for row in rows if row.site_id == site]
    return [(key, name or key) for key, name in ids]


def _sites(registered: dict[str, list[Any]], default: str) -> list[str]:
    known = {row.site_id for rows in registered.values() for row in rows}
    return sorted(known | {default})


def _series(metrics: MetricsService, query: MetricsQuery, scope: str) -> list[Series]:
    asked = TimeseriesQuery.model_validate({**_plain(query), "scope": scope, "bucket": "hour"})
    return metrics.timeseries(asked).series


def _previous(query: MetricsQuery, start: datetime, end: datetime) -> MetricsQuery:
    """The same filters over the equal period just before [start, end)."""
    length = end - start
    return MetricsQuery.model_validate(
        {**_plain(query), "shift": None, "date": None, "from": start - length, "to": start}
    )


def _plain(query: MetricsQuery) -> dict[str, object]:
    return query.model_dump(by_alias=True)
