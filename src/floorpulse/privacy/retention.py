"""Retention: raw events older than FLOORPULSE_RETENTION_DAYS are deleted; their hourly and
daily rollups stay, so figures over any span survive (docs/PRIVACY.md).

The hours before the horizon are rolled up first, and become final: a later change of
settings does not rebuild them (their events are gone), and events that old are refused at
ingestion. Events up to one state timeout before the horizon are kept a while longer: the first
hour after it carries its opening state in from them.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from floorpulse.analytics.rollups import Rollups
from floorpulse.clock import Clock, utc_now
from floorpulse.db.engine import Database
from floorpulse.db.epoch import to_epoch_us
from floorpulse.metrics.tally import hour_start
from floorpulse.privacy import repository
from floorpulse.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Purged:
    before_us: int  # figures before this are final
    deleted: int


class Retention:
    def __init__(
        self, db: Database, settings: Settings, rollups: Rollups, clock: Clock = utc_now
    ) -> None:
        self.db = db
        self.settings = settings
        self.rollups = rollups
        self.clock = clock

    def purge(self) -> Purged | None:
        """Delete the raw events past retention, once their hours are rolled up (None: no
        retention is set)."""
        days = self.settings.retention_days
        if days is None:
            return None
        horizon_us = hour_start(to_epoch_us(self.clock() - timedelta(days=days)))
        while self._stale_before(horizon_us):
            self.rollups.rebuild_some(settled=False)
        with self.db.write() as conn:
            horizon_us = max(horizon_us, repository.final_before(conn))
            kept_from_us = horizon_us - self.settings.state_timeout_us
            deleted = repository.delete_events_before(conn, kept_from_us)
            repository.record(conn, horizon_us, to_epoch_us(self.clock()), deleted)
        return Purged(horizon_us, deleted)

    def _stale_before(self, before_us: int) -> bool:
        with self.db.read() as conn:
            return repository.stale_before(conn, before_us)


async def keep_purging(
    retention: Retention, interval_s: float, may_run: Callable[[], bool] = lambda: True
) -> None:
    """Purge every `interval_s`, the first time one interval after start (start-up stays quick),
    in a thread, in the one process `may_run` says; a failure is logged and tried again at
    the next."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            purged = await asyncio.to_thread(lambda: retention.purge() if may_run() else None)
        except Exception:
            log.exception("deleting raw events past retention failed; retrying")
        else:
            if purged and purged.deleted:
                log.info("deleted %d raw events past retention", purged.deleted)
