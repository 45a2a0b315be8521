"""Metrics over HTTP: hand-computed scenarios with exact expected seconds.

The state timeout is the default 600 s; the clock stands at 2026-01-15T12:00Z.
"""

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import make_event

Query = dict[str, str]


def post(client: TestClient, *events: dict[str, Any]) -> None:
    response = client.post("/api/events/batch", json=list(events))
    assert response.status_code == 200, response.text
    assert response.json()["rejected"] == 0


def at(hhmm: str, event_type: str = "working", **fields: Any) -> dict[str, Any]:
    fields.setdefault("workstation_id", "S1")
    return make_event(timestamp=f"2026-01-15T{hhmm}:00Z", event_type=event_type, **fields)


def worker(client: TestClient, worker_id: str = "W1", **query: str) -> dict[str, Any]:
    response = client.get("/api/metrics/workers", params={"worker_id": worker_id, **query})
    assert response.status_code == 200, response.text
    (row,) = response.json()
    return dict(row)


HOUR_10 = {"from": "2026-01-15T10:00:00Z", "to": "2026-01-15T11:00:00Z"}


def test_states_hold_until_the_next_event_and_heartbeats_continue_them(client: TestClient) -> None:
    post(
        client,
        at("10:00"),
        at("10:05", "idle"),
        at("10:10", "idle"),  # a heartbeat: still idle
        at("10:20"),
        at("10:21", "product_count", count=3),
    )

    row = worker(client, **HOUR_10)

    # working 10:00-10:05 and 10:20-10:30 (timeout), idle 10:05-10:20
    assert row["active_seconds"] == 15 * 60
    assert row["idle_seconds"] == 15 * 60
    assert row["total_active_time_minutes"] == 15.0
    assert row["utilization_percentage"] == 50.0
    assert row["total_units_produced"] == 3
    assert row["units_per_hour"] == 12.0  # 3 units in a quarter of an hour


def test_a_window_counts_only_what_lies_inside_it(client: TestClient) -> None:
    post(client, at("09:55"), at("10:05", "idle"), at("10:20"))

    row = worker(client, **{"from": "2026-01-15T10:02:00Z", "to": "2026-01-15T10:25:00Z"})

    # working 10:02-10:05 (begun before the window) and 10:20-10:25 (cut by its end);
    # idle 10:05-10:15, where the timeout ends it
    assert (row["active_seconds"], row["idle_seconds"]) == (8 * 60, 10 * 60)


def test_after_the_timeout_a_worker_is_unobserved(client: TestClient) -> None:
    post(client, at("10:00"), at("10:30", "idle"))

    row = worker(client, **HOUR_10)

    assert (row["active_seconds"], row["idle_seconds"], row["absent_seconds"]) == (600, 600, 0)


def test_low_confidence_events_do_not_count(client: TestClient) -> None:
    post(client, at("10:00"), at("10:05", "idle", confidence=0.5))

    row = worker(client, **HOUR_10)

    assert (row["active_seconds"], row["idle_seconds"]) == (600, 0)


def test_events_at_one_instant_resolve_the_same_whatever_the_order(client: TestClient) -> None:
    post(client, at("10:00", "idle", event_id="a"))
    post(client, at("10:00", "working", event_id="b"), at("10:00", "absent", event_id="c"))

    row = worker(client, **HOUR_10)

    assert (row["active_seconds"], row["idle_seconds"], row["absent_seconds"]) == (600, 0, 0)


def test_a_ratio_without_a_denominator_is_null(client: TestClient) -> None:
    post(client, at("10:00", "absent"), at("10:01", "product_count", count=2))

    row = worker(client, **HOUR_10)

    assert row["absent_seconds"] == 600
    assert row["utilization_percentage"] is None
    assert row["units_per_hour"] is None


def test_a_worker_moving_between_stations_is_counted_at_each(client: TestClient) -> None:
    post(client, at("10:00", workstation_id="S1"), at("10:04", "idle", workstation_id="S2"))
    post(
        client, at("10:06", workstation_id="S2"), at("10:07", "product_count", workstation_id="S2")
    )

    response = client.get("/api/metrics/workstations", params=HOUR_10)

    rows = {r["workstation_id"]: r for r in response.json()}
    assert rows["S1"]["occupancy_time_minutes"] == 4.0
    assert rows["S1"]["utilization_percentage"] == 100.0
    assert (rows["S2"]["working_seconds"], rows["S2"]["idle_seconds"]) == (600, 120)
    assert rows["S2"]["total_units_produced"] == 1
    assert rows["S2"]["throughput_rate"] == 5.0  # 1 unit in 12 occupied minutes


def test_every_registered_worker_is_listed_even_without_time(client: TestClient) -> None:
    post(client, at("10:00", worker_id="W1"), at("08:00", worker_id="W2"))

    rows = client.get("/api/metrics/workers", params=HOUR_10).json()

    assert [(r["worker_id"], r["active_seconds"]) for r in rows] == [("W1", 600), ("W2", 0)]
    assert rows[1]["utilization_percentage"] is None


def test_factory_totals_and_who_is_working_now(client: TestClient) -> None:
    post(
        client,
        at("10:00", worker_id="W1"),
        at("10:05", "idle", worker_id="W1"),
        at("10:01", "product_count", worker_id="W1", count=4),
        at("11:55", worker_id="W2", workstation_id="S2"),  # still working at 12:00
        at("11:58", "absent", worker_id="W3"),  # seen now, but absent
    )

    body = client.get("/api/metrics/factory", params={"from": "2026-01-15T10:00:00Z"}).json()

    assert body["total_productive_time_minutes"] == 10.0  # W1 5 min, W2 5 min up to now
    assert body["total_production_count"] == 4
    assert body["average_production_rate"] == 24.0  # 4 units / (10 / 60) h
    assert body["average_utilization_percentage"] == 50.0  # 10 min working, 10 idle (W1)
    assert (body["total_workers"], body["total_workstations"]) == (3, 2)
    assert body["active_workers"] == 1
    assert (body["from"], body["to"]) == ("2026-01-15T10:00:00Z", "2026-01-15T12:00:00Z")


def test_the_default_window_is_today_so_far(client: TestClient) -> None:
    post(client, at("00:00"), at("11:55"))

    body = client.get("/api/metrics/factory").json()

    assert (body["from"], body["to"]) == ("2026-01-15T00:00:00Z", "2026-01-15T12:00:00Z")
    assert body["total_productive_time_minutes"] == 15.0  # 10 after midnight, 5 before noon


def test_rollups_late_events_and_raw_edges_agree(app: FastAPI, client: TestClient) -> None:
    window = {"from": "2026-01-15T08:30:00Z", "to": "2026-01-15T11:45:00Z"}
    post(client, *(at(f"{h:02d}:{m:02d}") for h in (8, 9, 10, 11) for m in range(0, 60, 5)))
    app.state.rollups.rebuild_all()
    before = worker(client, **window)
    assert before["active_seconds"] == 3 * 3600 + 15 * 60

    post(client, at("09:32", "idle"), at("09:59", "idle"))  # late: the rollups are now stale
    stale = worker(client, **window)
    app.state.rollups.rebuild_all()
    rebuilt = worker(client, **window)

    # 09:32-09:35 and 09:59-10:00 turn idle
    assert stale["idle_seconds"] == rebuilt["idle_seconds"] == 4 * 60
    assert stale["active_seconds"] == rebuilt["active_seconds"] == 3 * 3600 + 11 * 60


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-01-15T11:00:00Z", "to": "2026-01-15T10:00:00Z"}, "query.from"),
        ({"from": "2024-01-01T00:00:00Z", "to": "2026-01-15T10:00:00Z"}, "query.from"),
        ({"from": "2026-01-15T10:00:00"}, "query.from"),
        ({"bucket": "hour"}, "query.bucket"),
    ],
    ids=["from-after-to", "too-long", "naive", "unknown-parameter"],
)
def test_a_bad_window_is_a_422_naming_the_parameter(
    client: TestClient, query: Query, field: str
) -> None:
    response = client.get("/api/metrics/factory", params=query)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]
