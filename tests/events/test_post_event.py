"""POST /api/events: one event in, the stored event out; sending it again changes nothing."""

from fastapi.testclient import TestClient

from floorpulse.db.engine import Database
from tests.conftest import NOW
from tests.factories import FixedClock, make_event, stored_count


def test_a_new_event_is_stored_and_returned_with_its_server_id_and_receive_time(
    client: TestClient,
) -> None:
    response = client.post("/api/events", json=make_event(model_version="v2", camera_id="CAM-3"))

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "timestamp": "2026-01-15T10:15:00Z",
        "worker_id": "W1",
        "workstation_id": "S3",
        "event_type": "working",
        "confidence": 0.93,
        "count": 1,
        "model_version": "v2",
        "camera_id": "CAM-3",
        "site_id": "main",
        "event_id": None,
        "low_confidence": False,
        "backfilled": True,  # happened at 10:15, received at 12:00
        "received_at": "2026-01-15T12:00:00Z",
        "created_at": "2026-01-15T12:00:00Z",
    }
    assert isinstance(body["id"], int)


def test_a_duplicate_answers_200_with_the_event_stored_first(
    client: TestClient, clock: FixedClock, db: Database
) -> None:
    first = client.post("/api/events", json=make_event())
    clock.advance(60)
    again = client.post("/api/events", json=make_event())

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert stored_count(db) == 1


def test_the_same_instant_in_any_offset_is_the_same_event(client: TestClient, db: Database) -> None:
    instants = ["2026-01-15T10:15:00Z", "2026-01-15T10:15:00+00:00", "2026-01-15T12:15:00+02:00"]
    statuses = [
        client.post("/api/events", json=make_event(timestamp=t)).status_code for t in instants
    ]

    assert statuses == [201, 200, 200]
    assert stored_count(db) == 1


def test_an_event_id_identifies_the_event_whatever_else_it_says(
    client: TestClient, db: Database
) -> None:
    first = client.post("/api/events", json=make_event(event_id="cam3-000017"))
    resent = client.post("/api/events", json=make_event(event_id="cam3-000017", confidence=0.5))

    assert resent.status_code == 200
    assert resent.json()["confidence"] == 0.93 == first.json()["confidence"]
    assert stored_count(db) == 1


def test_an_event_id_at_another_instant_is_another_event(client: TestClient, db: Database) -> None:
    """An id names one event at one instant (a retry repeats both): a camera whose counter
    starts again after a restart loses nothing."""
    first = client.post("/api/events", json=make_event(event_id="cam3-000001"))
    again = client.post(
        "/api/events", json=make_event(event_id="cam3-000001", timestamp="2026-01-15T11:40:00Z")
    )
    batch = client.post(
        "/api/events/batch",
        json=[
            make_event(event_id="cam3-000002", timestamp=f"2026-01-15T11:4{n}:00Z")
            for n in (1, 2, 1)
        ],
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert (batch.json()["accepted"], batch.json()["duplicates"]) == (2, 1)
    assert stored_count(db) == 4


def test_events_that_differ_in_any_key_field_are_distinct(client: TestClient, db: Database) -> None:
    variants = [
        make_event(),
        make_event(timestamp="2026-01-15T10:15:00.000001Z"),
        make_event(worker_id="W2"),
        make_event(workstation_id="S4"),
        make_event(event_type="idle"),
        make_event(site_id="plant-2"),
        make_event(event_id="e-1"),
        make_event(event_id="e-2"),
    ]
    statuses = {client.post("/api/events", json=v).status_code for v in variants}

    assert statuses == {201}
    assert stored_count(db) == len(variants)


def test_integer_ids_from_seed_clients_become_strings(client: TestClient) -> None:
    body = client.post("/api/events", json=make_event(worker_id=1, workstation_id=1)).json()

    assert (body["worker_id"], body["workstation_id"]) == ("1", "1")


def test_count_defaults_to_one(client: TestClient) -> None:
    event = make_event(event_type="product_count")
    del event["count"]

    assert client.post("/api/events", json=event).json()["count"] == 1


def test_a_low_confidence_event_is_stored_and_flagged(client: TestClient, db: Database) -> None:
    below = client.post("/api/events", json=make_event(confidence=0.69))
    at = client.post("/api/events", json=make_event(confidence=0.7, worker_id="W2"))

    assert (below.status_code, below.json()["low_confidence"]) == (201, True)
    assert (at.status_code, at.json()["low_confidence"]) == (201, False)
    assert stored_count(db) == 2


def test_an_event_at_the_allowed_clock_skew_is_accepted(client: TestClient) -> None:
    ahead = NOW.replace(minute=5).isoformat()  # 300 s ahead: the default limit

    assert client.post("/api/events", json=make_event(timestamp=ahead)).status_code == 201


def test_a_late_event_is_accepted_with_both_times_kept(client: TestClient) -> None:
    body = client.post("/api/events", json=make_event(timestamp="2025-06-01T08:00:00Z")).json()

    assert (body["timestamp"], body["received_at"]) == (
        "2025-06-01T08:00:00Z",
        "2026-01-15T12:00:00Z",
    )


def test_unknown_workers_and_workstations_are_registered_unnamed(client: TestClient) -> None:
    client.post("/api/events", json=make_event(worker_id="W9", workstation_id="S7"))

    workers = client.get("/api/workers").json()
    stations = client.get("/api/workstations").json()
    assert [(w["worker_id"], w["site_id"], w["named"]) for w in workers] == [("W9", "main", False)]
    assert [(s["workstation_id"], s["named"]) for s in stations] == [("S7", False)]


def test_an_event_received_long_after_it_happened_is_marked_backfilled(
    client: TestClient,
) -> None:
    on_time = make_event(timestamp="2026-01-15T11:58:30Z")  # 90 s before it is received
    late = make_event(timestamp="2026-01-15T11:57:59Z")  # 121 s: past FLOORPULSE_BACKFILL_AFTER_S

    assert client.post("/api/events", json=on_time).json()["backfilled"] is False
    assert client.post("/api/events", json=late).json()["backfilled"] is True
    assert [e["backfilled"] for e in client.get("/api/events").json()] == [False, True]
