"""POST /api/events/batch: each event is judged on its own; one bad one never sinks the rest."""

import pytest
from fastapi.testclient import TestClient

from floorpulse.db.engine import Database
from tests.factories import make_event, stored_count


def _minute(n: int) -> str:
    return f"2026-01-15T10:{n:02d}:00Z"


def test_a_bare_array_and_the_seed_object_form_are_both_accepted(client: TestClient) -> None:
    bare = client.post("/api/events/batch", json=[make_event(timestamp=_minute(1))])
    wrapped = client.post("/api/events/batch", json={"events": [make_event(timestamp=_minute(2))]})

    assert bare.status_code == wrapped.status_code == 200
    assert bare.json()["accepted"] == wrapped.json()["accepted"] == 1


def test_counts_add_up_and_each_rejection_names_its_index_and_reason(
    client: TestClient, db: Database
) -> None:
    client.post("/api/events", json=make_event(timestamp=_minute(0)))
    batch = [
        make_event(timestamp=_minute(0)),  # stored before
        make_event(timestamp=_minute(1)),
        make_event(timestamp=_minute(1)),  # twice in this batch
        make_event(timestamp=_minute(2), confidence=0.4),
        make_event(timestamp=_minute(3), confidence=7),
        make_event(timestamp="2026-01-15T10:04:00"),
        make_event(timestamp=_minute(5), event_type="product_count", count=4),
    ]

    result = client.post("/api/events/batch", json=batch).json()

    assert {
        k: result[k] for k in ("total", "accepted", "duplicates", "low_confidence", "rejected")
    } == {
        "total": 7,
        "accepted": 3,
        "duplicates": 2,
        "low_confidence": 1,
        "rejected": 2,
    }
    assert [(r["index"], r["reason"]) for r in result["rejected_events"]] == [
        (4, "confidence: Input should be less than or equal to 1"),
        (5, "timestamp: has no UTC offset; end it with Z or an offset such as +02:00"),
    ]
    assert result["rejected_events"][0]["errors"] == [
        {"field": "confidence", "message": "Input should be less than or equal to 1"}
    ]
    assert stored_count(db) == 4


def test_resending_a_whole_batch_stores_nothing_new(client: TestClient, db: Database) -> None:
    batch = [make_event(timestamp=_minute(n)) for n in range(10)]
    first = client.post("/api/events/batch", json=batch).json()
    again = client.post("/api/events/batch", json=batch).json()

    assert (first["accepted"], again["accepted"], again["duplicates"]) == (10, 0, 10)
    assert stored_count(db) == 10


def test_a_resent_low_confidence_event_is_a_duplicate_not_a_new_low_confidence_one(
    client: TestClient, db: Database
) -> None:
    doubtful = make_event(timestamp=_minute(1), confidence=0.3)
    first = client.post("/api/events/batch", json=[doubtful]).json()
    again = client.post("/api/events/batch", json=[make_event(timestamp=_minute(2)), doubtful])

    assert (first["accepted"], first["low_confidence"]) == (1, 1)
    counts = again.json()
    assert (counts["accepted"], counts["duplicates"], counts["low_confidence"]) == (1, 1, 0)
    assert stored_count(db) == 2


def test_of_repeats_within_a_batch_the_first_is_kept_whatever_its_confidence(
    client: TestClient,
) -> None:
    doubtful = make_event(timestamp=_minute(1), confidence=0.3)
    sure = make_event(timestamp=_minute(1), confidence=0.9)

    counts = client.post("/api/events/batch", json=[doubtful, sure]).json()

    assert (counts["accepted"], counts["duplicates"], counts["low_confidence"]) == (1, 1, 1)
    (stored,) = client.get("/api/events").json()
    assert stored["confidence"] == 0.3


def test_a_big_batch_half_stored_already_stores_the_other_half_once(
    client: TestClient, db: Database
) -> None:
    """A batch big enough for PostgreSQL's COPY path, with duplicates of stored events by id
    and by natural key, and low-confidence events among them."""
    by_id = [make_event(event_id=f"cam-{n}", timestamp=_minute(n % 60)) for n in range(150)]
    by_key = [make_event(worker_id=f"W{n}", timestamp=_minute(n % 60)) for n in range(150)]
    doubtful = [make_event(worker_id=f"D{n}", confidence=0.3) for n in range(120)]
    client.post("/api/events/batch", json=by_id[::2] + by_key[::2])

    counts = client.post("/api/events/batch", json=by_id + by_key + doubtful).json()

    assert (counts["accepted"], counts["duplicates"], counts["low_confidence"]) == (270, 150, 120)
    assert stored_count(db) == 420
    assert client.post("/api/events/batch", json=doubtful).json()["duplicates"] == 120


def test_a_batch_of_only_rejects_is_answered_not_refused(client: TestClient, db: Database) -> None:
    result = client.post("/api/events/batch", json=[{"worker_id": "W1"}, 5]).json()

    assert (result["accepted"], result["rejected"]) == (0, 2)
    assert result["rejected_events"][1]["errors"][0]["field"] == "event"
    assert stored_count(db) == 0


def test_an_empty_batch_is_fine(client: TestClient) -> None:
    assert client.post("/api/events/batch", json=[]).json()["total"] == 0


def test_10000_events_is_the_limit(client: TestClient, db: Database) -> None:
    ok = [
        make_event(timestamp=f"2026-01-15T0{n // 3600}:{n // 60 % 60:02d}:{n % 60:02d}Z")
        for n in range(10_000)
    ]
    assert client.post("/api/events/batch", json=ok).json()["accepted"] == 10_000

    over = client.post("/api/events/batch", json=[*ok, make_event()])
    assert over.status_code == 422
    assert over.json()["errors"] == [
        {"field": "events", "message": "10001 events in one batch; at most 10000"}
    ]
    assert stored_count(db) == 10_000


@pytest.mark.parametrize("body", [{"event": []}, {"events": "all"}, "events", 3])
def test_a_batch_must_be_an_array_or_an_events_object(client: TestClient, body: object) -> None:
    response = client.post("/api/events/batch", json=body)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "events"


def test_malformed_json_is_a_400(client: TestClient) -> None:
    response = client.post("/api/events/batch", content=b'[{"worker_id": "W1",')

    assert response.status_code == 400
    assert "line 1 column" in response.json()["detail"]
