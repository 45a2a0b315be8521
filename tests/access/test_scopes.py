"""Once keys exist, each request needs one whose scope covers it; the scopes' boundaries."""

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from floorpulse.access.keys import Scope
from floorpulse.access.schemas import KeyIn
from floorpulse.access.service import Access
from tests.factories import Issue, bearer, make_event

# (method, path, body, the least scope that may)
REQUESTS: list[tuple[str, str, Any, Scope]] = [
    ("POST", "/api/events", make_event(), Scope.INGEST),
    ("POST", "/api/events/batch", [make_event(worker_id="W2")], Scope.INGEST),
    ("GET", "/api/events", None, Scope.READ),
    ("GET", "/api/metrics/factory", None, Scope.READ),
    ("GET", "/api/metrics/workers", None, Scope.READ),
    ("GET", "/api/models", None, Scope.READ),
    ("GET", "/api/alerts", None, Scope.READ),
    ("GET", "/api/workers", None, Scope.READ),
    ("GET", "/api/demo", None, Scope.READ),
    ("PUT", "/api/workers/W1", {"name": "Ana Costa"}, Scope.ADMIN),
    ("POST", "/api/alerts/evaluate", None, Scope.ADMIN),
    ("POST", "/api/admin/seed?hours=1", None, Scope.ADMIN),
    ("GET", "/api/keys", None, Scope.ADMIN),
    ("POST", "/api/keys", {"name": "camera-9", "scope": "ingest"}, Scope.ADMIN),
]
ALLOWED = {200, 201}


def send(client: TestClient, request: tuple[str, str, Any, Scope], key: str) -> Any:
    method, path, body, _ = request
    return client.request(method, path, json=body, headers=bearer(key))


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("held", list(Scope))
def test_a_key_may_do_what_its_scope_covers_and_nothing_else(
    client: TestClient, issue: Issue, request_: tuple[str, str, Any, Scope], held: Scope
) -> None:
    needed = request_[3]
    response = send(client, request_, issue(held, "tester"))

    if held in (needed, Scope.ADMIN):
        assert response.status_code in ALLOWED, response.text
    else:
        assert response.status_code == 403
        problem = response.json()
        assert problem["type"] == "urn:floorpulse:problem:forbidden"
        assert f"scope {needed.value}" in problem["detail"]
        assert f"'tester' holds a {held.value} key" in problem["detail"]


def test_an_ingest_key_cannot_read_what_it_sent(client: TestClient, issue: Issue) -> None:
    camera = bearer(issue(Scope.INGEST))

    assert client.post("/api/events", json=make_event(), headers=camera).status_code == 201
    assert client.get("/api/events", headers=camera).status_code == 403
    assert client.get("/api/events", headers=bearer(issue(Scope.READ))).json()[0]["worker_id"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic dXNlcjpwYXNz"}])
def test_a_request_without_a_key_is_refused_and_told_how_to_send_one(
    client: TestClient, issue: Issue, headers: dict[str, str]
) -> None:
    issue(Scope.READ)

    response = client.get("/api/metrics/factory", headers=headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.json()["detail"]


def test_a_mistyped_key_is_refused(client: TestClient, issue: Issue) -> None:
    key = issue(Scope.READ)

    response = client.get("/api/metrics/factory", headers=bearer(key[:-1]))

    assert response.status_code == 401
    assert "not valid" in response.json()["detail"]


def test_the_x_api_key_header_works_like_bearer(client: TestClient, issue: Issue) -> None:
    key = issue(Scope.INGEST)

    response = client.post("/api/events", json=make_event(), headers={"X-API-Key": key})

    assert response.status_code == 201


def test_a_revoked_key_is_refused_at_once_in_the_process_that_revoked_it(
    client: TestClient, issue: Issue
) -> None:
    admin, camera = bearer(issue(Scope.ADMIN)), issue(Scope.INGEST, "camera-3")
    key_id = next(
        k["id"] for k in client.get("/api/keys", headers=admin).json() if k["name"] == "camera-3"
    )

    revoked = client.delete(f"/api/keys/{key_id}", headers=admin)
    after = client.post("/api/events", json=make_event(), headers=bearer(camera))

    assert revoked.json()["revoked"] is not None
    assert after.status_code == 401


def test_keys_are_listed_by_their_first_characters_never_whole(
    client: TestClient, issue: Issue
) -> None:
    admin = issue(Scope.ADMIN)
    created = client.post(
        "/api/keys", json={"name": "camera-9", "scope": "ingest"}, headers=bearer(admin)
    ).json()

    listed = client.get("/api/keys", headers=bearer(admin)).text

    assert created["key"].startswith(created["prefix"])
    assert created["prefix"] in listed
    assert created["key"] not in listed
    assert admin not in listed


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "camera-9", "scope": "superuser"}, "scope"),
        ({"name": "", "scope": "read"}, "name"),
        ({"name": "x" * 65, "scope": "read"}, "name"),
        ({"name": "<script>", "scope": "read"}, "name"),
    ],
)
def test_a_bad_key_request_names_the_field(
    client: TestClient, issue: Issue, body: dict[str, str], field: str
) -> None:
    response = client.post("/api/keys", json=body, headers=bearer(issue(Scope.ADMIN)))

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [f"body.{field}"]


@pytest.mark.parametrize("path", ["/health", "/health/ready", "/openapi.json", "/docs", "/signin"])
def test_probes_docs_and_the_sign_in_page_need_no_key(
    client: TestClient, issue: Issue, path: str
) -> None:
    issue(Scope.ADMIN)

    assert client.get(path).status_code == 200


def test_the_openapi_document_describes_both_ways_of_sending_a_key(client: TestClient) -> None:
    schemes = client.get("/openapi.json").json()["components"]["securitySchemes"]

    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_two_different_keys_in_one_request_are_refused(client: TestClient, issue: Issue) -> None:
    reader, admin = issue(Scope.READ), issue(Scope.ADMIN)

    both = client.get("/api/workers", headers=bearer(reader) | {"X-API-Key": admin})
    same = client.get("/api/workers", headers=bearer(reader) | {"X-API-Key": reader})

    assert both.status_code == 401
    assert "two different keys" in both.json()["detail"]
    assert same.status_code == 200


def test_a_programs_key_replaced_revokes_its_earlier_keys_and_no_other(
    app: FastAPI, client: TestClient, issue: Issue
) -> None:
    access: Access = app.state.access
    other = issue(Scope.INGEST, "camera-3")
    first = access.replace(KeyIn(name="demo simulator", scope=Scope.INGEST)).key

    second = access.replace(KeyIn(name="demo simulator", scope=Scope.INGEST)).key

    active = [(k.name, k.prefix) for k in access.listed() if k.revoked is None]
    assert active == [("camera-3", other[:12]), ("demo simulator", second[:12])]
    assert access.holder(first) is None
    assert access.holder(second) is not None
