"""GET /api/events: newest first, filtered, paged by cursor."""

import pytest
from fastapi.testclient import TestClient

from tests.factories import make_event


@pytest.fixture
def stored(client: TestClient) -> None:
    batch = [
        make_event(timestamp=f"2026-01-15T10:{n:02d}:00Z", worker_id=f"W{n % 3}", event_type=t)
        for n in range(12)
        for t in ("working", "product_count")
    ]
    assert client.post("/api/events/batch", json=batch).json()["accepted"] == 24


@pytest.mark.usefixtures("stored")
def test_newest_first_with_the_default_page(client: TestClient) -> None:
    events = client.get("/api/events").json()

    stamps = [e["timestamp"] for e in events]
    assert len(events) == 24
    assert stamps == sorted(stamps, reverse=True)


@pytest.mark.usefixtures("stored")
def test_filters_combine(client: TestClient) -> None:
    query = {
        "worker_id": "W1",
        "event_type": "product_count",
        "from": "2026-01-15T10:04:00Z",
        "to": "2026-01-15T10:10:00+00:00",
    }
    events = client.get("/api/events", params=query).json()

    assert [e["timestamp"][11:16] for e in events] == ["10:07", "10:04"]
    assert {(e["worker_id"], e["event_type"]) for e in events} == {("W1", "product_count")}


@pytest.mark.usefixtures("stored")
def test_cursor_pages_cover_every_event_once(client: TestClient) -> None:
    seen: list[int] = []
    response = client.get("/api/events", params={"limit": 5})
    while True:
        seen += [e["id"] for e in response.json()]
        link = response.headers.get("link")
        if link is None:
            break
        response = client.get(link.split(">")[0].lstrip("<"))

    assert len(seen) == len(set(seen)) == 24


@pytest.mark.usefixtures("stored")
def test_the_last_page_has_no_next_link(client: TestClient) -> None:
    response = client.get("/api/events", params={"limit": 24})

    assert len(response.json()) == 24
    assert "link" not in response.headers


def test_site_filter(client: TestClient) -> None:
    client.post("/api/events", json=make_event(site_id="plant-2"))
    client.post("/api/events", json=make_event())

    assert [e["site_id"] for e in client.get("/api/events?site=plant-2").json()] == ["plant-2"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-01-15T11:00:00Z", "to": "2026-01-15T10:00:00Z"}, "query.from"),
        ({"from": "2026-01-15T10:00:00"}, "query.from"),
        ({"cursor": "not-a-cursor"}, "query.cursor"),
        ({"limit": 0}, "query.limit"),
        ({"limit": 1001}, "query.limit"),
        ({"event_type": "walking"}, "query.event_type"),
    ],
)
def test_bad_queries_are_422_naming_the_parameter(
    client: TestClient, query: dict[str, object], field: str
) -> None:
    response = client.get("/api/events", params=query)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]
