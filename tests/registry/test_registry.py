"""Workers and workstations: registered on first sight, named by a supervisor."""

from fastapi.testclient import TestClient

from tests.factories import make_event


def test_naming_a_worker_seen_by_the_cameras(client: TestClient) -> None:
    client.post("/api/events", json=make_event(worker_id="W1"))

    response = client.put("/api/workers/W1", json={"name": "  Ana Costa "})

    assert response.status_code == 200
    assert response.json() | {"first_seen": None} == {
        "worker_id": "W1",
        "site_id": "main",
        "name": "Ana Costa",
        "named": True,
        "team": None,
        "first_seen": None,
    }
    assert client.get("/api/workers").json()[0]["name"] == "Ana Costa"


def test_a_worker_can_be_named_before_the_cameras_see_them(client: TestClient) -> None:
    created = client.put("/api/workers/W7?site=plant-2", json={"name": "Bo Li"})
    client.post("/api/events", json=make_event(worker_id="W7", site_id="plant-2"))

    assert created.status_code == 201
    assert [
        (w["worker_id"], w["name"]) for w in client.get("/api/workers?site=plant-2").json()
    ] == [("W7", "Bo Li")]


def test_a_name_can_be_removed(client: TestClient) -> None:
    client.put("/api/workers/W1", json={"name": "Ana"})

    assert client.put("/api/workers/W1", json={"name": None}).json()["named"] is False


def test_naming_a_workstation_and_its_type(client: TestClient) -> None:
    client.post("/api/events", json=make_event(workstation_id="S3"))

    body = client.put(
        "/api/workstations/S3", json={"name": "Assembly 3", "station_type": "assembly"}
    ).json()

    assert (body["name"], body["station_type"], body["named"]) == ("Assembly 3", "assembly", True)


def test_lists_are_ordered_and_filtered_by_site(client: TestClient) -> None:
    for worker, site in [("W2", "main"), ("W1", "main"), ("W1", "plant-2")]:
        client.post("/api/events", json=make_event(worker_id=worker, site_id=site))

    everyone = [(w["site_id"], w["worker_id"]) for w in client.get("/api/workers").json()]
    assert everyone == [("main", "W1"), ("main", "W2"), ("plant-2", "W1")]
    assert len(client.get("/api/workers", params={"site": "main"}).json()) == 2


def test_bad_names_and_ids_are_422(client: TestClient) -> None:
    assert client.put("/api/workers/W1", json={"name": ""}).status_code == 422
    assert client.put("/api/workers/W1", json={"name": "x" * 201}).status_code == 422
    assert client.put("/api/workers/W1", json={"nick": "x"}).status_code == 422
    bad_id = client.put("/api/workers/W%201", json={"name": "Ana"})
    assert bad_id.status_code == 422
    assert bad_id.json()["errors"][0]["field"] == "path.worker_id"
