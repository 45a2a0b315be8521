"""Keyword factories for test data."""

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select

from floorpulse.db.engine import Database
from floorpulse.db.tables import Event


def make_event(**overrides: Any) -> dict[str, Any]:
    """A valid event as a camera sends it; keyword arguments replace or add fields."""
    event: dict[str, Any] = {
        "timestamp": "2026-01-15T10:15:00Z",
        "worker_id": "W1",
        "workstation_id": "S3",
        "event_type": "working",
        "confidence": 0.93,
        "count": 1,
    }
    event.update(overrides)
    return event


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def stored_count(db: Database) -> int:
    """How many rows the events table holds."""
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(Event)).scalar_one())


# The `issue` fixture: issue(Scope.READ, "name", View.PROCESS) -> a new key.
Issue = Callable[..., str]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# A test client's address: a server with no API keys answers only loopback clients.
LOCAL = ("127.0.0.1", 50000)


def floorpulse(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the `floorpulse` command on a database, as an operator would, and wait for it."""
    return subprocess.run(
        [sys.executable, "-m", "floorpulse", *args],
        env={**os.environ, "FLOORPULSE_DATABASE_URL": database_url, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


# Two shifts covering the whole day: a demo server's live events are in a shift at any hour.
ROUND_THE_CLOCK = json.dumps(
    [
        {"name": "X", "start": "00:00", "end": "12:00"},
        {"name": "Y", "start": "12:00", "end": "00:00"},
    ]
)


def iso(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def publisher(host: str, port: int) -> paho.Client:
    """An MQTT client of the test's own, connected and running."""
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"test-{uuid.uuid4().hex[:8]}")
    client.connect(host, port)
    client.loop_start()
    return client


def eventually(check: Callable[[], bool], within_s: float = 20.0) -> bool:
    """Whether `check` comes true within `within_s`, asked every 50 ms."""
    deadline = time.monotonic() + within_s
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def mqtt_command(database_url: str, broker_port: int, run: str) -> subprocess.Popen[bytes]:
    """`floorpulse mqtt` on a database, storing what is published to floorpulse/<run>/events,
    in a group and under a client id of its own; its output piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "floorpulse", "mqtt", "--topic", f"floorpulse/{run}/events"],
        env={
            **os.environ,
            "FLOORPULSE_DATABASE_URL": database_url,
            "FLOORPULSE_MQTT_PORT": str(broker_port),
            "FLOORPULSE_MQTT_GROUP": f"g{run}",
            "FLOORPULSE_MQTT_CLIENT_ID": f"floorpulse-test-{run}",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def publish_until_stored(
    broker: tuple[str, int], topic: str, event: dict[str, Any], db: Database
) -> bool:
    """Whether `event`, published to `topic` again and again, was the first one stored within
    a minute: QoS 1 messages to a topic nobody has subscribed to yet go nowhere."""
    client, payload = publisher(*broker), json.dumps(event)
    try:
        return eventually(
            lambda: bool(client.publish(topic, payload, qos=1)) and stored_count(db) == 1,
            within_s=60,
        )
    finally:
        client.loop_stop()
        client.disconnect()
