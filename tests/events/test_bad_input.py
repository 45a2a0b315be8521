"""Every bad input gets a problem document naming the field and the reason, and writes nothing."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from floorpulse.db.engine import Database
from tests.factories import make_event, stored_count

PROBLEM = "application/problem+json"


def _without(field: str) -> dict[str, Any]:
    event = make_event()
    del event[field]
    return event


BAD_EVENTS = [
    pytest.param(make_event(confidence="high"), "confidence", "valid number", id="wrong-type"),
    pytest.param(make_event(confidence=True), "confidence", "valid number", id="bool-confidence"),
    pytest.param(_without("worker_id"), "worker_id", "Field required", id="missing-worker"),
    pytest.param(_without("timestamp"), "timestamp", "Field required", id="missing-timestamp"),
    pytest.param(
        make_event(event_type="walking"), "event_type", "'working', 'idle'", id="unknown-type"
    ),
    pytest.param(make_event(confidence=1.01), "confidence", "less than or equal to 1", id="conf>1"),
    pytest.param(
        make_event(confidence=-0.1), "confidence", "greater than or equal to 0", id="conf<0"
    ),
    pytest.param(make_event(count=0), "count", "greater than or equal to 1", id="count<1"),
    pytest.param(make_event(count=2.5), "count", "valid integer", id="fractional-count"),
    pytest.param(
        make_event(count=10**7), "count", "less than or equal to 1000000", id="huge-count"
    ),
    pytest.param(
        make_event(timestamp="2026-01-15T10:15:00"), "timestamp", "has no UTC offset", id="naive"
    ),
    pytest.param(
        make_event(timestamp="yesterday"), "timestamp", "ISO 8601 date-time", id="not-a-date"
    ),
    pytest.param(make_event(timestamp=1768472100), "timestamp", "ISO 8601", id="unix-seconds"),
    pytest.param(
        make_event(timestamp="2026-01-15T12:05:01Z"), "timestamp", "301 s ahead", id="future"
    ),
    pytest.param(make_event(worker_id="W" * 65), "worker_id", "at most 64", id="long-id"),
    pytest.param(make_event(worker_id="W 1"), "worker_id", "pattern", id="space-in-id"),
    pytest.param(make_event(worker_id=""), "worker_id", "at least 1", id="empty-id"),
    pytest.param(make_event(worker_id=1.5), "worker_id", "valid string", id="float-id"),
    pytest.param(make_event(event_id="x" * 129), "event_id", "at most 128", id="long-event-id"),
    pytest.param(
        make_event(model_version="v" * 65), "model_version", "at most 64", id="long-model"
    ),
]


@pytest.mark.parametrize(("event", "field", "reason"), BAD_EVENTS)
def test_a_bad_event_is_a_422_naming_field_and_reason(
    client: TestClient, db: Database, event: dict[str, Any], field: str, reason: str
) -> None:
    response = client.post("/api/events", json=event)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 422
    assert [e["field"] for e in problem["errors"]] == [field]
    assert reason in problem["errors"][0]["message"]
    assert field in problem["detail"]
    assert stored_count(db) == 0


@pytest.mark.parametrize("body", [b"{bad", b"", b'{"a": NaN}', b"[1, 2"])
def test_malformed_json_is_a_400_saying_where(
    client: TestClient, db: Database, body: bytes
) -> None:
    response = client.post(
        "/api/events", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"].startswith("body is not valid JSON")
    assert stored_count(db) == 0


@pytest.mark.parametrize("body", [[make_event()], "W1", 7, None])
def test_a_single_event_must_be_an_object(client: TestClient, body: object) -> None:
    response = client.post("/api/events", content=json.dumps(body))

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "event", "message": "is not a JSON object"}]


def test_several_faults_are_all_named(client: TestClient) -> None:
    response = client.post("/api/events", json=make_event(confidence=2, count=0, event_type="x"))

    assert {e["field"] for e in response.json()["errors"]} == {"confidence", "count", "event_type"}


def test_unknown_fields_are_ignored(client: TestClient) -> None:
    response = client.post("/api/events", json=make_event(zone="north", id=99))

    assert response.status_code == 201
    assert "zone" not in response.json()
