"""Fault tests: a real agent process forwarding to a real server, with things going wrong.

Each ends by checking that the server holds every generated event exactly once.
"""

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import pytest

from floorpulse.demo.generator import Factory, generate
from floorpulse.devtools import free_port
from floorpulse.metrics.shifts import Shift
from tests.edge.agentproc import WAIT_S, Agent, Key, assert_exactly_once, drained, key, stored
from tests.server.live import LiveServer, StartServer
from tests.server.proxy import FaultProxy

pytestmark = pytest.mark.server
Proxied = tuple[LiveServer, FaultProxy]


@pytest.fixture
def events(tmp_path: Path) -> tuple[Path, list[Key]]:
    """Two hours of a busy floor, ending ten minutes ago or earlier, as JSON lines without ids.

    The floor works 00:00-23:00 (a shift cannot last all day): the two hours are the latest
    that end before now and miss 23:00-24:00, so that they are as busy at any time of day."""
    factory = Factory(workers=4, stations=4, shifts=(Shift("all", clock_time(0), clock_time(23)),))
    end = (datetime.now(UTC) - timedelta(minutes=10)).replace(second=0, microsecond=0)
    while any((end - timedelta(minutes=m)).hour == 23 for m in range(1, 121)):
        end -= timedelta(hours=1)
    generated = [e.wire() for e in generate(factory, end - timedelta(hours=2), end)]
    path = tmp_path / "camera.jsonl"
    lines = [json.dumps({k: v for k, v in e.items() if k != "event_id"}) for e in generated]
    path.write_text("\n".join(lines) + "\n")
    return path, [key(e) for e in generated]


@pytest.fixture
def proxied(start_server: StartServer) -> Iterator[Proxied]:
    """A server behind a fault proxy; the agent is pointed at the proxy."""
    server = start_server()
    proxy = FaultProxy(free_port(), server.port)
    yield server, proxy
    proxy.close()


@pytest.fixture
def agents(tmp_path: Path) -> Iterator[list[Agent]]:
    started: list[Agent] = []
    yield started
    for agent in started:
        agent.stop()


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
    tmp_path: Path, events: tuple[Path, list[Key]], proxied: Proxied, agents: list[Agent]
) -> None:
    (source, generated), (server, proxy) = events, proxied
    proxy.mode = "500"
    agents.append(agent := Agent(tmp_path, source, proxy.port))
    agent.wait_for(lambda s: s.last_error == "HTTP 500", "a 500")
    proxy.mode = "429"
    agent.wait_for(lambda s: s.last_error == "HTTP 429", "a 429")
    proxy.mode = "pass"
    agent.wait_for(drained(len(generated)), "queue drained")

    assert_exactly_once(server, generated)


def test_agent_killed_mid_batch_and_restarted(
    tmp_path: Path, events: tuple[Path, list[Key]], proxied: Proxied, agents: list[Agent]
) -> None:
    (source, generated), (server, proxy) = events, proxied
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

    assert_exactly_once(server, generated)


def test_network_cut_after_the_server_stored_the_batch(
    tmp_path: Path, events: tuple[Path, list[Key]], proxied: Proxied, agents: list[Agent]
) -> None:
    (source, generated), (server, proxy) = events, proxied
    proxy.mode = "cut"
    agents.append(agent := Agent(tmp_path, source, proxy.port))
    agent.wait_for(lambda s: s.counters["send_errors"] >= 2, "cut answers")
    proxy.mode = "pass"
    status = agent.wait_for(drained(len(generated)), "queue drained")

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
