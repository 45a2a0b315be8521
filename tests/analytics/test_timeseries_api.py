"""Time series and windows named by shift or date, with exact expected seconds.

The state timeout is the default 600 s. Unless a test says otherwise the site is on UTC, the
shifts are the defaults (A 06-14, B 14-22, C 22-06) and the clock stands at 2026-01-15T12:00Z.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from floorpulse.app import create_app
from floorpulse.settings import Settings
from tests.analytics.test_metrics_api import at, post
from tests.factories import LOCAL, FixedClock, make_event

TWO_HOURS = {"from": "2026-01-15T10:00:00Z", "to": "2026-01-15T12:00:00Z"}


def series(client: TestClient, **query: str) -> dict[str, Any]:
    response = client.get("/api/metrics/timeseries", params=query)
    assert response.status_code == 200, response.text
    return dict(response.json())


def figures(point: dict[str, Any]) -> tuple[Any, ...]:
    keys = ("working_seconds", "idle_seconds", "absent_seconds", "units", "utilization_percentage")
    return tuple(point[k] for k in keys)


def test_hour_buckets_give_state_seconds_units_and_utilization(client: TestClient) -> None:
    post(client, at("10:55"), at("10:58", "product_count", count=2), at("11:02", "idle"))

    body = series(client, bucket="hour", **TWO_HOURS)

    (factory,) = body["series"]
    assert (factory["key"], body["scope"], body["bucket"]) == ("main", "factory", "hour")
    assert [(p["start"], p["end"]) for p in factory["points"]] == [
        ("2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z"),
        ("2026-01-15T11:00:00Z", "2026-01-15T12:00:00Z"),
    ]
    # working 10:55-11:02, then idle until the timeout at 11:12
    assert figures(factory["points"][0]) == (300, 0, 0, 2, 100.0)
    assert figures(factory["points"][1]) == (120, 600, 0, 0, 16.67)


def test_one_series_per_registered_worker_or_station(client: TestClient) -> None:
    post(client, at("10:00", worker_id="W1", workstation_id="S1"))
    post(client, at("11:00", "idle", worker_id="W2", workstation_id="S2"))

    workers = series(client, bucket="hour", scope="worker", **TWO_HOURS)["series"]
    stations = series(client, bucket="hour", scope="workstation", **TWO_HOURS)["series"]
    only_w2 = series(client, bucket="hour", scope="worker", worker_id="W2", **TWO_HOURS)

    assert [(s["key"], [figures(p)[:2] for p in s["points"]]) for s in workers] == [
        ("W1", [(600, 0), (0, 0)]),
        ("W2", [(0, 0), (0, 600)]),
    ]
    assert [s["key"] for s in stations] == ["S1", "S2"]
    assert stations[0]["points"][1]["utilization_percentage"] is None  # nobody there
    assert [s["key"] for s in only_w2["series"]] == ["W2"]


def test_the_buckets_add_up_to_the_window(client: TestClient) -> None:
    post(
        client,
        *(at(f"{h:02d}:{m:02d}", kind) for h in (8, 9, 10) for m, kind in [(3, "working")]),
        at("09:47", "idle"),
        at("10:31", "absent"),
        at("10:40", "product_count", count=5),
    )
    window = {"from": "2026-01-15T08:20:00Z", "to": "2026-01-15T10:45:00Z"}

    points = series(client, bucket="hour", **window)["series"][0]["points"]
    total = client.get("/api/metrics/factory", params=window).json()

    assert sum(p["working_seconds"] for p in points) / 60 == total["total_productive_time_minutes"]
    assert sum(p["units"] for p in points) == total["total_production_count"] == 5
    assert (points[0]["start"], points[-1]["end"]) == (window["from"], window["to"])


def test_a_named_shift_on_a_date_is_its_window(client: TestClient) -> None:
    post(client, at("06:55"), make_event(timestamp="2026-01-14T13:58:00Z", workstation_id="S1"))

    body = client.get("/api/metrics/factory", params={"shift": "A", "date": "2026-01-14"}).json()

    assert (body["from"], body["to"], body["shift"]) == (
        "2026-01-14T06:00:00Z",
        "2026-01-14T14:00:00Z",
        "A",
    )
    assert body["total_productive_time_minutes"] == 2.0  # 13:58 to the shift's end


def test_the_current_shift_runs_from_its_start_to_now(client: TestClient) -> None:
    post(client, at("05:55"), at("06:00"), at("11:58"))

    body = client.get("/api/metrics/factory", params={"shift": "current"}).json()

    assert (body["from"], body["to"], body["shift"]) == (
        "2026-01-15T06:00:00Z",
        "2026-01-15T12:00:00Z",
        "A",
    )
    assert body["total_productive_time_minutes"] == 12.0  # 06:00-06:10 and 11:58-12:00


def test_a_date_alone_is_the_whole_local_day(client: TestClient) -> None:
    body = client.get("/api/metrics/factory", params={"date": "2026-01-14"}).json()

    assert (body["from"], body["to"]) == ("2026-01-14T00:00:00Z", "2026-01-15T00:00:00Z")


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("factory", {"shift": "Z"}, "query.shift"),
        ("factory", {"shift": "A", "from": "2026-01-15T10:00:00Z"}, "query.shift"),
        ("workers", {"shift": "current", "date": "2026-01-14"}, "query.date"),
        ("workers", {"date": "15/01/2026"}, "query.date"),
        ("timeseries", {"bucket": "minute"}, "query.bucket"),
        ("timeseries", {"scope": "team"}, "query.scope"),
        ("timeseries", {"from": "2025-11-01T00:00:00Z", "bucket": "hour"}, "query.bucket"),
    ],
    ids=[
        "unknown-shift",
        "shift-and-from",
        "current-on-a-date",
        "bad-date",
        "unknown-bucket",
        "unknown-scope",
        "too-many-points",
    ],
)
def test_a_bad_shift_or_bucket_is_a_422_naming_the_parameter(
    client: TestClient, path: str, query: dict[str, str], field: str
) -> None:
    response = client.get(f"/api/metrics/{path}", params=query)

    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]


def test_an_unknown_shift_lists_the_known_ones(client: TestClient) -> None:
    response = client.get("/api/metrics/factory", params={"shift": "Z"})

    known = "unknown shift 'Z'; known: A, B, C, current"
    assert response.json()["errors"][0]["message"] == known
    assert response.json()["detail"] == f"`shift`: {known}"


BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def berlin(settings: Settings) -> Iterator[TestClient]:
    """A site in Berlin a few days after the clocks went forward (2026-03-29 02:00 -> 03:00)."""
    local = settings.model_copy(update={"timezone": BERLIN})
    app = create_app(local, clock=FixedClock(datetime(2026, 4, 1, 12, tzinfo=UTC)))
    with TestClient(app, client=LOCAL) as client:
        yield client


def test_day_buckets_follow_the_clocks_across_a_change(berlin: TestClient) -> None:
    post(
        berlin,
        make_event(timestamp="2026-03-28T23:55:00+01:00", workstation_id="S1"),
        make_event(timestamp="2026-03-29T23:58:00+02:00", workstation_id="S1"),
    )
    window = {"from": "2026-03-28T00:00:00+01:00", "to": "2026-03-31T00:00:00+02:00"}

    body = series(berlin, bucket="day", **window)

    points = body["series"][0]["points"]
    assert body["timezone"] == "Europe/Berlin"
    assert [(p["start"], p["working_seconds"]) for p in points] == [
        ("2026-03-28T00:00:00+01:00", 300),
        ("2026-03-29T00:00:00+01:00", 300 + 120),  # a 23-hour day
        ("2026-03-30T00:00:00+02:00", 480),
    ]


def test_a_shift_across_a_clock_change_reports_its_real_length(berlin: TestClient) -> None:
    post(berlin, make_event(timestamp="2026-03-29T05:55:00+02:00", workstation_id="S1"))

    body = berlin.get("/api/metrics/factory", params={"shift": "C", "date": "2026-03-28"}).json()

    # 22:00 CET to 06:00 CEST: seven hours
    assert (body["from"], body["to"]) == ("2026-03-28T21:00:00Z", "2026-03-29T04:00:00Z")
    assert body["total_productive_time_minutes"] == 5.0
