"""Hourly rollups kept in step with the events: hours marked stale as events arrive, rebuilt later.

A worker's hour keeps its tallies (state time and units, analytics) and its detections per
model version and camera (model health, mlops); both are rebuilt together.

Storing an event marks the hours it can change (its own state's, at most the timeout long) stale
in the same transaction, so no stored event is ever missing from the figures: a query reads stale
hours from raw events, fresh ones from the rollups. A background task rebuilds stale hours; many
batches landing in one hour cost one rebuild, not one each.
"""

import asyncio
import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, Row

from floorpulse.analytics import repository
from floorpulse.analytics.repository import StaleKey
from floorpulse.clock import Clock, utc_now
from floorpulse.db.engine import Database
from floorpulse.db.epoch import to_epoch_us
from floorpulse.events.repository import NewEvent
from floorpulse.metrics.intervals import Window
from floorpulse.metrics.plan import spans
from floorpulse.metrics.tally import US_PER_HOUR, Key, Tally, hour_start, hours_touched, tally
from floorpulse.mlops import repository as models
from floorpulse.mlops.repository import HourCount
from floorpulse.settings import Settings

log = logging.getLogger(__name__)

# Stale hours rebuilt per transaction: bounds how long one rebuild holds SQLite's write lock.
REBUILD_BATCH = 200
# What each hour keeps: tallies (1), and detections per model version and camera (2).
KEPT = "2"


def changed_hours(rows: Iterable[NewEvent], *, timeout_us: int) -> set[StaleKey]:
    """The hours that storing these rows can change (give it only the rows that count)."""
    hours: set[StaleKey] = set()
    for row in rows:
        hour_us = hour_start(row.ts_us)
        hours.add((row.site_id, row.worker_id, hour_us))
        # Most states end within their own hour; only those reaching past it need the range.
        if row.event_type != "product_count" and row.ts_us + timeout_us > hour_us + US_PER_HOUR:
            hours.update(
                (row.site_id, row.worker_id, h) for h in hours_touched(row.ts_us, timeout_us)
            )
    return hours


class Rollups:
    """Rebuilds stale hourly rollups from events.

    The events are read and tallied in a read transaction; only saving the result takes the
    write lock, briefly, so rebuilding never holds up ingestion for long.
    """

    def __init__(self, db: Database, settings: Settings, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock
        self.timeout_us = settings.state_timeout_us
        self.min_confidence = settings.confidence_threshold
        self.settle_us = round(settings.rollup_settle_s * 1_000_000)

    def check_basis(self) -> bool:
        """Mark every hour stale if the rollups were built with other settings; True if so."""
        basis = {
            "state_timeout_us": str(self.timeout_us),
            "min_confidence": repr(self.min_confidence),
            # Bumped when what is kept per hour grows: every hour is then built again.
            "kept": KEPT,
        }
        with self.db.write() as conn:
            if repository.get_basis(conn) == basis:
                return False
            repository.mark_all_stale(conn, self.timeout_us)
            repository.set_basis(conn, basis)
        return True

    def rebuild_some(self, limit: int = REBUILD_BATCH, *, settled: bool = True) -> int:
        """Rebuild up to `limit` stale hours; answer how many were taken.

        With `settled`, only hours no event has touched for FLOORPULSE_ROLLUP_SETTLE_S: an hour
        still being written would be rebuilt again and again for nothing.
        """
        marked_before_us = to_epoch_us(self.clock()) - self.settle_us if settled else 2**62
        with self.db.read() as conn:
            taken = repository.settled_stale(conn, limit, marked_before_us)
            rebuilt = list(self._tally_taken(conn, taken))
        if taken:
            with self.db.write() as conn:
                claimed = repository.claim_stale(conn, taken)
                for site_id, worker_id, hours, tallies, counts in rebuilt:
                    mine = [h for h in hours if (site_id, worker_id, h) in claimed]
                    repository.replace_rollups(conn, site_id, worker_id, mine, tallies)
                    models.replace_hours(conn, site_id, worker_id, mine, counts)
        return len(taken)

    def rebuild_all(self) -> None:
        """Rebuild until nothing is stale, settled or not (tests, benchmarks, the CLI)."""
        while self.rebuild_some(settled=False) == REBUILD_BATCH:
            pass

    def _tally_taken(
        self, conn: Connection, taken: list[Row[Any]]
    ) -> Iterator[tuple[str, str, list[int], dict[Key, Tally], list[HourCount]]]:
        for (site_id, worker_id), rows in groupby(taken, key=lambda r: (r.site_id, r.worker_id)):
            hours = [row.hour_us for row in rows]
            for start, end in spans(hours, US_PER_HOUR):
                counts = models.raw_counts(conn, site_id, start, end, worker_id)
                hourly = tally_span(
                    conn,
                    site_id,
                    Window(start, end),
                    worker_id,
                    timeout_us=self.timeout_us,
                    min_confidence=self.min_confidence,
                    bucket_us=US_PER_HOUR,
                )
                taken_hours = [h for h in hours if start <= h < end]
                yield site_id, worker_id, taken_hours, hourly, [count for _, count in counts]


def tally_span(
    conn: Connection,
    site_id: str,
    window: Window,
    worker_id: str | None,
    *,
    timeout_us: int,
    min_confidence: float,
    bucket_us: int | None = None,
) -> dict[Key, Tally]:
    """Tallies of `window` from raw events (of one worker, or all).

    Reads back one timeout before the window: a state begun that long before can reach into it.
    """
    states, units = repository.load_events(
        conn, site_id, window.start_us - timeout_us, window.end_us, min_confidence, worker_id
    )
    return tally(states, units, window, timeout_us, bucket_us)


async def keep_fresh(
    rollups: Rollups, interval_s: float, may_run: Callable[[], bool] = lambda: True
) -> None:
    """Rebuild stale hours for as long as the app runs, then every `interval_s` seconds, in
    the one process `may_run` says (db/leases.py).

    A backlog (a settings change, a camera's hours of late events) is worked through at half
    pace: after each full batch the task rests as long as the batch took, so ingestion keeps
    most of the CPU meanwhile (storing at full pace fell from 41,000 to 14,000 events/s while
    10 million events' hours were rebuilt). Stale hours are read from raw events until then,
    so figures stay right. A failure is logged and retried; the hours stay marked meanwhile.
    """
    loop = asyncio.get_running_loop()
    basis_checked = False
    with ThreadPoolExecutor(1, thread_name_prefix="rollups") as pool:
        while True:
            began = loop.time()
            try:
                if not await loop.run_in_executor(pool, may_run):
                    await asyncio.sleep(interval_s)
                    continue
                if not basis_checked:
                    await loop.run_in_executor(pool, rollups.check_basis)
                    basis_checked = True
                rebuilt = await loop.run_in_executor(pool, rollups.rebuild_some)
            except Exception:
                log.exception("rebuilding hourly rollups failed; retrying")
                rebuilt = 0
            await asyncio.sleep(loop.time() - began if rebuilt == REBUILD_BATCH else interval_s)
