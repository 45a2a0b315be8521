"""Retraining hooks: a receiver gets exactly one delivery of each drift alert, signed, retried
after it first answers 500; deliveries that never get through are failed, with the reason."""

import asyncio
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from floorpulse.analytics.service import MetricsService
from floorpulse.app import create_app
from floorpulse.db.engine import Database
from floorpulse.demo.generator import Factory, drifting_model
from floorpulse.mlops.alerts import Alerts
from floorpulse.mlops.service import ModelHealth
from floorpulse.mlops.webhooks import Webhooks
from floorpulse.settings import Settings
from tests.conftest import NOW
from tests.factories import LOCAL, FixedClock
from tests.mlops.scenarios import stored

SECRET = "shared-with-the-training-pipeline"


@dataclass
class Receiver:
    """A retraining pipeline's endpoint: answers `failures` times 500, then 200."""

    failures: int
    url: str = ""
    received: list[tuple[dict[str, str], bytes, int]] = field(default_factory=list)

    def answer(self) -> int:
        return 500 if len(self.received) < self.failures else 200


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    kept = Receiver(failures=1)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = kept.answer()
            kept.received.append((dict(self.headers), body, status))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    kept.url = f"http://127.0.0.1:{server.server_port}/retrain"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield kept
    server.shutdown()
    server.server_close()


@pytest.fixture
def hooked(settings: Settings, receiver: Receiver) -> Settings:
    return settings.model_copy(
        update={
            "webhook_urls": [receiver.url],
            "webhook_secret": SecretStr(SECRET),
            "webhook_retry_s": 5.0,
            "webhook_max_attempts": 3,
        }
    )


def evaluated(db: Database, settings: Settings, clock: FixedClock) -> list[int]:
    """The drift scenario stored and evaluated; the ids of the drift alerts it opened."""
    stored(
        db,
        settings,
        Factory(faults=drifting_model(NOW - timedelta(hours=36))),
        NOW - timedelta(days=21),
        NOW,
    )
    health = ModelHealth(db, settings, MetricsService(db, settings, clock), clock)
    opened = Alerts(db, settings, health, clock).evaluate().opened
    return [alert.id for alert in opened if alert.retraining_trigger]


def send_due(webhooks: Webhooks) -> int:
    async def run() -> int:
        async with httpx.AsyncClient(timeout=5) as client:
            return await webhooks.send_due(client)

    return asyncio.run(run())


def test_each_drift_alert_reaches_the_hook_exactly_once_retried_after_a_500(
    db: Database, hooked: Settings, receiver: Receiver, clock: FixedClock
) -> None:
    alert_ids = evaluated(db, hooked, clock)
    webhooks = Webhooks(db, hooked, clock)

    first_round = send_due(webhooks)
    too_soon = send_due(webhooks)
    clock.advance(5)
    retried = send_due(webhooks)

    assert len(alert_ids) >= 4
    assert (first_round, too_soon, retried) == (len(alert_ids), 0, 1)
    delivered = [json.loads(body) for _, body, status in receiver.received if status == 200]
    assert sorted(d["alert"]["id"] for d in delivered) == sorted(alert_ids)
    assert {d["type"] for d in delivered} == {"alert.opened"}
    headers, body, _ = receiver.received[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-FloorPulse-Signature"] == expected
    retry = [
        r
        for r in receiver.received
        if r[0]["X-FloorPulse-Delivery"] == headers["X-FloorPulse-Delivery"]
    ]
    assert [status for _, _, status in retry] == [500, 200]
    assert retry[0][1] == retry[1][1]  # the same bytes, the same signature


def test_the_delivery_log_shows_the_attempts_and_a_later_evaluation_sends_nothing_more(
    db: Database, hooked: Settings, receiver: Receiver, clock: FixedClock
) -> None:
    alert_ids = evaluated(db, hooked, clock)
    webhooks = Webhooks(db, hooked, clock)
    send_due(webhooks)
    clock.advance(5)
    send_due(webhooks)

    health = ModelHealth(db, hooked, MetricsService(db, hooked, clock), clock)
    alerts = Alerts(db, hooked, health, clock)
    clock.advance(300)
    alerts.evaluate()

    assert send_due(webhooks) == 0
    logs = {alert_id: alerts.deliveries(alert_id) for alert_id in alert_ids}
    assert all(len(log) == 1 and log[0].state == "delivered" for log in logs.values())
    retried = [log[0] for log in logs.values() if log[0].attempts == 2]
    assert len(retried) == 1
    assert (retried[0].last_status, retried[0].last_error) == (200, None)


def test_a_hook_that_keeps_failing_is_given_up_after_the_last_attempt_with_the_reason(
    db: Database, hooked: Settings, receiver: Receiver, clock: FixedClock
) -> None:
    receiver.failures = 10**6
    alert_ids = evaluated(db, hooked, clock)
    webhooks = Webhooks(db, hooked, clock)

    for wait_s in (0, 5, 10):  # 3 attempts, 5 s then 10 s apart
        clock.advance(wait_s)
        assert send_due(webhooks) == len(alert_ids)
    clock.advance(3600)

    assert send_due(webhooks) == 0
    health = ModelHealth(db, hooked, MetricsService(db, hooked, clock), clock)
    log = Alerts(db, hooked, health, clock).deliveries(alert_ids[0])
    assert [(d.state, d.attempts, d.last_status) for d in log] == [("failed", 3, 500)]
    assert log[0].last_error is not None
    assert log[0].last_error.startswith("answered 500")


def test_the_server_evaluates_on_its_own_and_delivers_without_being_asked(
    db: Database, hooked: Settings, receiver: Receiver, clock: FixedClock
) -> None:
    receiver.failures = 0
    drifting = Factory(faults=drifting_model(NOW - timedelta(hours=36)))
    stored(db, hooked, drifting, NOW - timedelta(days=21), NOW)
    app = create_app(hooked.model_copy(update={"alert_interval_s": 1.0}), clock=clock)

    with TestClient(app, client=LOCAL) as client:
        deadline = time.monotonic() + 30
        drift_alerts: list[int] = []
        while time.monotonic() < deadline:  # nothing asked: the server evaluates and sends
            opened = client.get("/api/alerts").json()
            drift_alerts = sorted(a["id"] for a in opened if a["retraining_trigger"])
            if drift_alerts and len(receiver.received) >= len(drift_alerts):
                break
            time.sleep(0.2)
        time.sleep(1.5)  # a later evaluation sends nothing more

    delivered = sorted(json.loads(body)["alert"]["id"] for _, body, _ in receiver.received)
    assert len(drift_alerts) >= 4
    assert delivered == drift_alerts
