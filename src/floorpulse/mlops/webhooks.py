"""Sending queued alert notices to the retraining hooks: signed, retried, logged.

Each delivery's body is the same bytes at every attempt, signed with HMAC-SHA256 of the
shared secret (`X-FloorPulse-Signature: sha256=<hex>`); `X-FloorPulse-Delivery` names the
delivery, so that a receiver which got one twice (the server stopped between sending and
saving the answer) can tell. A 2xx answer delivers; anything else, or no answer, is tried
again after FLOORPULSE_WEBHOOK_RETRY_S, twice as long each time, up to
FLOORPULSE_WEBHOOK_MAX_ATTEMPTS; then the delivery is failed, and its log says why.
"""

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

import httpx

from floorpulse import __version__
from floorpulse.clock import Clock, utc_now
from floorpulse.db.engine import Database
from floorpulse.db.epoch import to_epoch_us
from floorpulse.mlops import repository
from floorpulse.settings import Settings

log = logging.getLogger(__name__)
BATCH = 20  # deliveries taken per round


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class Webhooks:
    def __init__(self, db: Database, settings: Settings, clock: Clock = utc_now) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock

    async def send_due(self, client: httpx.AsyncClient) -> int:
        """Attempt every delivery that is due; answer how many were attempted."""
        now_us = to_epoch_us(self.clock())
        due = await asyncio.to_thread(self._due, now_us)
        for row in due:
            status, error = await self._post(client, row)
            await asyncio.to_thread(self._record, row, status, error)
        return len(due)

    def _due(self, now_us: int) -> list[Any]:
        with self.db.read() as conn:
            return repository.due_deliveries(conn, now_us, BATCH)

    async def _post(self, client: httpx.AsyncClient, row: Any) -> tuple[int | None, str | None]:
        body = body_of(row.payload)
        secret = self.settings.webhook_secret
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"FloorPulse/{__version__}",
            "X-FloorPulse-Event": row.payload["type"],
            "X-FloorPulse-Delivery": str(row.id),
            **(
                {"X-FloorPulse-Signature": signature(secret.get_secret_value(), body)}
                if secret
                else {}
            ),
        }
        try:
            answer = await client.post(row.url, content=body, headers=headers)
        except httpx.HTTPError as error:
            return None, f"{type(error).__name__}: {error}"[:500]
        if answer.is_success:
            return answer.status_code, None
        return answer.status_code, f"answered {answer.status_code}: {answer.text[:200]}"

    def _record(self, row: Any, status: int | None, error: str | None) -> None:
        now_us = to_epoch_us(self.clock())
        attempts = row.attempts + 1
        values: dict[str, Any] = {"attempts": attempts, "last_status": status, "last_error": error}
        if error is None:
            values |= {"state": "delivered", "delivered_us": now_us}
        elif attempts >= self.settings.webhook_max_attempts:
            values |= {"state": "failed"}
            log.warning("webhook delivery %s to %s failed for good: %s", row.id, row.url, error)
        else:
            wait_s = self.settings.webhook_retry_s * 2 ** (attempts - 1)
            values |= {"next_attempt_us": now_us + round(wait_s * 1_000_000)}
        with self.db.write() as conn:
            repository.record_attempt(conn, row.id, values)


async def keep_delivering(
    webhooks: Webhooks, interval_s: float = 1.0, may_run: Callable[[], bool] = lambda: True
) -> None:
    """Send due deliveries for as long as the app runs, from the one process `may_run` says
    (else each would send them); a failure is logged and retried."""
    timeout = httpx.Timeout(webhooks.settings.webhook_timeout_s)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
        while True:
            try:
                if await asyncio.to_thread(may_run):
                    await webhooks.send_due(client)
            except Exception:
                log.exception("sending webhook deliveries failed; retrying")
            await asyncio.sleep(interval_s)
