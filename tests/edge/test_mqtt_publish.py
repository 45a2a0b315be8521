"""The agent publishing to an MQTT broker instead of posting: a batch leaves its queue once the
broker has it, and the server's `floorpulse mqtt` stores every event once (real Mosquitto)."""

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from floorpulse.db.engine import Database
from floorpulse.demo.generator import Factory, generate
from floorpulse.devtools import free_port
from floorpulse.edge.publisher import Publisher
from floorpulse.edge.queue import EdgeQueue
from floorpulse.edge.reading import check
from tests.edge.agentproc import Agent, drained
from tests.factories import (
    eventually,
    make_event,
    mqtt_command,
    publish_until_stored,
    stored_count,
)


@pytest.fixture
def ingesting(broker: tuple[str, int], database_url: str) -> Iterator[str]:
    """`floorpulse mqtt` on the test's database, subscribed to a topic of the test's own."""
    run = uuid.uuid4().hex[:8]
    topic = f"floorpulse/{run}/events"
    command, database = mqtt_command(database_url, broker[1], run), Database(database_url)
    try:
        subscribed = publish_until_stored(broker, topic, make_event(event_id="probe"), database)
        assert subscribed, "floorpulse mqtt did not store the probe within 60 s"
        yield topic
    finally:
        database.dispose()
        command.terminate()
        command.communicate(timeout=30)


def test_an_agent_publishing_to_the_broker_reaches_the_database_exactly_once(
    tmp_path: Path, broker: tuple[str, int], ingesting: str, database_url: str
) -> None:
    end = datetime.now(UTC) - timedelta(minutes=5)
    events = [
        e.wire() for e in generate(Factory(workers=3, stations=3), end - timedelta(hours=2), end)
    ]
    source = tmp_path / "events.jsonl"
    source.write_text("".join(json.dumps(event) + "\n" for event in events))
    agent = Agent(
        tmp_path,
        source,
        free_port(),  # no server: the agent publishes
        extra=("--publish-topic", ingesting),
        env={"FLOORPULSE_EDGE_MQTT_PORT": str(broker[1])},
    )
    database = Database(database_url)
    try:
        status = agent.wait_for(drained(len(events)), "every event published")
        assert eventually(lambda: stored_count(database) == len(events) + 1)  # and the probe
    finally:
        agent.stop()
        database.dispose()

    assert status.counters["forwarded"] == len(events) > 100
    assert status.dead_letters == 0


def test_a_broker_that_cannot_be_reached_leaves_every_event_queued(tmp_path: Path) -> None:
    queue = EdgeQueue(tmp_path / "queue.db")
    queue.put([check(make_event(event_id=f"e{n}")) for n in range(3)])
    sender = Publisher(
        queue, "127.0.0.1", free_port(), "floorpulse/main/events", stop=threading.Event()
    )
    try:
        delay_s = sender.send(queue.take(10))
        status = queue.status()
    finally:
        sender.close()
        queue.close()

    assert delay_s > 0
    assert status.depth == 3
    assert "not connected" in str(status.last_error)
