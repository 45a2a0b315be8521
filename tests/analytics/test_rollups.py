"""When hourly rollups are rebuilt, and that a rebuild never saves figures it did not see."""

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from floorpulse.analytics.rollups import REBUILD_BATCH, Rollups, keep_fresh
from floorpulse.db.engine import Database
from floorpulse.db.epoch import from_epoch_us
from floorpulse.db.tables import hourly_rollups, stale_hours
from floorpulse.events.service import EventService
from floorpulse.settings import Settings
from tests.factories import FixedClock, make_event


def store(service: EventService, *events: dict[str, Any]) -> None:
    service.store_batches([service.prepare_batch(json.dumps(list(events)).encode())])


def count(db: Database, table: Any) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.database_url)
    yield database
    database.dispose()


def test_an_hour_is_rebuilt_once_no_event_has_touched_it_for_the_settle_time(
    db: Database, settings: Settings, clock: FixedClock
) -> None:
    store(EventService(db, settings, clock), make_event(timestamp="2026-01-15T10:15:00Z"))
    rollups = Rollups(db, settings.model_copy(update={"rollup_settle_s": 10}), clock)

    assert rollups.rebuild_some() == 0  # marked just now: still settling
    clock.advance(11)
    assert rollups.rebuild_some() == 1

    assert count(db, stale_hours) == 0
    assert count(db, hourly_rollups) == 1


def test_a_rebuild_does_not_save_an_hour_changed_while_it_was_computed(
    db: Database, settings: Settings, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = EventService(db, settings, clock)
    store(events, make_event(timestamp="2026-01-15T10:15:00Z"))
    rollups = Rollups(db, settings, clock)
    tally_taken = rollups._tally_taken

    def meanwhile_a_late_event(*args: Any) -> Any:
        computed = list(tally_taken(*args))
        store(events, make_event(timestamp="2026-01-15T10:20:00Z", event_type="idle"))
        return iter(computed)

    monkeypatch.setattr(rollups, "_tally_taken", meanwhile_a_late_event)
    rollups.rebuild_some(settled=False)

    assert count(db, hourly_rollups) == 0  # the computed figures missed the late event
    assert count(db, stale_hours) == 1


def test_changing_the_timeout_rebuilds_every_hour_with_the_new_one(
    db: Database, settings: Settings, clock: FixedClock
) -> None:
    # 10:55 working, nothing after it: the state runs to the timeout, across 11:00
    store(EventService(db, settings, clock), make_event(timestamp="2026-01-15T10:55:00Z"))
    first = Rollups(db, settings, clock)
    assert first.check_basis()  # a new database: no basis yet
    first.rebuild_all()
    assert not first.check_basis()
    assert rolled_working_us(db) == {"10:00": 300_000_000, "11:00": 300_000_000}

    longer = Rollups(db, settings.model_copy(update={"state_timeout_s": 1800}), clock)
    assert longer.check_basis()
    assert count(db, stale_hours) == 2  # the event's hour, and the next one its state reaches
    longer.rebuild_all()

    assert rolled_working_us(db) == {"10:00": 300_000_000, "11:00": 1_500_000_000}


def rolled_working_us(db: Database) -> dict[str, int]:
    with db.read() as conn:
        rows = conn.execute(select(hourly_rollups.c.hour_us, hourly_rollups.c.working_us))
        return {from_epoch_us(hour).strftime("%H:%M"): working for hour, working in rows}


def test_a_backlog_is_rebuilt_at_half_pace_to_leave_ingestion_the_cpu(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Backlog:
        """Two full batches to rebuild, then a few hours: then the backlog is gone."""

        def __init__(self) -> None:
            self.taken = [REBUILD_BATCH, REBUILD_BATCH, 3]

        def check_basis(self) -> bool:
            return False

        def rebuild_some(self) -> int:
            time.sleep(0.05)  # the work of one batch
            return self.taken.pop(0)

    rests: list[float] = []

    async def rest(seconds: float) -> None:
        rests.append(seconds)
        if len(rests) == 3:
            raise asyncio.CancelledError

    monkeypatch.setattr("floorpulse.analytics.rollups.asyncio.sleep", rest)
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(keep_fresh(Backlog(), interval_s=30))  # type: ignore[arg-type]

    assert [0.05 <= r < 1 for r in rests[:2]] == [True, True]  # as long as each batch took
    assert rests[2] == 30  # caught up: the normal interval
