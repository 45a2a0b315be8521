"""Forwarding: settled by the server's answer; failures keep everything queued and back off."""

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from floorpulse.edge.forwarder import Backoff, Forwarder
from floorpulse.edge.queue import EdgeQueue
from floorpulse.edge.reading import check
from tests.factories import make_event

Handler = Callable[[httpx.Request], httpx.Response]


def accepted(request: httpx.Request, rejected: tuple[int, ...] = ()) -> httpx.Response:
    sent = json.loads(request.content)
    refused = [{"index": i, "reason": "confidence: too high", "errors": []} for i in rejected]
    return httpx.Response(
        200,
        json={
            "total": len(sent),
            "accepted": len(sent) - len(refused),
            "duplicates": 0,
            "low_confidence": 0,
            "rejected": len(refused),
            "rejected_events": refused,
        },
    )


@pytest.fixture
def queue(tmp_path: Path) -> EdgeQueue:
    store = EdgeQueue(tmp_path / "q.db")
    store.put([check(make_event(timestamp=f"2026-01-15T10:00:0{i}Z")) for i in range(4)])
    return store


def forwarder(queue: EdgeQueue, handler: Handler) -> Forwarder:
    client = httpx.Client(base_url="http://server", transport=httpx.MockTransport(handler))
    return Forwarder(queue, client, batch_size=10)


def test_an_accepted_batch_leaves_the_queue(queue: EdgeQueue) -> None:
    delay_s = forwarder(queue, accepted).send(queue.take(10))

    assert delay_s == 0
    assert queue.status().depth == 0
    assert queue.status().counters["forwarded"] == 4


def test_an_event_the_server_refuses_becomes_a_dead_letter(queue: EdgeQueue) -> None:
    forwarder(queue, lambda r: accepted(r, rejected=(1,))).send(queue.take(10))

    assert queue.status().depth == 0
    assert [letter["reason"] for letter in queue.dead_letters()] == ["confidence: too high"]
    assert queue.status().counters["forwarded"] == 3


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_a_server_error_keeps_every_event_queued_and_backs_off(
    queue: EdgeQueue, status: int
) -> None:
    delay_s = forwarder(queue, lambda _: httpx.Response(status)).send(queue.take(10))

    assert delay_s > 0
    assert queue.status().depth == 4
    assert queue.status().counters["send_errors"] == 1
    assert queue.status().last_error == f"HTTP {status}"


def test_retry_after_is_honoured(queue: EdgeQueue) -> None:
    busy = httpx.Response(429, headers={"Retry-After": "7"})

    assert forwarder(queue, lambda _: busy).send(queue.take(10)) >= 7


def test_a_network_error_keeps_every_event_queued(queue: EdgeQueue) -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    delay_s = forwarder(queue, unreachable).send(queue.take(10))

    assert delay_s > 0
    assert queue.status().depth == 4
    assert "ConnectError" in str(queue.status().last_error)


def test_a_batch_too_large_for_the_server_is_split_until_it_fits(queue: EdgeQueue) -> None:
    def small_batches_only(request: httpx.Request) -> httpx.Response:
        if len(json.loads(request.content)) > 1:
            return httpx.Response(413, json={"detail": "body too large"})
        return accepted(request)

    forwarder(queue, small_batches_only).send(queue.take(10))

    assert queue.status().depth == 0
    assert queue.status().counters["forwarded"] == 4


def test_wrong_agent_settings_keep_the_events_and_say_why(queue: EdgeQueue) -> None:
    refused = httpx.Response(401, json={"detail": "no API key"})

    forwarder(queue, lambda _: refused).send(queue.take(10))

    assert queue.status().depth == 4
    assert queue.status().last_error == "HTTP 401: no API key"


def test_backoff_doubles_up_to_its_cap_with_jitter() -> None:
    backoff = Backoff(base_s=1, cap_s=8)

    delays = [backoff.next_delay_s() for _ in range(6)]

    ceilings = [1, 2, 4, 8, 8, 8]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    backoff.reset()
    assert backoff.next_delay_s() <= 1
