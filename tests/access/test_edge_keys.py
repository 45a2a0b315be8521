"""Edge agents and the demo's simulated cameras send with an ingest key; without it they keep
every event queued until they have one."""

import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from floorpulse.access.keys import Scope
from floorpulse.access.schemas import KeyIn
from floorpulse.access.service import Access
from floorpulse.db.engine import Database
from floorpulse.db.migrate import upgrade
from floorpulse.privacy.lens import View
from tests.edge.agentproc import Agent, drained, key, stored
from tests.factories import ROUND_THE_CLOCK, iso, make_event
from tests.server.live import StartServer

pytestmark = pytest.mark.server
SENT = 40


def make_key(database_url: str, scope: Scope, name: str, view: View = View.NAMED) -> str:
    database = Database(database_url)
    upgrade(database)
    try:
        return Access(database, 12).create(KeyIn(name=name, scope=scope, view=view)).key
    finally:
        database.dispose()


@pytest.fixture
def agents() -> Iterator[list[Agent]]:
    started: list[Agent] = []
    yield started
    for agent in started:
        agent.stop()


def test_an_agent_without_a_key_keeps_every_event_until_it_is_given_one(
    tmp_path: Path, database_url: str, start_server: StartServer, agents: list[Agent]
) -> None:
    reader = {"Authorization": f"Bearer {make_key(database_url, Scope.READ, 'office')}"}
    camera = make_key(database_url, Scope.INGEST, "camera-3")
    source = tmp_path / "camera.jsonl"
    lines = [json.dumps(make_event(timestamp=f"2026-01-15T10:{i:02d}:00Z")) for i in range(SENT)]
    source.write_text("\n".join(lines) + "\n")
    server = start_server()

    agents.append(keyless := Agent(tmp_path, source, server.port))
    refused = keyless.wait_for(lambda s: s.counters["send_errors"] >= 2, "refused sends")
    keyless.stop()
    agents.append(Agent(tmp_path, source, server.port, env={"FLOORPULSE_EDGE_API_KEY": camera}))
    done = agents[-1].wait_for(drained(SENT), "queue drained with the key")
    held = httpx.get(f"{server.url}/api/events?limit=1000", headers=reader, timeout=30).json()

    assert "HTTP 401" in str(refused.last_error)
    assert refused.depth == SENT
    assert refused.dead_letters == 0
    assert done.counters["forwarded"] == SENT
    assert len(held) == SENT


def test_the_demo_simulator_sends_with_its_own_ingest_key_once_keys_exist(
    tmp_path: Path, database_url: str, start_server: StartServer
) -> None:
    admin = {"Authorization": f"Bearer {make_key(database_url, Scope.ADMIN, 'ana')}"}
    server = start_server(
        None,
        "--demo",
        FLOORPULSE_DEMO_QUEUE_PATH=str(tmp_path / "demo-queue.db"),
        FLOORPULSE_SHIFTS=ROUND_THE_CLOCK,
    )
    started = iso(datetime.now(UTC))
    api = httpx.Client(base_url=server.url, timeout=30, headers=admin)

    keys = api.get("/api/keys").json()
    deadline = time.monotonic() + 60
    live: list[dict[str, object]] = []
    while not live and time.monotonic() < deadline:
        time.sleep(1)
        newest = api.get("/api/events", params={"limit": 20}).json()
        live = [e for e in newest if str(e["received_at"]) > started]

    assert [(k["name"], k["scope"]) for k in keys if k["revoked"] is None] == [
        ("ana", "admin"),
        ("demo simulator", "ingest"),
    ]
    assert live, "no simulated event arrived within 60 s"


def test_an_agent_flushing_an_outages_backlog_is_not_refused_and_waits_when_it_is(
    tmp_path: Path, database_url: str, start_server: StartServer, agents: list[Agent]
) -> None:
    """A camera at 2 events/s, its agent cut off for the burst's 10 minutes: the 1,200 events
    go at once; 30 more right after are over the limit, refused with Retry-After, and sent
    when it says."""
    reader = {"Authorization": f"Bearer {make_key(database_url, Scope.READ, 'office')}"}
    camera = make_key(database_url, Scope.INGEST, "camera-3")
    limits = {
        "FLOORPULSE_LIMIT_KEY_EVENTS_PER_S": "2",
        "FLOORPULSE_LIMIT_BURST_S": "600",
        "FLOORPULSE_MAX_BATCH_EVENTS": "1000",
    }
    server = start_server(None, **limits)
    source = tmp_path / "camera.jsonl"
    backlog = [
        make_event(timestamp=f"2026-01-15T10:{i // 120:02d}:{i % 120 / 2:04.1f}Z")
        for i in range(1200)
    ]
    source.write_text("".join(json.dumps(e) + "\n" for e in backlog))

    agents.append(Agent(tmp_path, source, server.port, env={"FLOORPULSE_EDGE_API_KEY": camera}))
    flushed = agents[-1].wait_for(drained(1200), "the backlog sent")
    more = [make_event(timestamp=f"2026-01-15T11:00:{i:02d}Z") for i in range(30)]
    with source.open("a") as appended:
        appended.write("".join(json.dumps(e) + "\n" for e in more))
    refused = agents[-1].wait_for(lambda s: s.counters["send_errors"] >= 1, "a refusal")
    done = agents[-1].wait_for(drained(1230), "the rest sent after Retry-After")
    held = stored(server, reader)

    assert flushed.counters["send_errors"] == 0
    assert "HTTP 429" in str(refused.last_error)
    assert done.counters["forwarded"] == 1230
    assert done.dead_letters == 0
    assert held == Counter(key(e) for e in backlog + more)
