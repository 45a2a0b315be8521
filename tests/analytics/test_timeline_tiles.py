"""A timeline drawn again is kept from hourly pieces: only the hours whose events changed are
read again, and what it shows is always what a fresh reading shows.

The clock stands at 2026-01-15T12:00Z; the window is 08:00-12:00, four hours. The recent hours
(11:00 on) are kept running as events arrive (analytics/recent.py), not tiled: the tiles are
08:00 to 10:00.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from floorpulse.analytics import timeline as tiles_module
from floorpulse.analytics.schemas import MetricsQuery
from floorpulse.analytics.service import MetricsService
from floorpulse.clock import Clock
from floorpulse.db.engine import Database
from floorpulse.demo.repository import clear_all
from floorpulse.settings import Settings
from tests.analytics.test_metrics_api import at, post
from tests.spies import spy

WINDOW = MetricsQuery.model_validate({"from": "2026-01-15T08:00:00Z", "to": "2026-01-15T12:00:00Z"})


@pytest.fixture
def metrics(db: Database, settings: Settings, clock: Clock) -> MetricsService:
    return MetricsService(db, settings, clock, keep_recent=True)  # as the dashboard's


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The spans of raw events each drawing read, as (from, to) times of day."""
    spans: list[tuple[str, str]] = []

    def counted(_: Any, conn: Any, site: str, start_us: int, end_us: int, *rest: Any) -> None:
        spans.append((_hhmm(start_us), _hhmm(end_us)))

    spy(monkeypatch, tiles_module.repository, "load_events", counted)
    return spans


def shown(metrics: MetricsService, query: MetricsQuery = WINDOW) -> list[tuple[str, str, str, str]]:
    return [
        (b.worker_id, f"{b.start:%H:%M}", f"{b.end:%H:%M}", b.state)
        for b in metrics.timeline(query).bands
    ]


def fresh(
    db: Database, settings: Settings, clock: Clock, query: MetricsQuery = WINDOW
) -> list[tuple[str, str, str, str]]:
    return shown(MetricsService(db, settings, clock), query)


def test_the_first_drawing_reads_the_window_once(
    client: TestClient, metrics: MetricsService, reads: list[tuple[str, str]]
) -> None:
    post(client, at("08:30"), at("10:15", "idle"))

    assert shown(metrics) == [
        ("W1", "08:00", "08:30", "unobserved"),
        ("W1", "08:30", "08:40", "working"),
        ("W1", "08:40", "10:15", "unobserved"),
        ("W1", "10:15", "10:25", "idle"),
        ("W1", "10:25", "12:00", "unobserved"),  # tiled, then kept running: one band
    ]
    assert reads == [("07:50", "11:00")]  # a state timeout before the first hour


def test_drawn_again_unchanged_nothing_is_read_again(
    client: TestClient, metrics: MetricsService, reads: list[tuple[str, str]]
) -> None:
    post(client, at("08:30"), at("10:15", "idle"))
    first = shown(metrics)

    assert shown(metrics) == first
    assert reads == [("07:50", "11:00")]


def test_a_late_event_rebuilds_its_own_hours_and_shows(
    client: TestClient,
    metrics: MetricsService,
    reads: list[tuple[str, str]],
    db: Database,
    settings: Settings,
    clock: Clock,
) -> None:
    post(client, at("08:30"), at("10:15", "idle"))
    shown(metrics)

    post(client, at("09:55", "absent"))  # late: its hour and the next were drawn already
    again = shown(metrics)

    assert reads[1:] == [("08:50", "11:00")]  # 09:00 and 10:00, a timeout before
    assert ("W1", "09:55", "10:05", "absent") in again
    assert again == fresh(db, settings, clock)


def test_an_hour_redrawn_replaces_what_was_kept_of_it(
    client: TestClient, metrics: MetricsService
) -> None:
    post(client, at("09:10"))
    shown(metrics)

    for minute in ("09:20", "09:30", "09:40"):  # a camera's backlog, arriving late
        post(client, at(minute, "idle"))
        shown(metrics)
    for end in ("11:50", "11:55"):  # as the window ends where the clock stands
        shown(metrics, until(end))

    assert len(metrics.tiles) == 3  # 08:00 to 10:00, one version each: a wall screen's
    # memory does not grow with every late event and every second


def test_a_window_ending_later_in_the_hour_reads_nothing_again(
    client: TestClient,
    metrics: MetricsService,
    reads: list[tuple[str, str]],
    db: Database,
    settings: Settings,
    clock: Clock,
) -> None:
    post(client, at("11:10"), at("11:40", "idle"), at("11:52"))
    shown(metrics, until("11:45"))

    ends = ("11:46", "11:50", "11:55")  # as a live view's window ends where the clock is
    kept = {end: shown(metrics, until(end)) for end in ends}

    assert reads == [("07:50", "11:00")]  # the open hour is kept running, cut at each end
    assert kept == {end: fresh(db, settings, clock, until(end)) for end in ends}
    assert kept["11:50"][-1] == ("W1", "11:40", "11:50", "idle")
    assert kept["11:55"][-3:] == [
        ("W1", "11:40", "11:50", "idle"),
        ("W1", "11:50", "11:52", "unobserved"),
        ("W1", "11:52", "11:55", "working"),  # cut where the window ends
    ]


def test_new_events_of_another_worker_show_with_their_row(
    client: TestClient, metrics: MetricsService, db: Database, settings: Settings, clock: Clock
) -> None:
    post(client, at("08:30"))
    shown(metrics)

    post(client, at("11:00", worker_id="W2"))

    assert ("W2", "11:00", "11:10", "working") in shown(metrics)
    assert shown(metrics) == fresh(db, settings, clock)


def test_after_everything_is_cleared_the_new_events_show(
    client: TestClient, metrics: MetricsService, db: Database, settings: Settings, clock: Clock
) -> None:
    post(client, at("08:30"), at("09:30"))
    shown(metrics)

    with db.write() as conn:
        clear_all(conn)
    post(client, at("08:45", "idle"))

    assert ("W1", "08:45", "08:55", "idle") in shown(metrics)
    assert shown(metrics) == fresh(db, settings, clock)


def test_a_worker_filter_is_kept_apart_from_the_whole_floor(
    client: TestClient, metrics: MetricsService
) -> None:
    post(client, at("08:30"), at("08:30", worker_id="W2"))
    shown(metrics)

    one = MetricsQuery.model_validate({**WINDOW.model_dump(by_alias=True), "worker_id": "W2"})

    assert {worker for worker, *_ in shown(metrics, one)} == {"W2"}


def _hhmm(epoch_us: int) -> str:
    minutes = epoch_us // 60_000_000 % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def until(hhmm: str) -> MetricsQuery:
    return MetricsQuery.model_validate(
        {"from": "2026-01-15T08:00:00Z", "to": at(hhmm)["timestamp"]}
    )
