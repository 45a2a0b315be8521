"""Fault tests: a real agent process forwarding to a real server, with things going wrong.

Each ends by checking that the server holds every generated event exactly once.
"""

import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import httpx
import pytest

from floorpulse.demo.generator import Factory, generate
from floorpulse.edge.queue import EdgeQueue, Status
from floorpulse.metrics.shifts import Shift
from tests.server.live import LiveServer, StartServer, free_port
from tests.server.proxy import FaultProxy

pytestmark = pytest.mark.server
WAIT_S = 40
Key = tuple[str, str, str]  # worker, timestamp, event type


class Agent:
    """`floorpulse edge --follow FILE` as its own process."""

    def __init__(self, tmp: Path, source: Path, server_port: int, capacity: int = 10_000) -> None:
        self.queue_path = tmp / "edge-queue.db"
        self.log = (tmp / "agent.log").open("ab")
        self.args = [
            sys.executable,
            "-m",
            "floorpulse",
            "edge",
            "--follow",
            str(source),
            "--server",
            f"http://127.0.0.1:{server_port}",
            "--queue",
            str(self.queue_path),
            "--capacity",
            str(capacity),
        ]
        self.process = self.start()

    def start(self) -> subprocess.Popen[bytes]:
        self.process = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT)
        return self.process

    def status(self) -> Status:
        queue = EdgeQueue(self.queue_path)
        try:
            return queue.status()
        finally:
            queue.close()

    def wait_for(self, condition: Callable[[Status], bool], what: str) -> Status:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            if self.queue_path.exists() and condition(status := self.status()):
                return status
            time.sleep(0.2)
        raise TimeoutError(f"agent: {what} not reached in {WAIT_S} s; see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.log.close()


@pytest.fixture
def events(tmp_path: Path) -> tuple[Path, list[Key]]:
    """Two hours of a busy floor, ending ten minutes ago, as JSON lines without ids."""
    factory = Factory(workers=4, stations=4, shifts=(Shift("all", clock_time(0), clock_time(23)),))
    end = datetime.now(UTC) - timedelta(minutes=10)
    generated = [e.wire() for e in generate(factory, end - timedelta(hours=2), end)]
    generated = [e for e in generated if datetime.fromisoformat(str(e["timestamp"])).hour < 23]
    path = tmp_path / "camera.jsonl"
    lines = [json.dumps({k: v for k, v in e.items() if k != "event_id"}) for e in generated]
    path.write_text("\n".join(lines) + "\n")
    return path, [key(e) for e in generated]


@pytest.fixture
def agents(tmp_path: Path) -> Iterator[list[Agent]]:
    started: list[Agent] = []
    yield started
    for agent in started:
        agent.stop()


def key(event: dict[str, object]) -> Key:
    stamp = datetime.fromisoformat(str(event["timestamp"])).astimezone(UTC)
    return str(event["worker_id"]), stamp.isoformat(), str(event["event_type"])


def stored(server: LiveServer) -> Counter[Key]:
    """Every event the server holds, counted by what it is."""
    held: Counter[Key] = Counter()
    url: str | None = f"{server.url}/api/events?limit=1000"
    while url:
        response = httpx.get(url, timeout=30)
        held.update(key(event) for event in response.json())
        url = response.links.get("next", {}).get("url")
    return held


def drained(expected: int) -> Callable[[Status], bool]:
    return lambda s: s.counters["enqueued"] == expected and s.depth == 0


def assert_exactly_once(server: LiveServer, generated: list[Key]) -> None:
    held = stored(server)
    assert set(held) == set(generated)
    assert max(held.values()) == 1


def test_server_down_for_a_while_then_back(
    tmp_path: Path, events: tuple[Path, list[Key]], start_server: StartServer, agents: list[Agent]
) -> None:
    source, generated = events
    port = free_port()
    agents.append(agent := Agent(tmp_path, source, port))
    agent.wait_for(lambda s: s.counters["send_errors"] >= 2, "failed sends while down")

    server = start_server(port)
    status = agent.wait_for(drained(len(generated)), "queue drained")

    assert status.counters["forwarded"] == len(generated) > 300
    assert_exactly_once(server, generated)


def test_server_answering_500_then_429_for_a_while(
    tmp_path: Path, events: tuple[Path, list[Key]], start_server: StartServer, agents: list[Agent]
) -> None:
    source, generated = events
    server = start_server()
    proxy = FaultProxy(free_port(), server.port)
    try:
        proxy.mode = "500"
        agents.append(agent := Agent(tmp_path, source, proxy.port))
        agent.wait_for(lambda s: s.last_error == "HTTP 500", "a 500")
        proxy.mode = "429"
        agent.wait_for(lambda s: s.last_error == "HTTP 429", "a 429")
        proxy.mode = "pass"
        agent.wait_for(drained(len(generated)), "queue drained")
    finally:
        proxy.close()

    assert_exactly_once(server, generated)


def test_agent_killed_mid_batch_and_restarted(
    tmp_path: Path, events: tuple[Path, list[Key]], start_server: StartServer, agents: list[Agent]
) -> None:
    source, generated = events
    server = start_server()
    proxy = FaultProxy(free_port(), server.port)
    try:
        proxy.mode = "hold"  # the batch is in flight when the agent dies
        agents.append(agent := Agent(tmp_path, source, proxy.port))
        deadline = time.monotonic() + WAIT_S
        while proxy.requests == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        agent.process.kill()
        agent.process.wait(10)
        proxy.mode = "pass"  # the held batch reaches the server after all
        agent.start()
        agent.wait_for(drained(len(generated)), "queue drained after restart")
    finally:
        proxy.close()

    assert_exactly_once(server, generated)


def test_network_cut_after_the_server_stored_the_batch(
    tmp_path: Path, events: tuple[Path, list[Key]], start_server: StartServer, agents: list[Agent]
) -> None:
    source, generated = events
    server = start_server()
    proxy = FaultProxy(free_port(), server.port)
    try:
        proxy.mode = "cut"
        agents.append(agent := Agent(tmp_path, source, proxy.port))
        agent.wait_for(lambda s: s.counters["send_errors"] >= 2, "cut answers")
        proxy.mode = "pass"
        status = agent.wait_for(drained(len(generated)), "queue drained")
    finally:
        proxy.close()

    assert status.counters["duplicates"] > 0  # resent, recognised, not stored twice
    assert_exactly_once(server, generated)


def test_queue_overflow_drops_the_oldest_and_counts_them_exactly(
    tmp_path: Path, events: tuple[Path, list[Key]], start_server: StartServer, agents: list[Agent]
) -> None:
    source, generated = events
    port = free_port()
    agents.append(agent := Agent(tmp_path, source, port, capacity=100))
    full = agent.wait_for(lambda s: s.counters["enqueued"] == len(generated), "all read")

    server = start_server(port)
    status = agent.wait_for(drained(len(generated)), "queue drained")

    assert full.counters["dropped"] == status.counters["dropped"] == len(generated) - 100
    held = stored(server)
    assert max(held.values()) == 1
    assert sum(held.values()) == status.counters["forwarded"] == 100
    assert set(held) <= set(generated)
