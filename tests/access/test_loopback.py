"""The safe default: with no key, the server answers this machine only, and says so."""

import subprocess
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from floorpulse.access.keys import Scope
from tests.factories import Issue, bearer, floorpulse, make_event

NEIGHBOUR = ("10.0.0.5", 40000)


@pytest.fixture
def from_network(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, client=NEIGHBOUR) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/api/metrics/factory"), ("POST", "/api/events"), ("GET", "/")]
)
def test_with_no_key_another_machine_is_refused_and_told_why(
    from_network: TestClient, method: str, path: str
) -> None:
    response = from_network.request(method, path, json=make_event())

    assert response.status_code == 403
    assert "no API keys yet" in response.json()["detail"]
    assert "floorpulse keys create" in response.json()["detail"]


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_with_no_key_this_machine_may_do_everything_without_one(app: FastAPI, address: str) -> None:
    with TestClient(app, client=(address, 40000)) as local:
        sent = local.post("/api/events", json=make_event())
        seeded = local.post("/api/admin/seed?hours=1")
        read = local.get("/api/events?limit=1")

    assert (sent.status_code, seeded.status_code, read.status_code) == (201, 200, 200)


def test_the_liveness_probe_answers_anyone(from_network: TestClient) -> None:
    assert from_network.get("/health").status_code == 200


def test_once_a_key_exists_another_machine_gets_in_with_it(
    from_network: TestClient, issue: Issue
) -> None:
    key = issue(Scope.INGEST)

    without = from_network.post("/api/events", json=make_event())
    with_key = from_network.post("/api/events", json=make_event(), headers=bearer(key))

    assert (without.status_code, with_key.status_code) == (401, 201)


def serve(database_url: str, host: str) -> subprocess.CompletedProcess[str]:
    return floorpulse(database_url, "serve", "--host", host, FLOORPULSE_PORT="1")


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_serving_beyond_this_machine_without_a_key_refuses_to_start(
    database_url: str, host: str
) -> None:
    done = serve(database_url, host)

    assert done.returncode == 2
    assert f"refusing to listen on {host}: no API key exists" in done.stderr
    assert "floorpulse keys create" in done.stderr
