"""GET /api/metrics/timeline: each worker's states over the window, gaps unobserved."""

from fastapi.testclient import TestClient

from tests.analytics.test_metrics_api import HOUR_10, at, post


def test_each_worker_gets_bands_covering_the_window(client: TestClient) -> None:
    post(
        client,
        at("10:00"),
        at("10:05", "idle"),
        at("10:10", "idle"),  # a heartbeat: one idle band
        at("10:30", "absent", worker_id="W2"),
        at("10:31", "working", confidence=0.2),  # below the threshold: not drawn
    )

    body = client.get("/api/metrics/timeline", params=HOUR_10).json()

    bands = body["bands"]
    spans = [(b["worker_id"], b["start"][11:16], b["end"][11:16], b["state"]) for b in bands]
    assert spans == [
        ("W1", "10:00", "10:05", "working"),
        ("W1", "10:05", "10:20", "idle"),
        ("W1", "10:20", "11:00", "unobserved"),
        ("W2", "10:00", "10:30", "unobserved"),
        ("W2", "10:30", "10:40", "absent"),
        ("W2", "10:40", "11:00", "unobserved"),
    ]
    assert (body["from"], body["to"]) == ("2026-01-15T10:00:00Z", "2026-01-15T11:00:00Z")


def test_a_window_longer_than_a_day_shows_its_last_day(client: TestClient) -> None:
    post(client, at("10:00"))

    body = client.get(
        "/api/metrics/timeline",
        params={"from": "2026-01-10T00:00:00Z", "to": "2026-01-15T11:00:00Z"},
    ).json()

    assert body["from"] == "2026-01-14T11:00:00Z"
    assert [b["state"] for b in body["bands"]] == ["unobserved", "working", "unobserved"]


def test_the_worker_filter_keeps_one_worker(client: TestClient) -> None:
    post(client, at("10:00"), at("10:00", worker_id="W2"))

    body = client.get("/api/metrics/timeline", params={**HOUR_10, "worker_id": "W2"}).json()

    assert {b["worker_id"] for b in body["bands"]} == {"W2"}
