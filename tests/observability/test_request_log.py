"""Every answer carries a request id, every log line the id of its request; no key and no
worker's name or id reaches the log."""

import json
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from floorpulse.access.keys import Scope
from floorpulse.access.schemas import KeyIn
from floorpulse.access.service import Access
from floorpulse.db.engine import Database
from tests.factories import make_event
from tests.server.live import StartServer


def test_an_answer_carries_a_new_request_id(client: TestClient) -> None:
    first = client.get("/health").headers["x-request-id"]
    second = client.get("/health").headers["x-request-id"]

    assert len(first) == 32
    assert first != second


def test_a_well_formed_id_given_by_the_client_is_kept(client: TestClient) -> None:
    answer = client.get("/api/workers", headers={"X-Request-ID": "edge-7:batch/42"})

    assert answer.headers["x-request-id"] == "edge-7:batch/42"


@pytest.mark.parametrize("given", [b"", b"a b", b"x" * 129, "id\u00e9".encode(), b'a"}{'])
def test_an_id_that_could_forge_a_log_line_is_replaced(client: TestClient, given: bytes) -> None:
    answer = client.get("/health", headers={b"X-Request-ID": given})

    assert answer.headers["x-request-id"].encode() != given
    assert len(answer.headers["x-request-id"]) == 32


def test_refusals_carry_an_id_too(client: TestClient) -> None:
    answer = client.post("/api/events", content=b"{not json")

    assert answer.status_code == 400
    assert len(answer.headers["x-request-id"]) == 32


def lines(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


@pytest.mark.server
def test_the_server_logs_json_lines_with_request_ids_and_no_secrets_or_names(
    start_server: StartServer, database_url: str, tmp_path: Path
) -> None:
    database = Database(database_url)
    key = Access(database, 12).create(KeyIn(name="Ana Costa", scope=Scope.ADMIN)).key
    database.dispose()
    server = start_server(None, FLOORPULSE_LOG_LEVEL="info")
    api = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"})

    api.post("/api/events", json=make_event(worker_id="W-4711"), headers={"X-Request-ID": "r-1"})
    api.put("/api/workers/W-4711", json={"name": "Jana Novak"}, headers={"X-Request-ID": "r-2"})
    api.get("/api/metrics/workers?worker_id=W-4711", headers={"X-Request-ID": "r-3"})
    api.get("/api/events", headers={"Authorization": "Bearer fpk_wrong", "X-Request-ID": "r-4"})
    server.stop()
    log = (tmp_path / f"server-{server.port}.log").read_text()
    logged = lines(tmp_path / f"server-{server.port}.log")

    by_id = {line["request_id"]: line for line in logged if line.get("request_id")}
    assert by_id["r-1"]["route"] == "/api/events"
    assert by_id["r-1"]["status"] == 201
    assert by_id["r-2"]["route"] == "/api/workers/{worker_id}"
    assert by_id["r-3"]["status"] == 200
    assert by_id["r-4"]["status"] == 401
    assert by_id["r-1"]["key_id"] == 1
    assert {"time", "level", "logger", "message"} <= set(by_id["r-1"])
    for secret in (key, "fpk_wrong", "Ana Costa", "Jana Novak", "W-4711"):
        assert secret not in log
