"""Ingestion from an MQTT broker: `floorpulse mqtt`.

Cameras (or edge agents) publish to `floorpulse/<site>/events`: one event, a JSON array of
events, or `{"events": [...]}`, at QoS 1. Each `floorpulse mqtt` process subscribes through a
shared subscription (`$share/<group>/…`), so the broker splits the messages among as many
processes as run. Messages are stored in groups, one transaction each, through the same
validation and deduplication as HTTP, and acknowledged only once stored: a process that dies
before that leaves them to be delivered again, and a redelivered message is a duplicate, not
a second copy. What cannot be stored (not JSON, not an event) is kept in `dead_letters` with
the reason, since MQTT has no answer to tell the sender.
"""

import logging
import queue
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Any, NamedTuple

import orjson

from floorpulse.clock import Clock, utc_now
from floorpulse.db.epoch import to_epoch_us
from floorpulse.db.tables import dead_letters
from floorpulse.errors import FloorPulseError
from floorpulse.events.service import EventService, PreparedBatch, batch_items, decode_json

log = logging.getLogger(__name__)
GROUP_MESSAGES = 500  # stored in one transaction at most
GROUP_WAIT_S = 0.05  # after a group's first message, for more to join it
KEPT_PAYLOAD = 65_536  # characters of a dead letter's payload kept
RETRY_S = (0.5, 1, 2, 5, 10)  # waits between tries to store a group the database refused
SUMMARY_S = 60.0  # a log line of what was stored


class Message(NamedTuple):
    topic: str
    payload: bytes


@dataclass
class Taken:
    """What became of a group of messages, or of all since the last summary."""

    events: int = 0
    accepted: int = 0
    duplicates: int = 0
    dead: int = 0

    def __add__(self, other: "Taken") -> "Taken":
        return Taken(
            self.events + other.events,
            self.accepted + other.accepted,
            self.duplicates + other.duplicates,
            self.dead + other.dead,
        )

    def summary(self, seconds: float) -> str:
        return (
            f"in the last {seconds:.0f} s: {self.events} events, {self.accepted} stored, "
            f"{self.duplicates} duplicates, {self.dead} dead letters"
        )


def events_of(topic: str, payload: bytes) -> list[Any]:
    """The events of a message, each given the site its topic names if it names none itself.
    Raises what is wrong with a message that holds no events at all."""
    document = decode_json(payload)
    single = isinstance(document, dict) and "events" not in document
    items = [document] if single else batch_items(document)
    site = site_of(topic)
    if site is not None:
        for item in items:
            if isinstance(item, dict):
                item.setdefault("site_id", site)
    return items


def site_of(topic: str) -> str | None:
    """`floorpulse/<site>/events` names a site; other topics none."""
    parts = topic.split("/")
    if len(parts) == 3 and parts[0] == "floorpulse" and parts[2] == "events" and parts[1]:
        return parts[1]
    return None


class MqttIngest:
    """Stores groups of messages and keeps what it cannot store as dead letters."""

    def __init__(self, events: EventService, clock: Clock = utc_now) -> None:
        self.events = events
        self.clock = clock

    def take(self, messages: Sequence[Message]) -> Taken:
        """Store the events of `messages` and their dead letters; raises if the database
        does (then nothing may be acknowledged)."""
        received_us = to_epoch_us(self.clock())
        batches: list[PreparedBatch] = []
        letters: list[dict[str, object]] = []
        for message in messages:
            try:
                items = events_of(message.topic, message.payload)
                batch = self.events.prepare_batch(orjson.dumps(items))
            except FloorPulseError as refused:
                letters.append(_letter(message.topic, message.payload, refused.detail, received_us))
                continue
            batches.append(batch)
            letters += [
                _letter(message.topic, orjson.dumps(items[r.index]), r.reason, received_us)
                for r in batch.rejected
            ]
        results = self.events.store_batches(batches) if batches else []
        if letters:
            with self.events.db.write() as conn:
                conn.execute(dead_letters.insert(), letters)
        return Taken(
            events=sum(r.total for r in results),
            accepted=sum(r.accepted for r in results),
            duplicates=sum(r.duplicates for r in results),
            dead=len(letters),
        )

    def settle(
        self, group: Sequence[Any], ack: Callable[[Any], object], stop: threading.Event
    ) -> Taken:
        """Store a group of received messages, trying again while the database refuses, then
        acknowledge each; a group not stored when `stop` comes is left unacknowledged (and
        counts nothing)."""
        messages = [Message(m.topic, m.payload) for m in group]
        waits = chain(RETRY_S, repeat(RETRY_S[-1]))
        while True:
            try:
                taken = self.take(messages)
                break
            except Exception:
                wait_s = next(waits)
                log.exception("storing %d MQTT messages failed; again in %s s", len(group), wait_s)
                if stop.wait(wait_s):
                    return Taken()
        for message in group:
            ack(message)
        return taken


def consume(ingest: MqttIngest, broker: "Broker", stop: threading.Event) -> None:
    """Subscribe and store until `stop` is set."""
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    inbox: queue.Queue[Any] = queue.Queue()
    client = paho.Client(
        CallbackAPIVersion.VERSION2,
        client_id=broker.client_id,
        clean_session=False,  # messages sent while it was away wait for it
        manual_ack=True,
    )
    shared = f"$share/{broker.group}/{broker.topic}"
    client.on_connect = lambda c, _u, _f, _reason, _p: c.subscribe(shared, qos=1)
    client.on_message = lambda _c, _u, message: inbox.put(message)
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        since, totals = time.monotonic(), Taken()
        while not stop.is_set():
            group = _gather(inbox)
            if group:
                totals += ingest.settle(group, lambda m: client.ack(m.mid, m.qos), stop)
            if time.monotonic() - since >= SUMMARY_S:  # an operator's sign of life, and load
                log.info("MQTT ingestion %s", totals.summary(time.monotonic() - since))
                since, totals = time.monotonic(), Taken()
    finally:
        client.loop_stop()
        client.disconnect()


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    topic: str
    group: str
    client_id: str


def default_client_id() -> str:
    """One per host: a process started again on it resumes its session (and its messages)."""
    return f"floorpulse-ingest-{socket.gethostname()[:40]}"


def _gather(inbox: "queue.Queue[Any]") -> list[Any]:
    """The next group: what arrives within GROUP_WAIT_S of its first message, at most
    GROUP_MESSAGES; empty after a fifth of a second of quiet."""
    try:
        group = [inbox.get(timeout=0.2)]
    except queue.Empty:
        return []
    deadline = time.monotonic() + GROUP_WAIT_S
    while len(group) < GROUP_MESSAGES:
        left = deadline - time.monotonic()
        try:
            group.append(inbox.get(timeout=left) if left > 0 else inbox.get_nowait())
        except queue.Empty:
            break
    return group


def _letter(topic: str, payload: bytes, reason: str, received_us: int) -> dict[str, object]:
    return {
        "received_us": received_us,
        "source": f"mqtt:{topic}"[:256],
        "payload": payload.decode("utf-8", errors="replace")[:KEPT_PAYLOAD],
        "reason": reason,
    }
