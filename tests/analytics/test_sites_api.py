"""GET /api/metrics/sites: every site's figures over one window, side by side."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from floorpulse.app import create_app
from floorpulse.settings import Settings, SiteClock
from tests.analytics.test_metrics_api import at, post
from tests.factories import LOCAL, FixedClock

WINDOW = {"from": "2026-01-15T10:00:00Z", "to": "2026-01-15T12:00:00Z"}


def test_each_site_gets_its_own_figures_over_the_same_window(client: TestClient) -> None:
    post(
        client,
        at("10:00", site_id="north"),
        at("10:10", "product_count", count=4, site_id="north"),
        at("10:30", "idle", site_id="north"),
        at("10:00", worker_id="W2", workstation_id="S2", site_id="south"),
        at("10:05", "product_count", count=1, worker_id="W2", site_id="south"),
    )

    answer = client.get("/api/metrics/sites", params=WINDOW).json()

    by_site = {row["site_id"]: row for row in answer["sites"]}
    assert list(by_site) == ["main", "north", "south"]  # the default site, with nothing yet
    assert [by_site[s]["total_production_count"] for s in by_site] == [0, 4, 1]
    # working 10:00-10:10 and idle 10:30-10:40: each state lasts the 600 s timeout at most
    assert by_site["north"]["total_productive_time_minutes"] == 10.0
    assert by_site["north"]["average_utilization_percentage"] == 50.0
    assert {(row["from"], row["to"]) for row in answer["sites"]} == {
        ("2026-01-15T10:00:00Z", "2026-01-15T12:00:00Z")
    }


def test_a_site_asked_for_is_the_only_one_answered(client: TestClient) -> None:
    post(client, at("10:00", site_id="north"), at("10:00", site_id="south"))

    answer = client.get("/api/metrics/sites", params={**WINDOW, "site": "south"}).json()

    assert [row["site_id"] for row in answer["sites"]] == ["south"]


@pytest.fixture
def tokyo(settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    """A server in UTC with one site in Tokyo on two twelve-hour shifts."""
    own = {"timezone": "Asia/Tokyo", "shifts": [
        {"name": "day", "start": "08:00", "end": "20:00"},
        {"name": "night", "start": "20:00", "end": "08:00"},
    ]}  # fmt: skip
    with TestClient(
        create_app(settings.model_copy(update={"sites": {"tokyo": SiteClock(**own)}}), clock=clock),
        client=LOCAL,
    ) as client:
        yield client


def test_a_site_with_its_own_time_zone_has_its_own_today(tokyo: TestClient) -> None:
    # 12:00 UTC is 21:00 in Tokyo: its day began at 15:00 UTC the day before
    answer = tokyo.get("/api/metrics/sites").json()

    windows = {row["site_id"]: (row["from"], row["to"]) for row in answer["sites"]}
    assert windows["main"] == ("2026-01-15T00:00:00Z", "2026-01-15T12:00:00Z")
    assert windows["tokyo"] == ("2026-01-14T15:00:00Z", "2026-01-15T12:00:00Z")


def test_a_site_with_its_own_shifts_is_asked_by_their_names(tokyo: TestClient) -> None:
    day = tokyo.get(
        "/api/metrics/factory", params={"site": "tokyo", "shift": "day", "date": "2026-01-15"}
    )
    other = tokyo.get("/api/metrics/factory", params={"site": "tokyo", "shift": "A"})
    main = tokyo.get("/api/metrics/factory", params={"shift": "A", "date": "2026-01-15"})

    assert (day.json()["from"], day.json()["to"]) == (
        "2026-01-14T23:00:00Z",
        "2026-01-15T11:00:00Z",
    )
    assert other.status_code == 422
    assert "known: day, night, current" in other.json()["detail"]
    assert main.json()["from"] == "2026-01-15T06:00:00Z"


def test_a_sites_hours_are_its_own(tokyo: TestClient) -> None:
    params = {
        "site": "tokyo",
        "bucket": "day",
        "from": "2026-01-14T15:00:00Z",
        "to": "2026-01-15T12:00:00Z",
    }

    answer = tokyo.get("/api/metrics/timeseries", params=params).json()

    assert answer["timezone"] == "Asia/Tokyo"
    assert answer["series"][0]["points"][0]["start"] == "2026-01-15T00:00:00+09:00"
