"""Use cases of the demo: seed made-up history through the ingestion path, clear, report status."""

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import Row

from floorpulse.clock import Clock, utc_now
from floorpulse.db.engine import Database
from floorpulse.db.epoch import from_epoch_us, to_epoch_us
from floorpulse.demo import repository
from floorpulse.demo.generator import (
    Detection,
    Factory,
    generate,
    realistic_faults,
    roster,
    stations,
)
from floorpulse.demo.schemas import DemoRunOut, SeedResult
from floorpulse.events.service import EventService
from floorpulse.registry import repository as registry
from floorpulse.settings import Settings

BATCH = 1000
CATCH_UP_HOURS = 24
Progress = Callable[[float], None]  # seconds of history written so far


@dataclass(frozen=True)
class SeedPlan:
    hours: float = 24.0
    workers: int = 6
    stations: int = 6
    seed: int = 0
    clear: bool = False


class DemoService:
    """Writes made-up history as if cameras had sent it, and says when data is made up."""

    def __init__(
        self, db: Database, settings: Settings, events: EventService, clock: Clock = utc_now
    ) -> None:
        self.db = db
        self.settings = settings
        self.events = events
        self.clock = clock

    def factory(self, workers: int, stations: int, seed: int, change: datetime | None) -> Factory:
        """The simulated floor in this site's shifts and time zone, with real cameras' faults."""
        return Factory(
            workers=workers,
            stations=stations,
            seed=seed,
            shifts=tuple(self.settings.shifts),
            zone=self.settings.timezone,
            heartbeat_s=min(60.0, self.settings.state_timeout_s / 2),
            faults=realistic_faults(change),
        )

    def seed(self, plan: SeedPlan, progress: Progress | None = None) -> SeedResult:
        """Write `plan.hours` of history up to now; the model changes three quarters through."""
        now = self.clock()
        change = now - timedelta(hours=plan.hours / 4)
        factory = self.factory(plan.workers, plan.stations, plan.seed, change)
        cleared = self.clear() if plan.clear else 0
        return self._write(factory, now - timedelta(hours=plan.hours), now, progress, cleared)

    def catch_up(self, progress: Progress | None = None) -> SeedResult | None:
        """Write what the demo factory did while FloorPulse was stopped: the hours since the
        latest seeding (at most the last 24), with that seeding's floor and model change.
        Events already stored (the live ones) come back as duplicates. None if no demo ran."""
        with self.db.read() as conn:
            run = repository.latest_run(conn)
        if run is None:
            return None
        factory = self._factory_of(run)
        now = self.clock()
        start = max(from_epoch_us(run.end_us), now - timedelta(hours=CATCH_UP_HOURS))
        return self._write(factory, start, now, progress, cleared=0)

    def _write(
        self,
        factory: Factory,
        start: datetime,
        now: datetime,
        progress: Progress | None,
        cleared: int,
    ) -> SeedResult:
        totals = {"sent": 0, "accepted": 0, "duplicates": 0, "low_confidence": 0, "rejected": 0}
        start_us = to_epoch_us(start)
        for chunk in _chunks(_arrived_by(generate(factory, start, now), to_epoch_us(now)), BATCH):
            self._send(chunk, totals)
            if progress:
                progress((chunk[-1].deliver_us - start_us) / 1e6)
        self._record(factory, start, now, totals["sent"])
        return SeedResult(
            from_=start,
            to=now,
            seed=factory.seed,
            workers=factory.workers,
            workstations=factory.stations,
            cleared_events=cleared,
            **totals,
        )

    def clear(self) -> int:
        """Delete every event and all derived from them; answer how many events went."""
        with self.db.write() as conn:
            return repository.clear_all(conn)

    def live_factory(self) -> Factory | None:
        """The factory of the latest seeding, for the simulator to carry on; None if none."""
        with self.db.read() as conn:
            row = repository.latest_run(conn)
        return None if row is None else self._factory_of(row)

    def _factory_of(self, run: Row[Any]) -> Factory:
        """The factory a stored seeding ran: its floor, seed and model change."""
        change = from_epoch_us(run.model_change_us) if run.model_change_us is not None else None
        return self.factory(run.workers, run.stations, run.seed, change)

    def is_empty(self) -> bool:
        with self.db.read() as conn:
            return not repository.has_events(conn)

    def latest_run(self) -> DemoRunOut | None:
        """The last seeding, or None when no stored data was seeded."""
        with self.db.read() as conn:
            row = repository.latest_run(conn)
        if row is None:
            return None
        change = row.model_change_us
        return DemoRunOut(
            seeded_at=from_epoch_us(row.seeded_us),
            from_=from_epoch_us(row.start_us),
            to=from_epoch_us(row.end_us),
            seed=row.seed,
            workers=row.workers,
            workstations=row.stations,
            model_change_at=from_epoch_us(change) if change is not None else None,
        )

    def _send(self, chunk: list[Detection], totals: dict[str, int]) -> None:
        body = json.dumps([event.wire() for event in chunk]).encode()
        result = self.events.store_batches([self.events.prepare_batch(body)])[0]
        totals["sent"] += result.total
        for name in ("accepted", "duplicates", "low_confidence", "rejected"):
            totals[name] += getattr(result, name)

    def _record(self, factory: Factory, start: datetime, end: datetime, sent: int) -> None:
        site = self.settings.default_site
        seen_us = to_epoch_us(self.clock())
        people = {
            p.worker_id: {"name": p.name, "team": f"Crew {p.shift.name}"} for p in roster(factory)
        }
        places = {
            s.workstation_id: {"name": s.name, "station_type": s.name} for s in stations(factory)
        }
        run: dict[str, Any] = {
            "site_id": site,
            "seeded_us": seen_us,
            "start_us": to_epoch_us(start),
            "end_us": to_epoch_us(end),
            "seed": factory.seed,
            "workers": factory.workers,
            "stations": factory.stations,
            "model_change_us": _model_change_us(factory),
            "events_sent": sent,
        }
        with self.db.write() as conn:
            registry.name_if_unnamed(conn, registry.workers, "worker_id", site, people, seen_us)
            registry.name_if_unnamed(
                conn, registry.workstations, "workstation_id", site, places, seen_us
            )
            repository.record_run(conn, run)


def _arrived_by(events: Iterable[Detection], now_us: int) -> Iterator[Detection]:
    # Late batches still in transit at `now` are left to the live simulator to deliver.
    return (event for event in events if event.deliver_us <= now_us)


def _chunks(events: Iterable[Detection], size: int) -> Iterator[list[Detection]]:
    iterator = iter(events)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _model_change_us(factory: Factory) -> int | None:
    change = factory.faults.model_change_at
    return to_epoch_us(change) if change is not None else None
