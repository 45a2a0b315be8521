"""The recent hours kept in memory hold what the store holds, whatever order rows commit in.

The clock stands still at 2026-01-15T12:00Z: the kept hours are 11:00 and 12:00.
"""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, insert

from floorpulse.analytics import recent as recent_module
from floorpulse.analytics import repository
from floorpulse.analytics.recent import Gap, Recent, still_missing
from floorpulse.db.engine import Database
from floorpulse.db.epoch import to_epoch_us
from floorpulse.db.tables import events
from floorpulse.demo import repository as demo
from floorpulse.metrics.intervals import Window
from floorpulse.settings import Settings
from tests.analytics.test_metrics_api import at, post
from tests.conftest import NOW
from tests.factories import FixedClock
from tests.spies import spy

SITE = "main"  # the default site
HOUR = 3600 * 1_000_000
NOON = to_epoch_us(NOW)
KEPT = Window(NOON - HOUR, NOON + HOUR)


@pytest.fixture
def recent(db: Database, settings: Settings, clock: FixedClock) -> Recent:
    return Recent(db, settings.state_timeout_us, settings.confidence_threshold, clock)


def units(recent: Recent, window: Window = KEPT) -> int | None:
    recent.refresh()
    found = recent.tally(SITE, window, None)
    return None if found is None else sum(t.units for t in found.values())


SEEDING = {
    "site_id": SITE,
    "seeded_us": NOON,
    "start_us": NOON - HOUR,
    "end_us": NOON,
    "seed": 1,
    "workers": 1,
    "stations": 1,
    "events_sent": 1,
}


def row(minute: int, count: int) -> dict[str, object]:
    """An events row of units at 11:`minute`, as a writer other than the API would insert it."""
    ts_us = NOON - HOUR + minute * 60_000_000
    return {
        "site_id": SITE,
        "event_id": f"late-{minute}",
        "ts_us": ts_us,
        "worker_id": "W1",
        "workstation_id": "S1",
        "event_type": "product_count",
        "confidence": 0.9,
        "count": count,
        "low_confidence": False,
        "received_us": ts_us,
    }


def test_the_parts_of_gaps_no_id_fills_are_still_missing() -> None:
    gaps = [Gap(3, 5, 1.0), Gap(8, 12, 2.0)]
    assert still_missing(gaps, [4, 9, 10, 12, 20]) == [
        Gap(3, 3, 1.0),
        Gap(5, 5, 1.0),
        Gap(8, 8, 2.0),
        Gap(11, 11, 2.0),
    ]
    assert still_missing(gaps, []) == gaps
    assert still_missing(gaps, [3, 4, 5, 8, 9, 10, 11, 12]) == []


def test_units_stored_after_a_refresh_count_at_the_next(client: TestClient, recent: Recent) -> None:
    post(client, at("11:10", "product_count", count=2))
    assert units(recent) == 2
    post(client, at("11:20", "product_count", count=3), at("11:50"))
    assert units(recent) == 5


def test_a_window_before_the_kept_hours_is_left_to_the_store(
    client: TestClient, recent: Recent, clock: FixedClock
) -> None:
    post(client, at("11:10", "product_count", count=2))
    assert units(recent, Window(NOON - 2 * HOUR, NOON)) is None
    clock.advance(3600)  # 13:00: the kept hours are 12:00 and 13:00
    assert units(recent) is None
    assert units(recent, Window(NOON, NOON + HOUR)) == 0


def test_rows_deleted_are_forgotten_at_the_next_check(
    client: TestClient, recent: Recent, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recent_module, "CHECK_S", 0.0)
    post(client, at("11:10", "product_count", count=2))
    assert units(recent) == 2
    with db.write() as conn:
        conn.execute(delete(events))
    post(client, at("11:30", "product_count", count=7))  # on SQLite, it may reuse an old id

    assert units(recent) == 7


def test_sample_data_seeded_replaces_what_was_kept_at_once(
    client: TestClient, recent: Recent, db: Database
) -> None:
    post(client, at("11:10", "product_count", count=2))
    assert units(recent) == 2
    with db.write() as conn:  # as the demo seeds afresh: every event replaced, in one go
        demo.clear_all(conn)
        conn.execute(insert(events).values(row(30, 7)))
        demo.record_run(conn, SEEDING)

    assert units(recent) == 7


@pytest.fixture
def second_writer(db: Database) -> Iterator[Database]:
    """A writer of its own, to hold a transaction open while the API's commit."""
    other = Database(db.url.render_as_string(hide_password=False))
    yield other
    other.dispose()


@pytest.mark.postgresql
def test_a_row_committed_after_a_later_id_is_counted(
    client: TestClient, recent: Recent, second_writer: Database
) -> None:
    assert units(recent) == 0
    with second_writer.write() as conn:
        conn.execute(insert(events).values(row(5, 4)))  # draws its id first ...
        post(client, at("11:10", "product_count", count=2))  # ... commits after this one
        assert units(recent) == 2

    assert units(recent) == 6


@pytest.mark.postgresql
def test_ids_never_committed_are_given_up_after_a_while(
    client: TestClient,
    recent: Recent,
    second_writer: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert units(recent) == 0
    with second_writer.engine.connect() as conn:
        conn.execute(insert(events).values(row(5, 4)))
        conn.rollback()
    post(client, at("11:10", "product_count", count=2))
    asked: list[object] = []
    spy(monkeypatch, repository, "events_after", lambda _, *args: asked.append(args[2]))

    assert units(recent) == 2
    assert units(recent) == 2
    assert len(asked[-1]) == 1  # the rolled-back id is asked for again ...
    monkeypatch.setattr(recent_module, "GAP_S", 0.0)
    assert units(recent) == 2
    assert units(recent) == 2
    assert asked[-1] == []  # ... until it has been missing GAP_S
