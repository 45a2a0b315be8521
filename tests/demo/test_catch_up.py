"""A demo restarted later: what the factory did meanwhile is written, as the same factory."""

from datetime import timedelta

from sqlalchemy import select

from floorpulse.db.engine import Database
from floorpulse.db.epoch import to_epoch_us
from floorpulse.db.tables import events
from floorpulse.demo.generator import NEW_MODEL
from floorpulse.demo.service import DemoService, SeedPlan
from floorpulse.events.service import EventService
from floorpulse.settings import Settings
from tests.factories import FixedClock, make_event, stored_count


def demo_service(db: Database, settings: Settings, clock: FixedClock) -> DemoService:
    return DemoService(db, settings, EventService(db, settings, clock), clock)


def stored_times_and_models(db: Database) -> list[tuple[int, str | None]]:
    with db.read() as conn:
        query = select(events.c.ts_us, events.c.model_version).order_by(events.c.ts_us)
        return [(ts, model) for ts, model in conn.execute(query)]


def test_a_restart_days_later_fills_the_last_day_up_to_now(
    db: Database, settings: Settings, clock: FixedClock
) -> None:
    demo = demo_service(db, settings, clock)
    demo.seed(SeedPlan(hours=6))
    clock.advance(timedelta(days=3).total_seconds())

    result = demo.catch_up()

    assert result is not None
    assert result.from_ == clock() - timedelta(hours=24)
    assert result.to == clock()
    assert result.accepted > 1000
    newest = stored_times_and_models(db)[-1][0]
    assert to_epoch_us(clock() - timedelta(hours=1)) < newest <= to_epoch_us(clock())


def test_catching_up_keeps_the_seeded_model_change(
    db: Database, settings: Settings, clock: FixedClock
) -> None:
    demo = demo_service(db, settings, clock)
    seeded = demo.seed(SeedPlan(hours=8))
    change_us = to_epoch_us(seeded.to - timedelta(hours=2))
    clock.advance(timedelta(hours=10).total_seconds())

    demo.catch_up()

    later = {model for ts, model in stored_times_and_models(db) if ts > change_us}
    assert later == {NEW_MODEL}  # the cameras never go back to the old model


def test_a_restart_soon_after_adds_only_the_missed_minutes(
    db: Database, settings: Settings, clock: FixedClock
) -> None:
    demo = demo_service(db, settings, clock)
    seeded = demo.seed(SeedPlan(hours=6))
    before = stored_count(db)
    clock.advance(timedelta(minutes=30).total_seconds())

    result = demo.catch_up()

    assert result is not None
    assert result.from_ == seeded.to
    assert 0 < result.accepted == stored_count(db) - before < 200


def test_a_database_of_real_events_gets_no_demo_history(
    db: Database, settings: Settings, clock: FixedClock
) -> None:
    ingest = EventService(db, settings, clock)
    ingest.store_one(ingest.prepare_one(make_event()))

    assert demo_service(db, settings, clock).catch_up() is None
    assert stored_count(db) == 1
