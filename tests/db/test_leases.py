"""Leases: each scheduled job runs in one process at a time, and passes on when it stops."""

import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from floorpulse.app import create_app
from floorpulse.db.engine import Database
from floorpulse.db.leases import Leases
from floorpulse.db.migrate import upgrade
from floorpulse.settings import Settings
from tests.factories import LOCAL, FixedClock, eventually

TTL_S = 30.0


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 1, 15, 12, tzinfo=UTC))


def two(db: Database, clock: FixedClock) -> tuple[Leases, Leases]:
    return Leases(db, clock, "host-a:1"), Leases(db, clock, "host-b:2")


def test_the_first_process_to_ask_runs_the_job_and_the_other_waits(
    db: Database, clock: FixedClock
) -> None:
    a, b = two(db, clock)

    assert a.hold("rollups", TTL_S)
    assert not b.hold("rollups", TTL_S)
    assert a.hold("rollups", TTL_S)  # its own lease, asked again


def test_each_job_has_its_own_lease(db: Database, clock: FixedClock) -> None:
    a, b = two(db, clock)

    assert a.hold("rollups", TTL_S)
    assert b.hold("alerts", TTL_S)
    assert not a.hold("alerts", TTL_S)


def test_a_holder_that_keeps_asking_keeps_its_lease(db: Database, clock: FixedClock) -> None:
    a, b = two(db, clock)
    a.hold("webhooks", TTL_S)

    for _ in range(10):  # five lease lengths, asked every half lease
        clock.advance(TTL_S / 2)
        assert a.hold("webhooks", TTL_S)
        assert not b.hold("webhooks", TTL_S)


def test_a_lease_not_renewed_passes_to_another_once_expired(
    db: Database, clock: FixedClock
) -> None:
    a, b = two(db, clock)
    a.hold("retention", TTL_S)  # and then the process dies

    clock.advance(TTL_S - 1)
    assert not b.hold("retention", TTL_S)
    clock.advance(1)
    assert b.hold("retention", TTL_S)
    assert not a.hold("retention", TTL_S)  # back from a stall, it finds the job taken


def test_a_process_stopping_gives_its_leases_up_at_once(db: Database, clock: FixedClock) -> None:
    a, b = two(db, clock)
    a.hold("rollups", TTL_S)
    a.hold("alerts", TTL_S)

    a.release()

    assert b.hold("rollups", TTL_S)
    assert b.hold("alerts", TTL_S)


def test_waiting_for_a_lease_held_elsewhere_writes_nothing(
    db: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = two(db, clock)
    a.hold("webhooks", TTL_S)
    writes: list[object] = []
    monkeypatch.setattr(db, "write", lambda: writes.append(1))

    assert not b.hold("webhooks", TTL_S)
    assert writes == []


def holders(db: Database) -> dict[str, str]:
    with db.read() as conn:
        rows = conn.execute(text("SELECT job, holder, expires_us FROM job_leases")).all()
    return {row.job: row.holder for row in rows if row.expires_us > 0}


def test_of_two_servers_on_one_database_one_runs_the_jobs_and_the_other_takes_over(
    settings: Settings,
) -> None:
    first, second = create_app(settings), create_app(settings)
    db: Database = first.state.database
    mine, theirs = first.state.leases.holder, second.state.leases.holder
    with ExitStack() as stack:
        stack.enter_context(TestClient(first, client=LOCAL))
        assert eventually(lambda: holders(db).get("webhooks") == mine)
        with TestClient(second, client=LOCAL):
            time.sleep(1.5)  # a webhook turn of the second server, at least
            assert set(holders(db).values()) == {mine}

            stack.close()  # the first stops and gives its leases up

            assert eventually(lambda: holders(db).get("webhooks") == theirs)
            assert "rollups" not in holders(db)  # free for the second's next (hourly) turn
