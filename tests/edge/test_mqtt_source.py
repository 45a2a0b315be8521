"""The agent reading an MQTT topic on a real broker (Mosquitto on 127.0.0.1:1883)."""

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from floorpulse.demo.generator import Factory, generate
from tests.edge.agentproc import Agent, assert_exactly_once, key
from tests.factories import publisher
from tests.server.live import StartServer


def test_events_published_to_a_topic_reach_the_server_exactly_once(
    tmp_path: Path, broker: tuple[str, int], start_server: StartServer
) -> None:
    topic = f"floorpulse-test/{uuid.uuid4().hex}/events"
    end = datetime.now(UTC) - timedelta(minutes=5)
    events = [
        e.wire() for e in generate(Factory(workers=3, stations=3), end - timedelta(hours=6), end)
    ]
    server = start_server()
    agent = Agent(
        tmp_path,
        None,
        server.port,
        extra=("--mqtt-topic", topic),
        env={"FLOORPULSE_EDGE_MQTT_PORT": str(broker[1])},
    )
    client = publisher(*broker)
    try:
        # Until the agent has subscribed, messages go nowhere: send the first event until one
        # arrives (its event_id makes the repeats duplicates).
        agent.wait_for(
            lambda s: (
                client.publish(topic, json.dumps(events[0]), qos=1) is not None
                and s.counters["enqueued"] > 0
            ),
            "the agent subscribed",
        )
        for event in events[1:100]:  # single events ...
            client.publish(topic, json.dumps(event), qos=1).wait_for_publish(5)
        for first in range(100, len(events), 50):  # ... and arrays of them
            client.publish(topic, json.dumps(events[first : first + 50]), qos=1).wait_for_publish(5)
        client.publish(topic, b"{broken", qos=1).wait_for_publish(5)
        status = agent.wait_for(
            lambda s: (
                s.depth == 0 and s.dead_letters == 1 and s.counters["forwarded"] == len(events)
            ),
            "every event forwarded",
        )
    finally:
        client.loop_stop()
        client.disconnect()
        agent.stop()

    assert status.counters["forwarded"] == len(events) > 300
    assert_exactly_once(server, [key(e) for e in events])
