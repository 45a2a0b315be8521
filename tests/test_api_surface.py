"""The API's outer surface: problem documents for unknown paths, OpenAPI docs."""

import threading
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import LOCAL


def test_an_unknown_api_path_is_a_json_404(client: TestClient) -> None:
    response = client.get("/api/nothing/here")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "no such resource: GET /api/nothing/here"


def test_with_the_dashboard_serving_the_api_still_answers_unknown_paths_with_json(
    app: FastAPI,
) -> None:
    # Start-up adds the dashboard's catch-all page route.
    with TestClient(app, client=LOCAL) as running:
        page = running.get("/workers/W1")
        missing = running.get("/api/nothing/here")

    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no such resource: GET /api/nothing/here"


def test_a_wrong_method_is_a_405_problem(client: TestClient) -> None:
    response = client.delete("/api/events")

    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"


def test_docs_are_served(client: TestClient) -> None:
    assert "swagger" in client.get("/docs").text.lower()


def test_the_openapi_schema_documents_the_hand_parsed_bodies(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]

    single = schema["paths"]["/api/events"]["post"]["requestBody"]["content"]["application/json"]
    assert single["schema"] == {"$ref": "#/components/schemas/EventIn"}
    assert {"EventIn", "EventBatchIn", "BatchResult"} <= components.keys()
    assert components["EventIn"]["required"] == [
        "timestamp",
        "worker_id",
        "workstation_id",
        "event_type",
        "confidence",
    ]


def test_a_new_servers_first_requests_at_once_all_get_one_api_document(app: FastAPI) -> None:
    """Every request reads the document (one value per parameter), so a process's first
    requests build it together, from many threads (they once failed with a KeyError)."""
    start = threading.Barrier(16)

    def read() -> int:
        start.wait()
        return id(app.openapi())

    with ThreadPoolExecutor(16) as pool:
        built = set(pool.map(lambda _: read(), range(16)))

    assert len(built) == 1
