"""Use cases of alerts: evaluate the drift report into alerts, list them, acknowledge, resolve.

An evaluation opens an alert for each new cause, updates the evidence of those still found
(an acknowledged alert stays acknowledged: somebody is on it) and resolves those no longer
found. A drift alert that opens queues one webhook delivery per configured URL in the same
transaction, so a notice is never lost between the two.
"""

import asyncio
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from floorpulse.clock import Clock, utc_now
from floorpulse.db.engine import Database
from floorpulse.db.epoch import from_epoch_us, to_epoch_us
from floorpulse.errors import Conflict, NotFound
from floorpulse.mlops import repository
from floorpulse.mlops.findings import DRIFT_SIGNALS, Finding, findings
from floorpulse.mlops.schemas import (
    AlertOut,
    AlertQuery,
    DeliveryOut,
    Evaluation,
    HealthQuery,
)
from floorpulse.mlops.service import ModelHealth
from floorpulse.settings import Settings

log = logging.getLogger(__name__)


class Alerts:
    def __init__(
        self, db: Database, settings: Settings, health: ModelHealth, clock: Clock = utc_now
    ) -> None:
        self.db = db
        self.settings = settings
        self.health = health
        self.clock = clock
        # The scheduled and an asked-for evaluation must not both open the same cause.
        self._evaluating = threading.Lock()

    def evaluate(self, site: str | None = None) -> Evaluation:
        site = site or self.settings.default_site
        with self._evaluating:
            now = self.clock()
            found = {
                f.cause: f for f in findings(self.health.drift(HealthQuery(site=site, to=now)))
            }
            now_us = to_epoch_us(now)
            opened, updated, resolved = [], [], []
            with self.db.write() as conn:
                unresolved = repository.unresolved_alerts(conn, site)
                for cause, finding in found.items():
                    if cause in unresolved:
                        alert_id = unresolved[cause].id
                        repository.update_alert(conn, alert_id, _refreshed(finding, now_us))
                        updated.append(alert_id)
                    else:
                        alert_id = repository.insert_alert(conn, _new(site, finding, now_us))
                        opened.append(alert_id)
                        if finding.drift:
                            alert = _out(repository.get_alert(conn, alert_id))
                            repository.enqueue_deliveries(conn, self._deliveries(alert, now_us))
                for cause, row in unresolved.items():
                    if cause not in found:
                        repository.update_alert(conn, row.id, _closed("cleared", now_us))
                        resolved.append(row.id)
                answer = Evaluation(
                    evaluated_at=now,
                    opened=self._rows(conn, opened),
                    updated=self._rows(conn, updated),
                    resolved=self._rows(conn, resolved),
                )
        return answer

    def listed(self, query: AlertQuery) -> list[AlertOut]:
        with self.db.read() as conn:
            rows = repository.list_alerts(conn, query.site, query.state, query.limit)
        return [_out(row) for row in rows]

    def get(self, alert_id: int) -> AlertOut:
        with self.db.read() as conn:
            return _out(self._existing(conn, alert_id))

    def acknowledge(self, alert_id: int) -> AlertOut:
        """Somebody is on it: it stays listed, and evaluations keep its evidence fresh."""
        with self.db.write() as conn:
            row = self._existing(conn, alert_id)
            if row.state == "resolved":
                raise Conflict(f"alert {alert_id} is resolved already; nothing to acknowledge")
            if row.state == "open":
                now_us = to_epoch_us(self.clock())
                repository.update_alert(
                    conn, alert_id, {"state": "acknowledged", "acknowledged_us": now_us}
                )
            return _out(repository.get_alert(conn, alert_id))

    def resolve(self, alert_id: int) -> AlertOut:
        """Dealt with. Should the cause still be found, the next evaluation opens a new alert."""
        with self.db.write() as conn:
            row = self._existing(conn, alert_id)
            if row.state != "resolved":
                repository.update_alert(
                    conn, alert_id, _closed("person", to_epoch_us(self.clock()))
                )
            return _out(repository.get_alert(conn, alert_id))

    def deliveries(self, alert_id: int) -> list[DeliveryOut]:
        with self.db.read() as conn:
            self._existing(conn, alert_id)
            return [delivery_out(row) for row in repository.deliveries_of(conn, alert_id)]

    def _existing(self, conn: Any, alert_id: int) -> Any:
        row = repository.get_alert(conn, alert_id)
        if row is None:
            raise NotFound(f"no alert {alert_id}")
        return row

    def _rows(self, conn: Any, ids: list[int]) -> list[AlertOut]:
        return [_out(repository.get_alert(conn, alert_id)) for alert_id in ids]

    def _deliveries(self, alert: AlertOut, now_us: int) -> list[dict[str, Any]]:
        payload = {"type": "alert.opened", "alert": alert.model_dump(mode="json")}
        return [
            {
                "alert_id": alert.id,
                "url": str(url),
                "payload": payload,
                "state": "pending",
                "attempts": 0,
                "created_us": now_us,
                "next_attempt_us": now_us,
            }
            for url in self.settings.webhook_urls
        ]


def _new(site: str, finding: Finding, now_us: int) -> dict[str, Any]:
    return {
        "site_id": site,
        "cause": finding.cause,
        "signal": finding.signal,
        "scope": finding.scope,
        "subject": finding.subject,
        "state": "open",
        "opened_us": now_us,
        **_refreshed(finding, now_us),
    }


def _refreshed(finding: Finding, now_us: int) -> dict[str, Any]:
    return {"summary": finding.summary[:500], "evidence": finding.evidence, "updated_us": now_us}


def _closed(by: str, now_us: int) -> dict[str, Any]:
    return {"state": "resolved", "resolved_us": now_us, "resolved_by": by}


def _at(us: int | None) -> datetime | None:
    return from_epoch_us(us) if us is not None else None


def _out(row: Any) -> AlertOut:
    return AlertOut(
        id=row.id,
        site_id=row.site_id,
        cause=row.cause,
        signal=row.signal,
        scope=row.scope,
        subject=row.subject,
        state=row.state,
        summary=row.summary,
        evidence=row.evidence,
        retraining_trigger=row.signal in DRIFT_SIGNALS,
        opened_at=from_epoch_us(row.opened_us),
        updated_at=from_epoch_us(row.updated_us),
        acknowledged_at=_at(row.acknowledged_us),
        resolved_at=_at(row.resolved_us),
        resolved_by=row.resolved_by,
    )


def delivery_out(row: Any) -> DeliveryOut:
    return DeliveryOut(
        id=row.id,
        alert_id=row.alert_id,
        url=row.url,
        state=row.state,
        attempts=row.attempts,
        created_at=from_epoch_us(row.created_us),
        next_attempt_at=_at(row.next_attempt_us) if row.state == "pending" else None,
        delivered_at=_at(row.delivered_us),
        last_status=row.last_status,
        last_error=row.last_error,
    )


async def keep_evaluating(
    alerts: Alerts,
    interval_s: float,
    first_after_s: float = 60.0,
    may_run: Callable[[], bool] = lambda: True,
) -> None:
    """Evaluate alerts for as long as the app runs: first soon after start (a server restarted
    more often than the interval still evaluates), then every `interval_s` seconds, in the one
    process `may_run` says. A failure is logged and tried again at the next turn."""
    await asyncio.sleep(min(first_after_s, interval_s))
    while True:
        try:
            if await asyncio.to_thread(may_run):
                await asyncio.to_thread(alerts.evaluate)
        except Exception:
            log.exception(
                "evaluating model-health alerts failed; trying again in %.0f s", interval_s
            )
        await asyncio.sleep(interval_s)
