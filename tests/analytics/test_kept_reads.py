"""Raw reads a dashboard view repeats are read once, and an event stored is never missed.

The clock stands still at 2026-01-15T12:00Z, so every read below asks for the same spans. The
recent hours (11:00 on) are kept running (analytics/recent.py): each event is read once.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from floorpulse.analytics import repository
from floorpulse.analytics import service as service_module
from floorpulse.analytics.schemas import MetricsQuery
from floorpulse.analytics.service import MetricsService
from floorpulse.clock import Clock
from floorpulse.db.engine import Database
from floorpulse.settings import Settings
from tests.analytics.test_metrics_api import at, post
from tests.spies import spy

TODAY = MetricsQuery()  # the open hour 12:00: no rollup holds it yet
EARLIER = MetricsQuery.model_validate(
    {"from": "2026-01-15T09:00:00Z", "to": "2026-01-15T09:30:00Z"}
)


@pytest.fixture
def metrics(db: Database, settings: Settings, clock: Clock) -> MetricsService:
    return MetricsService(db, settings, clock, keep_recent=True)  # as the dashboard's


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many events each raw read loaded."""
    loaded: list[int] = []

    def counted(result: Any, *_: Any) -> None:
        states, units = result
        loaded.append(len(states) + len(units))

    spy(monkeypatch, repository, "load_events", counted)
    return loaded


@pytest.fixture
def recent_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many events each read of the kept recent hours loaded."""
    loaded: list[int] = []
    for name in ("events_after", "site_events_since"):
        spy(monkeypatch, repository, name, lambda rows, *_: loaded.append(len(rows)))
    return loaded


def test_once_the_recent_hours_are_kept_each_new_event_is_read_once(
    client: TestClient, metrics: MetricsService, recent_reads: list[int], reads: list[int]
) -> None:
    post(client, at("11:55"), at("11:58", "product_count", count=2))
    assert metrics.factory(TODAY).total_production_count == 2
    first = sum(recent_reads)

    metrics.workers(TODAY)
    metrics.workstations(TODAY)
    metrics.factory(TODAY)
    assert sum(recent_reads) == first  # nothing stored since
    post(client, at("11:59", "product_count", count=3))

    assert metrics.factory(TODAY).total_production_count == 5
    assert sum(recent_reads) == first + 1
    assert reads == []  # nothing of the recent hours tallied from a raw read


def test_the_panels_of_a_view_read_an_earlier_hours_events_once(
    client: TestClient, metrics: MetricsService, reads: list[int]
) -> None:
    post(client, at("09:05"), at("09:10", "product_count", count=2))

    metrics.factory(EARLIER)
    first = len(reads)
    metrics.workers(EARLIER)
    metrics.workstations(EARLIER)
    metrics.factory(EARLIER)

    assert first > 0
    assert len(reads) == first  # the same spans, nothing stored since: kept


def test_an_event_stored_meanwhile_is_counted_at_the_next_read(
    client: TestClient, metrics: MetricsService
) -> None:
    post(client, at("11:58", "product_count", count=2))
    assert metrics.factory(TODAY).total_production_count == 2

    post(client, at("11:59", "product_count", count=3))

    assert metrics.factory(TODAY).total_production_count == 5
    assert metrics.factory(TODAY).active_workers == 0  # units say nothing of a state
    post(client, at("11:59"))
    assert metrics.factory(TODAY).active_workers == 1


def test_a_service_stopped_at_an_instant_shares_what_the_other_keeps(
    client: TestClient, metrics: MetricsService, reads: list[int], clock: Clock
) -> None:
    post(client, at("11:55"))
    metrics.factory(TODAY)
    before = len(reads)

    stopped = metrics.at(clock())

    assert stopped.factory(TODAY) == metrics.factory(TODAY)
    assert len(reads) == before


def test_a_view_read_at_an_instant_reads_the_registry_once(
    client: TestClient, metrics: MetricsService, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    post(client, at("11:55"), at("11:56", worker_id="W2"))
    listed: list[str] = []
    spy(monkeypatch, service_module.registry, "list_all", lambda _, *args: listed.append(args[2]))
    view = metrics.at(clock())
    view.factory(TODAY), view.workers(TODAY), view.workstations(TODAY), view.timeline(TODAY)

    assert sorted(listed) == ["worker_id", "workstation_id"]
    assert [w.worker_id for w in view.workers(TODAY)] == ["W1", "W2"]
    metrics.factory(TODAY)  # the API's service reads afresh: a worker registered meanwhile shows
    assert len(listed) == 4


def test_the_panels_of_a_view_share_its_tallies(
    client: TestClient, metrics: MetricsService, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    post(client, at("09:30"), at("11:55", "product_count", count=2))
    planned: list[object] = []
    spy(monkeypatch, repository, "stale_hours_in", lambda _, *args: planned.append(args[2]))
    view = metrics.at(clock())

    assert view.factory(TODAY) == metrics.factory(TODAY)
    assert view.workers(TODAY) == metrics.workers(TODAY)
    assert view.workstations(TODAY) == metrics.workstations(TODAY)
    assert len(planned) == 1 + 3  # the view's three panels planned once, the API's each time


def test_the_panels_of_a_view_bring_the_recent_hours_up_to_date_once(
    client: TestClient, metrics: MetricsService, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    post(client, at("11:55"), at("11:58", "product_count", count=2))
    caught_up: list[int] = []
    spy(monkeypatch, repository, "events_after", lambda rows, *_: caught_up.append(len(rows)))
    view = metrics.at(clock())

    view.factory(TODAY), view.workers(TODAY), view.workstations(TODAY), view.timeline(TODAY)
    assert len(caught_up) == 1
    metrics.factory(TODAY)  # an unstopped service brings them up to date at every read: its
    assert len(caught_up) == 1 + 2  # tallies, and the workers active now


def test_a_timeline_at_a_resolution_joins_the_kept_hours_to_the_earlier_ones_seamlessly(
    client: TestClient, metrics: MetricsService, db: Database, settings: Settings, clock: Clock
) -> None:
    def every_5_min(first: int, last: int, state: str, worker: str = "W1") -> list[Any]:
        return [
            at(f"{m // 60:02d}:{m % 60:02d}", state, worker_id=worker)
            for m in range(first, last, 5)
        ]

    post(
        client,
        *every_5_min(9 * 60, 10 * 60 + 30, "working"),
        *every_5_min(10 * 60 + 30, 11 * 60 + 15, "idle"),  # across 11:00, where the kept begin
        *every_5_min(11 * 60 + 15, 11 * 60 + 40, "working"),
        at("11:40", "absent"),
        *every_5_min(11 * 60 + 4, 12 * 60, "idle", worker="W2"),
    )
    since_nine = MetricsQuery.model_validate(
        {"from": "2026-01-15T09:00:00Z", "to": "2026-01-15T12:00:00Z"}
    )

    kept = metrics.state_bands(since_nine, 7).bands
    afresh = MetricsService(db, settings, clock).state_bands(since_nine, 7).bands

    assert kept == afresh
    assert [(b.worker_id, b.state) for b in kept] == [
        ("W1", "working"),
        ("W1", "idle"),
        ("W1", "working"),
        ("W1", "absent"),
        ("W2", "unobserved"),
        ("W2", "idle"),
    ]
