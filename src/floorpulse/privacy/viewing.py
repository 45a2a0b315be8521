"""Answers as a viewer's lens shows them: the one place where worker ids become pseudonyms,
names are dropped, and per-worker reads are refused to a process view.

Questions are translated on the way in (a pseudonym in a filter becomes its worker's id) and
answers on the way out; the services below compute as they always do, for everyone.
"""

from typing import TypeVar

from floorpulse.analytics.schemas import Band, MetricsQuery, Timeline, Timeseries, WorkerMetrics
from floorpulse.db.engine import Database
from floorpulse.errors import Forbidden, NotFound
from floorpulse.events.schemas import EventOut, EventQuery
from floorpulse.metrics.intervals import Band as StateBand
from floorpulse.privacy import repository
from floorpulse.privacy.lens import NAMED_LENS, Hidden, Lens, View
from floorpulse.registry.schemas import WorkerOut
from floorpulse.registry.service import WORKERS, RegistryService

Query = TypeVar("Query", bound=MetricsQuery)
Row = TypeVar("Row", WorkerMetrics, Band)
PROCESS_VIEW = (
    "this key has the process view: it sees stations, teams and the site, never one worker; "
    "an admin can issue a read key with the named or pseudonymous view instead"
)


class Lenses:
    """The lens of each view, under this install's secret (read once, on the first need)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._secret: bytes | None = None

    def of(self, view: View) -> Lens:
        if view is View.NAMED:
            return NAMED_LENS
        if self._secret is None:
            with self.db.read() as conn:
                self._secret = repository.install_secret(conn, "pseudonyms")
        return Lens(view, self._secret)


class Viewing:
    def __init__(
        self, lens: Lens, registry: RegistryService, default_site: str, min_team_size: int
    ) -> None:
        self.lens = lens
        self.registry = registry
        self.default_site = default_site
        self.min_team_size = min_team_size

    @property
    def smallest_team(self) -> int:
        """Members seen a team needs to be shown: a team of one is a person."""
        return 0 if self.lens.sees_individuals else self.min_team_size

    def individuals(self) -> None:
        """Refuse a read that is about individual workers to a viewer who sees none."""
        if not self.lens.sees_individuals:
            raise Forbidden(PROCESS_VIEW)

    def worker_asked(self, site: str | None, shown: str | None) -> str | None:
        """The worker id a filter means (None: no filter)."""
        if shown is None or self.lens.sees_names:
            return shown
        self.individuals()
        site = site or self.default_site
        known = [row.worker_id for row in self.registry.list(WORKERS, site)]
        worker_id = self.lens.asked(site, shown, known)
        if worker_id is None:
            raise NotFound(f"no worker of site {site!r} has the pseudonym {shown!r}")
        return worker_id

    def metrics_query(self, query: Query) -> Query:
        worker_id = self.worker_asked(query.site, query.worker_id)
        return query.model_copy(update={"worker_id": worker_id})

    def event_query(self, query: EventQuery) -> EventQuery:
        worker_id = self.worker_asked(query.site, query.worker_id)
        return query.model_copy(update={"worker_id": worker_id})

    def workers(self, rows: list[WorkerMetrics], site: str | None) -> list[WorkerMetrics]:
        self.individuals()
        shown = self._shown(site)
        return self._ordered(
            [row.model_copy(update=shown(row.worker_id, row.name)) for row in rows]
        )

    def series(self, answer: Timeseries, site: str | None) -> Timeseries:
        if answer.scope != "worker":
            return answer
        self.individuals()
        shown = self._shown(site)
        series = [s.model_copy(update=_keyed(shown(s.key, s.name))) for s in answer.series]
        if not self.lens.sees_names:
            series.sort(key=lambda s: s.key)
        return answer.model_copy(update={"series": series})

    def timeline(self, answer: Timeline, site: str | None) -> Timeline:
        self.individuals()
        shown = self._shown(site)
        bands = [band.model_copy(update=shown(band.worker_id, band.name)) for band in answer.bands]
        return answer.model_copy(update={"bands": self._ordered(bands)})

    def state_bands(self, bands: list[StateBand], site: str | None) -> list[StateBand]:
        """The dashboard's timeline bands, as `timeline` shows the API's."""
        self.individuals()
        if self.lens.sees_names:
            return bands
        site = site or self.default_site
        named = [b._replace(worker_id=self.lens.worker(site, b.worker_id)) for b in bands]
        return sorted(named, key=lambda band: (band.worker_id, band.start_us))

    def choices(self, choices: list[tuple[str, str]], site: str | None) -> list[tuple[str, str]]:
        """A worker picker's (id, label) pairs: under pseudonyms, each its own label."""
        self.individuals()
        if self.lens.sees_names:
            return choices
        site = site or self.default_site
        return [(p, p) for p in sorted(self.lens.worker(site, id_) for id_, _ in choices)]

    def events(self, page: list[EventOut]) -> list[EventOut]:
        self.individuals()
        if self.lens.sees_names:
            return page
        return [
            event.model_copy(update={"worker_id": self.lens.worker(event.site_id, event.worker_id)})
            for event in page
        ]

    def registered(self, rows: list[WorkerOut]) -> list[WorkerOut]:
        self.individuals()
        shown = [
            row.model_copy(update=self._shown(row.site_id)(row.worker_id, row.name)) for row in rows
        ]
        if self.lens.sees_names:
            return shown
        return sorted(shown, key=lambda row: (row.site_id, row.worker_id))

    def _ordered(self, rows: list[Row]) -> list[Row]:
        """Rows in worker id order, as the services give them; under pseudonyms in pseudonym
        order (a list in id order would tell whose pseudonym is whose). Stable: a worker's
        timeline bands keep their order."""
        return rows if self.lens.sees_names else sorted(rows, key=lambda row: row.worker_id)

    def _shown(self, site: str | None) -> "_Shown":
        return _Shown(self.lens, site or self.default_site)


class _Shown:
    """A worker's id and name as the lens shows them, for one site."""

    def __init__(self, lens: Lens, site: str) -> None:
        self.lens, self.site = lens, site

    def __call__(self, worker_id: str, name: str | None) -> dict[str, str | None]:
        try:
            shown = self.lens.worker(self.site, worker_id)
        except Hidden:
            raise Forbidden(PROCESS_VIEW) from None
        return {"worker_id": shown, "name": self.lens.name(name)}


def _keyed(shown: dict[str, str | None]) -> dict[str, str | None]:
    return {"key": shown["worker_id"], "name": shown["name"]}
