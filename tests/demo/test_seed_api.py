"""Seeding demo history from the API: through ingestion, marked as demo, clearable."""

from fastapi.testclient import TestClient

from floorpulse.db.engine import Database
from tests.conftest import NOW
from tests.factories import make_event, stored_count


def test_seeding_writes_a_day_of_history_up_to_now_through_ingestion(
    client: TestClient, db: Database
) -> None:
    response = client.post("/api/admin/seed?hours=24")

    result = response.json()
    assert response.status_code == 200
    assert result["to"] == "2026-01-15T12:00:00Z"
    assert result["from"] == "2026-01-14T12:00:00Z"
    assert result["accepted"] == stored_count(db) > 2000
    assert result["duplicates"] > 0  # the cameras' own repeats, dropped by dedup
    assert result["sent"] == result["accepted"] + result["duplicates"] + result["rejected"]
    assert result["rejected"] == 0
    newest = client.get("/api/events?limit=1").json()[0]
    assert newest["timestamp"] <= "2026-01-15T12:00:00Z"


def test_seeded_workers_and_stations_are_the_seeds_six_with_readable_names(
    client: TestClient,
) -> None:
    client.post("/api/admin/seed?hours=24")

    workers = client.get("/api/workers").json()
    stations = client.get("/api/workstations").json()

    assert [w["worker_id"] for w in workers] == ["W1", "W2", "W3", "W4", "W5", "W6"]
    assert [s["workstation_id"] for s in stations] == ["S1", "S2", "S3", "S4", "S5", "S6"]
    assert all(entry["named"] for entry in workers + stations)


def test_a_name_given_by_a_person_is_kept_by_seeding(client: TestClient) -> None:
    client.put("/api/workers/W1", json={"name": "Ana Costa"})

    client.post("/api/admin/seed?hours=2")

    assert client.get("/api/workers").json()[0]["name"] == "Ana Costa"


def test_seeded_history_gives_lifelike_figures(client: TestClient) -> None:
    client.post("/api/admin/seed?hours=24&workers=6")

    factory = client.get("/api/metrics/factory?from=2026-01-14T12:00:00Z&to=2026-01-15T12:00:00Z")

    figures = factory.json()
    assert 60 < figures["average_utilization_percentage"] < 95
    assert figures["total_production_count"] > 100
    assert figures["total_workers"] == 6


def test_the_same_seed_twice_adds_nothing(client: TestClient, db: Database) -> None:
    first = client.post("/api/admin/seed?hours=6&seed=4").json()

    again = client.post("/api/admin/seed?hours=6&seed=4").json()

    assert again["accepted"] == 0
    assert stored_count(db) == first["accepted"]


def test_clear_existing_replaces_everything_stored(client: TestClient, db: Database) -> None:
    client.post("/api/events", json=make_event(worker_id="W99"))

    result = client.post("/api/admin/seed?hours=2&clear_existing=true").json()

    assert result["cleared_events"] == 1
    assert stored_count(db) == result["accepted"]
    assert "W99" not in [w["worker_id"] for w in client.get("/api/workers").json()]


def test_demo_data_is_marked_as_such(client: TestClient) -> None:
    assert client.get("/api/demo").json() == {"demo": False, "live": False, "latest": None}

    client.post("/api/admin/seed?hours=3&seed=9")

    status = client.get("/api/demo").json()
    assert status["demo"] is True
    assert status["latest"]["seed"] == 9
    assert status["latest"]["seeded_at"] == NOW.isoformat().replace("+00:00", "Z")


def test_bad_seed_parameters_are_named(client: TestClient) -> None:
    response = client.post("/api/admin/seed?hours=0&workers=many")

    fields = {error["field"] for error in response.json()["errors"]}
    assert response.status_code == 422
    assert fields == {"query.hours", "query.workers"}
