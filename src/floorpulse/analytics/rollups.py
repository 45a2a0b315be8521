"""Hourly rollups kept in step with the events: hours marked stale as events arrive, rebuilt later.

Storing an event marks the hours it can change (its own state's, at most the timeout long) stale
in the same transaction, so no stored event is ever missing from the figures: a query reads stale
hours from raw events, fresh ones from the rollups. A background task rebuilds stale hours; many
batches landing in one hour cost one rebuild, not one each.
"""

import asyncio
import logging
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import groupby

from sqlalchemy import Connection

from floorpulse.analytics import repository
from floorpulse.analytics.repository import StaleKey
from floorpulse.db.engine import Database
from floorpulse.events.repository import NewEvent
from floorpulse.metrics.intervals import Window
from floorpulse.metrics.tally import US_PER_HOUR, hours_touched, tally
from floorpulse.settings import Settings

log = logging.getLogger(__name__)

# Stale hours rebuilt per transaction: bounds how long one rebuild holds SQLite's write lock.
REBUILD_BATCH = 200


def mark_changed_hours(
    conn: Connection, rows: Iterable[NewEvent], *, timeout_us: int, min_confidence: float
) -> None:
    """Mark the hours that stored rows can change as stale (duplicates too: harmless)."""
    hours: set[StaleKey] = set()
    for row in rows:
        if row.confidence < min_confidence:
            continue
        hour_us = row.ts_us - row.ts_us % US_PER_HOUR
        hours.add((row.site_id, row.worker_id, hour_us))
        if row.event_type != "product_count" and row.ts_us + timeout_us > hour_us + US_PER_HOUR:
            hours.update(
                (row.site_id, row.worker_id, h) for h in hours_touched(row.ts_us, timeout_us)
            )
    repository.mark_stale(conn, hours)


class Rollups:
    """Rebuilds stale hourly rollups from events."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.timeout_us = settings.state_timeout_us
        self.min_confidence = settings.confidence_threshold

    def check_basis(self) -> bool:
        """Mark every hour stale if the rollups were built with other settings; True if so."""
        basis = {
            "state_timeout_us": str(self.timeout_us),
            "min_confidence": repr(self.min_confidence),
        }
        with self.db.write() as conn:
            if repository.get_basis(conn) == basis:
                return False
            repository.mark_all_stale(conn, self.timeout_us)
            repository.set_basis(conn, basis)
        return True

    def rebuild_some(self, limit: int = REBUILD_BATCH) -> int:
        """Rebuild up to `limit` stale hours in one transaction; answer how many there were."""
        with self.db.write() as conn:
            taken = repository.take_stale(conn, limit)
            for (site_id, worker_id), rows in groupby(
                taken, key=lambda r: (r.site_id, r.worker_id)
            ):
                for first_us, end_us in hour_spans(row.hour_us for row in rows):
                    self._rebuild(conn, site_id, worker_id, first_us, end_us)
            repository.clear_stale(conn, taken)
        return len(taken)

    def rebuild_all(self) -> None:
        """Rebuild until nothing is stale (tests, benchmarks, the CLI)."""
        while self.rebuild_some() == REBUILD_BATCH:
            pass

    def _rebuild(
        self, conn: Connection, site_id: str, worker_id: str, start: int, end: int
    ) -> None:
        states, units = repository.load_events(
            conn, site_id, start - self.timeout_us, end, self.min_confidence, worker_id
        )
        hourly = tally(states, units, Window(start, end), self.timeout_us, US_PER_HOUR)
        repository.replace_rollups(conn, site_id, worker_id, (start, end), hourly)


def hour_spans(hours_us: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Consecutive hours as `[first, end)` spans, so that each span is loaded once."""
    first = previous = None
    for hour_us in hours_us:
        if previous is not None and hour_us != previous + US_PER_HOUR:
            assert first is not None
            yield first, previous + US_PER_HOUR
            first = None
        first = hour_us if first is None else first
        previous = hour_us
    if first is not None and previous is not None:
        yield first, previous + US_PER_HOUR


async def keep_fresh(rollups: Rollups, interval_s: float) -> None:
    """Rebuild stale hours for as long as the app runs: at once while any remain, then every
    `interval_s` seconds. A failure is logged and retried; the hours stay marked meanwhile."""
    loop = asyncio.get_running_loop()
    basis_checked = False
    with ThreadPoolExecutor(1, thread_name_prefix="rollups") as pool:
        while True:
            try:
                if not basis_checked:
                    await loop.run_in_executor(pool, rollups.check_basis)
                    basis_checked = True
                rebuilt = await loop.run_in_executor(pool, rollups.rebuild_some)
            except Exception:
                log.exception("rebuilding hourly rollups failed; retrying")
                rebuilt = 0
            if rebuilt < REBUILD_BATCH:
                await asyncio.sleep(interval_s)
