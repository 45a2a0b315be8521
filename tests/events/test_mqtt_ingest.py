"""Ingestion over MQTT: messages' events stored as over HTTP, what cannot be stored kept as a
dead letter with the reason, a message acknowledged only once stored; on a real broker."""

import signal
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from sqlalchemy import text

from floorpulse.db.engine import Database
from floorpulse.devtools import free_port
from floorpulse.errors import InvalidInput, MalformedBody
from floorpulse.events.mqtt import (
    Broker,
    Message,
    MqttIngest,
    Taken,
    consume,
    events_of,
    site_of,
)
from floorpulse.events.service import EventService
from floorpulse.settings import Settings
from tests.factories import (
    eventually,
    floorpulse,
    make_event,
    mqtt_command,
    publish_until_stored,
    publisher,
    stored_count,
)

TOPIC = "floorpulse/plant-2/events"


def message(payload: object, topic: str = TOPIC) -> Message:
    raw = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    return Message(topic, raw)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.database_url)
    yield database
    database.dispose()


@pytest.fixture
def ingest(db: Database, settings: Settings) -> MqttIngest:
    return MqttIngest(EventService(db, settings))


def letters(db: Database) -> list[tuple[str, str, str]]:
    with db.read() as conn:
        rows = conn.execute(text("SELECT source, payload, reason FROM dead_letters ORDER BY id"))
        return [tuple(row) for row in rows]


def test_what_was_taken_adds_up_into_the_periodic_summary() -> None:
    totals = Taken(events=5, accepted=4, duplicates=1) + Taken(events=2, accepted=1, dead=1)

    assert totals.summary(60.2) == (
        "in the last 60 s: 7 events, 5 stored, 1 duplicates, 1 dead letters"
    )


def test_a_topic_names_its_site() -> None:
    assert site_of("floorpulse/plant-2/events") == "plant-2"
    assert site_of("floorpulse/events") is None
    assert site_of("cameras/plant-2/events") is None


def test_a_message_holds_one_event_an_array_or_an_events_object() -> None:
    one, two = make_event(event_id="a"), make_event(event_id="b")

    assert len(events_of(TOPIC, orjson.dumps(one))) == 1
    assert len(events_of(TOPIC, orjson.dumps([one, two]))) == 2
    assert len(events_of(TOPIC, orjson.dumps({"events": [one, two]}))) == 2


def test_an_event_without_a_site_takes_its_topics_and_one_with_a_site_keeps_it() -> None:
    events = events_of(TOPIC, orjson.dumps([make_event(), make_event(site_id="plant-9")]))

    assert [event["site_id"] for event in events] == ["plant-2", "plant-9"]


def test_a_message_that_is_not_events_says_why() -> None:
    with pytest.raises(MalformedBody):
        events_of(TOPIC, b'{"worker_id": ')
    with pytest.raises(InvalidInput):
        events_of(TOPIC, b"42")


def test_a_group_is_stored_once_and_what_cannot_be_stored_is_kept_with_the_reason(
    ingest: MqttIngest, db: Database
) -> None:
    good = make_event(event_id="cam-1")
    bad = make_event(event_id="cam-2", count=-1)
    group = [
        message(good),
        message([make_event(event_id="cam-3"), bad]),
        message(good),  # delivered again
        message(b"not json"),
    ]

    taken = ingest.take(group)

    assert (taken.events, taken.accepted, taken.duplicates, taken.dead) == (4, 2, 1, 2)
    assert stored_count(db) == 2
    dead = letters(db)
    assert [source for source, _, _ in dead] == [f"mqtt:{TOPIC}"] * 2
    assert "count" in dead[0][2]
    assert orjson.loads(dead[0][1])["event_id"] == "cam-2"
    assert dead[1][1] == "not json"
    assert "not valid JSON" in dead[1][2]


def test_a_group_the_database_refuses_is_not_acknowledged_and_is_tried_again(
    ingest: MqttIngest, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    acked: list[Any] = []
    failures = iter([RuntimeError("database down")])
    real = ingest.events.store_batches

    def flaky(batches: Any) -> Any:
        for failure in failures:
            raise failure
        return real(batches)

    monkeypatch.setattr(ingest.events, "store_batches", flaky)
    monkeypatch.setattr("floorpulse.events.mqtt.RETRY_S", (0.01,))
    received = [message(make_event(event_id="cam-1"))]

    taken = ingest.settle(received, acked.append, threading.Event())

    assert acked == received
    assert stored_count(db) == 1
    assert (taken.events, taken.accepted) == (1, 1)


def test_a_group_not_stored_when_the_process_stops_is_left_unacknowledged(
    ingest: MqttIngest, monkeypatch: pytest.MonkeyPatch
) -> None:
    acked: list[Any] = []
    stop = threading.Event()

    def down(_batches: Any) -> Any:
        stop.set()
        raise RuntimeError("database down")

    monkeypatch.setattr(ingest.events, "store_batches", down)

    taken = ingest.settle([message(make_event())], acked.append, stop)

    assert acked == []
    assert taken == Taken()


def test_two_consumers_of_one_group_split_a_brokers_messages_and_store_each_once(
    broker: tuple[str, int], settings: Settings, db: Database
) -> None:
    run = uuid.uuid4().hex[:8]
    topic, group = f"floorpulse-test-{run}/+/events", f"g{run}"
    taken: list[list[int]] = [[], []]
    stop = threading.Event()

    def start(index: int) -> threading.Thread:
        ingest = MqttIngest(EventService(db, settings))
        original = ingest.take

        def counted(messages: Any) -> Any:
            taken[index].append(len(messages))
            return original(messages)

        ingest.take = counted  # type: ignore[method-assign]
        place = Broker(*broker, topic, group, f"floorpulse-test-{run}-{index}")
        thread = threading.Thread(target=consume, args=(ingest, place, stop), daemon=True)
        thread.start()
        return thread

    consumers = [start(0), start(1)]
    client = publisher(*broker)
    try:
        time.sleep(1)  # both subscribed (messages before that go nowhere)
        sent = [make_event(event_id=f"e{n}", worker_id=f"W{n % 7}") for n in range(300)]
        for n in range(0, 300, 3):  # 100 messages of 3 events, each published twice
            for _ in range(2):
                client.publish(
                    f"floorpulse-test-{run}/main/events", orjson.dumps(sent[n : n + 3]), qos=1
                )
        assert eventually(lambda: sum(map(sum, taken)) >= 200)
    finally:
        client.loop_stop()
        client.disconnect()
        stop.set()
        for consumer in consumers:
            consumer.join(timeout=10)

    assert stored_count(db) == 300
    assert all(taken), f"one consumer took every message: {taken}"


def test_the_mqtt_command_stores_a_sites_events_and_stops_on_sigterm(
    broker: tuple[str, int], database_url: str, db: Database
) -> None:
    run = uuid.uuid4().hex[:8]
    command = mqtt_command(database_url, broker[1], run)
    try:
        stored = publish_until_stored(
            broker, f"floorpulse/{run}/events", make_event(event_id="first"), db
        )
    finally:
        command.send_signal(signal.SIGTERM)
        output = command.communicate(timeout=30)[0].decode()

    assert stored, output
    assert command.returncode == 0, output
    with db.read() as conn:
        assert conn.execute(text("SELECT site_id FROM events")).scalar_one() == run


def test_the_mqtt_command_says_when_the_broker_cannot_be_reached(database_url: str) -> None:
    done = floorpulse(database_url, "mqtt", "--port", str(free_port()))

    assert done.returncode == 1
    assert "cannot reach the MQTT broker at 127.0.0.1:" in done.stderr
    assert "Traceback" not in done.stderr
