"""Bodies over FLOORPULSE_MAX_BODY_BYTES are refused with 413 before they are read."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from floorpulse.app import create_app
from floorpulse.db.engine import Database
from floorpulse.settings import Settings
from tests.factories import LOCAL, FixedClock, make_event, stored_count


@pytest.fixture
def small_client(settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"max_body_bytes": 2048}), clock=clock)
    with TestClient(app, client=LOCAL) as client:
        yield client


def test_a_body_declaring_too_many_bytes_is_a_413(small_client: TestClient) -> None:
    batch = [make_event(timestamp=f"2026-01-15T10:{n:02d}:00Z") for n in range(30)]
    response = small_client.post("/api/events/batch", json=batch)

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert "over the limit of 2048 (FLOORPULSE_MAX_BODY_BYTES)" in response.json()["detail"]
    db: Database = small_client.app.state.database  # type: ignore[attr-defined]
    assert stored_count(db) == 0


def test_a_streamed_body_without_length_is_counted_and_refused(small_client: TestClient) -> None:
    chunks = [b'[{"worker_id": "W1"}' + b" " * 1000 for _ in range(3)]
    response = small_client.post("/api/events/batch", content=iter(chunks))

    assert response.status_code == 413


def test_a_body_under_the_limit_passes(small_client: TestClient) -> None:
    assert small_client.post("/api/events", json=make_event()).status_code == 201
