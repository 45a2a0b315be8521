"""Sends queued events to the server in batches, and settles each event by the server's answer.

Accepted and duplicate events leave the queue (a duplicate is a resend the server already has).
An event the server refuses goes to the dead letters with its reason. Network errors, 5xx and
429 leave everything queued and are retried with exponential backoff and jitter; a 429's
`Retry-After` is honoured.
"""

import logging
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from floorpulse.edge.queue import EdgeQueue, Queued
from floorpulse.events.schemas import EDGE_AGENT_HEADER, EDGE_BACKLOG_HEADER, EDGE_OLDEST_HEADER

log = logging.getLogger(__name__)
WHOLE_BATCH_REFUSED = {413, 422}  # too large, or not a batch at all: split it to find out


@dataclass
class Backoff:
    """Exponential backoff with full jitter, so agents that failed together do not retry so."""

    base_s: float = 0.5
    cap_s: float = 30.0
    attempt: int = 0

    def next_delay_s(self, at_least_s: float = 0.0) -> float:
        ceiling = min(self.cap_s, self.base_s * 2**self.attempt)
        self.attempt += 1
        return max(at_least_s, random.uniform(ceiling / 2, ceiling))

    def reset(self) -> None:
        self.attempt = 0


class Sender:
    """Takes batches from the queue and sends them until stopped: to the server over HTTP
    (Forwarder) or to an MQTT broker (publisher.Publisher)."""

    def __init__(
        self,
        queue: EdgeQueue,
        *,
        batch_size: int = 500,
        backoff: Backoff | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.queue = queue
        self.batch_size = batch_size
        self.backoff = backoff or Backoff()
        self.stop = stop or threading.Event()

    def run(self, idle_poll_s: float = 0.2) -> None:
        """Send until stopped; waits between polls of an empty queue and after failures."""
        while not self.stop.is_set():
            batch = self.queue.take(self.batch_size)
            if not batch:
                self.stop.wait(idle_poll_s)
                continue
            delay_s = self.send(batch)
            if delay_s:
                self.stop.wait(delay_s)

    def send(self, batch: Sequence[Queued]) -> float:
        """Send one batch and settle it; answer how long to wait before the next try (0: none)."""
        raise NotImplementedError

    def close(self) -> None:
        """Let go of the connection."""

    def _failed(self, reason: str, retry_after_s: float) -> float:
        self.queue.record_error(reason)
        delay_s = self.backoff.next_delay_s(retry_after_s)
        log.warning("forwarding failed (%s); retrying in %.1f s", reason, delay_s)
        return delay_s


class Forwarder(Sender):
    """Posts batches to the server and settles each event by its answer."""

    def __init__(
        self,
        queue: EdgeQueue,
        client: httpx.Client,
        *,
        batch_size: int = 500,
        backoff: Backoff | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        super().__init__(queue, batch_size=batch_size, backoff=backoff, stop=stop)
        self.client = client

    def close(self) -> None:
        self.client.close()

    def send(self, batch: Sequence[Queued]) -> float:
        """Post one batch and settle it; answer how long to wait before the next try (0: none)."""
        try:
            response = self.client.post(
                "/api/events/batch", json=[q.event for q in batch], headers=self._report()
            )
        except httpx.TransportError as error:
            return self._failed(f"network: {type(error).__name__}: {error}", 0.0)
        status = response.status_code
        if status == 200:
            self._settle(batch, response.json())
            self.backoff.reset()
            return 0.0
        if status == 429 or status >= 500:
            return self._failed(f"HTTP {status}", _retry_after_s(response))
        if status in WHOLE_BATCH_REFUSED:
            return self._split(batch, response)
        # 401, 403, 404 ...: the agent's settings are wrong; nothing is the events' fault.
        return self._failed(f"HTTP {status}: {_detail(response)}", 0.0)

    def _report(self) -> dict[str, str]:
        """The queue as it stands, for the server's /metrics (the batch sent still in it)."""
        depth, oldest_us = self.queue.backlog()
        age_s = 0.0 if oldest_us is None else max(0.0, time.time() - oldest_us / 1e6)
        return {
            EDGE_AGENT_HEADER: self.queue.agent_id,
            EDGE_BACKLOG_HEADER: str(depth),
            EDGE_OLDEST_HEADER: f"{age_s:.1f}",
        }

    def _settle(self, batch: Sequence[Queued], result: dict[str, Any]) -> None:
        refused = {r["index"]: r["reason"] for r in result.get("rejected_events", [])}
        for index, reason in refused.items():
            self.queue.dead_letter(batch[index], reason, 422)
        kept = [item for index, item in enumerate(batch) if index not in refused]
        self.queue.acknowledge(kept, duplicates=int(result["duplicates"]))

    def _split(self, batch: Sequence[Queued], response: httpx.Response) -> float:
        if len(batch) == 1:
            self.queue.dead_letter(batch[0], _detail(response), response.status_code)
            return 0.0
        middle = len(batch) // 2
        return self.send(batch[:middle]) or self.send(batch[middle:])


def _retry_after_s(response: httpx.Response) -> float:
    """Retry-After as seconds: a number of seconds, or an HTTP date."""
    value = response.headers.get("retry-after")
    if not value:
        return 0.0
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return 0.0


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", response.text))
    except ValueError:
        return response.text[:300]
