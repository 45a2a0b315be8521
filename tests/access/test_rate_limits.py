"""Rate limits over HTTP: 429 with Retry-After, nothing stored; loopback is never limited by
address; a flood of bad keys is limited by address before any key is looked at."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from floorpulse.access.keys import Scope
from floorpulse.access.schemas import KeyIn
from floorpulse.app import create_app
from floorpulse.db.engine import Database
from floorpulse.settings import Settings
from tests.factories import LOCAL, FixedClock, bearer, make_event, stored_count

NEIGHBOUR = ("10.0.0.5", 40000)
# 1 event/s with a 20 s burst; 1 request/s with a 3 s burst; batches of at most 10.
TIGHT = {
    "limit_key_events_per_s": 1.0,
    "limit_address_events_per_s": 1.0,
    "limit_burst_s": 20.0,
    "limit_key_requests_per_s": 1.0,
    "limit_address_requests_per_s": 1.0,
    "limit_request_burst_s": 3.0,
    "max_batch_events": 10,
}


@pytest.fixture
def tight(settings: Settings, clock: FixedClock) -> FastAPI:
    return create_app(Settings.model_validate(settings.model_dump() | TIGHT), clock=clock)


def key(app: FastAPI, scope: Scope = Scope.INGEST) -> dict[str, str]:
    return bearer(app.state.access.create(KeyIn(name=f"{scope.value}-1", scope=scope)).key)


@pytest.fixture
def local(tight: FastAPI) -> Iterator[TestClient]:
    with TestClient(tight, client=LOCAL) as client:
        yield client


def batch(size: int, minute: int = 10) -> list[dict[str, object]]:
    return [make_event(timestamp=f"2026-01-15T{minute}:{i:02d}:00Z") for i in range(size)]


def test_events_over_the_keys_burst_are_refused_with_retry_after_and_not_stored(
    tight: FastAPI, local: TestClient
) -> None:
    camera = key(tight)
    db: Database = tight.state.database

    first = local.post("/api/events/batch", json=batch(10), headers=camera)
    second = local.post("/api/events/batch", json=batch(10, 11), headers=camera)
    third = local.post("/api/events/batch", json=batch(5, 12), headers=camera)

    assert (first.status_code, second.status_code) == (200, 200)
    assert third.status_code == 429
    assert third.json()["type"] == "urn:floorpulse:problem:too-many-requests"
    assert "too many events" in third.json()["detail"]
    assert 1 <= int(third.headers["retry-after"]) <= 5
    assert stored_count(db) == 20


def test_a_single_event_counts_as_one(tight: FastAPI, local: TestClient) -> None:
    camera = key(tight)
    local.post("/api/events/batch", json=batch(10), headers=camera)
    local.post("/api/events/batch", json=batch(10, 11), headers=camera)

    one = local.post("/api/events", json=make_event(worker_id="W9"), headers=camera)

    assert one.status_code == 429


def test_requests_over_the_keys_rate_are_refused_whatever_they_ask(
    tight: FastAPI, local: TestClient
) -> None:
    reader = key(tight, Scope.READ)

    answers = [local.get("/api/workers", headers=reader).status_code for _ in range(5)]

    assert answers == [200, 200, 200, 429, 429]


def test_a_flood_of_made_up_keys_is_limited_by_address_before_keys_are_looked_at(
    tight: FastAPI,
) -> None:
    key(tight)
    with TestClient(tight, client=NEIGHBOUR) as stranger:
        answers = [
            stranger.get("/api/workers", headers=bearer(f"fpk_guess{n}")).status_code
            for n in range(5)
        ]

    assert answers == [401, 401, 401, 429, 429]


def test_this_machine_is_never_limited_by_address(local: TestClient) -> None:
    answers = {local.get("/api/workers").status_code for _ in range(20)}

    assert answers == {200}


def test_limits_off_limit_nothing(settings: Settings, clock: FixedClock) -> None:
    off = Settings.model_validate(settings.model_dump() | TIGHT | {"rate_limits": False})
    app = create_app(off, clock=clock)
    with TestClient(app, client=LOCAL) as client:
        reader = key(app, Scope.READ)
        answers = {client.get("/api/workers", headers=reader).status_code for _ in range(10)}

    assert answers == {200}


def test_a_burst_smaller_than_a_full_batch_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="under one full batch"):
        Settings(limit_key_events_per_s=1, limit_burst_s=60, _env_file=None)  # type: ignore[call-arg]
