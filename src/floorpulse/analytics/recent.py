"""The recent hours' tallies, kept in memory as events are stored (metrics/running.py).

The hours a dashboard shows most, the open one and the one before, are the ones whose rollups
are stale: events keep arriving. Tallied from raw events at each refresh, a busy open hour (a
backlog's burst put 120,000 events in it) cost the drawing process a core. Kept here, each
event is read once, when it is new, and a view of the hour is a lookup.

Which events are new: ids grow as rows are inserted, but on PostgreSQL a transaction that drew
its ids first can commit after one that drew later ones. So the ids missing below the newest
one read are asked for again at each catch-up, until they appear or GAP_S has passed: a
rolled-back insert's ids never appear, nor do those a duplicate used up. Every CHECK_S the kept
hours' fingerprints (count, newest id and offsets per hour, as analytics/timeline.py reads them)
are compared with the store's in the same snapshot; should they differ (a row that committed
later still, rows deleted by hand), everything kept is read afresh. Sample data replaces every
event when it is seeded: a new seeding is seen at once, and everything is read afresh too.
"""

import logging
import threading
import time
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from floorpulse.analytics import repository
from floorpulse.clock import Clock
from floorpulse.db.engine import Database
from floorpulse.db.epoch import to_epoch_us
from floorpulse.metrics.intervals import Band, StateEvent, Window
from floorpulse.metrics.running import Running
from floorpulse.metrics.tally import US_PER_HOUR, Key, Tally, UnitEvent, hour_start

log = logging.getLogger(__name__)

HOURS_KEPT = 2  # the open hour and the one before it
GAP_S = 30.0  # ids missing this long were never committed: a transaction lasts less
CHECK_S = 60.0  # a check reads every kept event's time (~70 ms for 120,000 on PostgreSQL)
LOOKBACK_IDS = 10_000  # on starting, ids this far below the newest may still be in flight
MAX_GAPS = 1_000  # beyond this the oldest are given up: the fingerprints catch what they hide


@dataclass(frozen=True)
class Gap:
    """Ids `lo` to `hi` (inclusive), not yet seen since `since_s` (monotonic)."""

    lo: int
    hi: int
    since_s: float


def still_missing(gaps: Sequence[Gap], found: Sequence[int]) -> list[Gap]:
    """The parts of the gaps (in id order, not overlapping) no id of `found` (sorted) fills."""
    left: list[Gap] = []
    at = 0
    for gap in gaps:
        lo = gap.lo
        while at < len(found) and found[at] < lo:
            at += 1
        while at < len(found) and found[at] <= gap.hi:
            if found[at] > lo:
                left.append(Gap(lo, found[at] - 1, gap.since_s))
            lo = found[at] + 1
            at += 1
        if lo <= gap.hi:
            left.append(Gap(lo, gap.hi, gap.since_s))
    return left


def _in_gap(row_id: int, starts: list[int], gaps: list[Gap]) -> bool:
    """Whether the id lies in a gap (`starts`: the gaps' first ids): a catch-up reads it."""
    at = bisect_right(starts, row_id) - 1
    return at >= 0 and row_id <= gaps[at].hi


@dataclass
class _Site:
    """A site's kept hours: their running tallies, and the fingerprints of the events read."""

    running: Running
    prints: dict[int, list[int]] = field(default_factory=dict)  # hour: count, newest id, offsets

    @property
    def first_hour(self) -> int:
        """The first hour whose events are kept: the states reaching into the kept hours."""
        return hour_start(self.running.from_us - self.running.timeout_us)


class Recent:
    """The recent hours of every site asked about; safe to share between threads."""

    def __init__(self, db: Database, timeout_us: int, min_confidence: float, clock: Clock) -> None:
        self.db = db
        self.timeout_us = timeout_us
        self.min_confidence = min_confidence
        self.clock = clock
        self._lock = threading.Lock()
        self._sites: dict[str, _Site] = {}
        self._seen: int | None = None  # the newest id read
        self._seeding: tuple[int, int] | None = None
        self._gaps: list[Gap] = []
        self._checked_s = 0.0

    def refresh(self) -> None:
        """Read what was stored since the last refresh."""
        with self._lock, self.db.read() as conn:
            if self._seen is None or repository.latest_seeding(conn) != self._seeding:
                self._start(conn)
            self._catch_up(conn)
            self._move_on()
            if time.monotonic() - self._checked_s >= CHECK_S and not self._agrees(conn):
                log.warning("the recent hours kept disagreed with the store: read afresh")
                self._start(conn)
                self._catch_up(conn)

    def tally(self, site: str, window: Window, worker: str | None) -> dict[Key, Tally] | None:
        """tally_span()'s answer, from the kept hours as of the last refresh; None if the
        window begins before them."""
        with self._lock:
            kept = self._kept(site)
            if kept is None or not kept.running.covers(window):
                return None
            return kept.running.tally(window, worker)

    def observed(
        self, site: str, window: Window, worker: str | None
    ) -> tuple[int, list[Band]] | None:
        """Where the kept hours begin, and the states observed from there to the window's end
        (Running.observed); None if the window ends before them."""
        with self._lock:
            kept = self._kept(site)
            if kept is None or window.end_us <= kept.running.from_us:
                return None
            begin = max(window.start_us, kept.running.from_us)
            return begin, kept.running.observed(Window(begin, window.end_us), worker)

    def active(self, site: str, now_us: int, worker: str | None) -> set[str] | None:
        """The workers active at `now_us` (of one, or all); None if before the kept hours."""
        with self._lock:
            kept = self._kept(site)
            if kept is None or now_us < kept.running.from_us:
                return None
            found = kept.running.active(now_us)
        return found if worker is None else found & {worker}

    def _from_us(self) -> int:
        return hour_start(to_epoch_us(self.clock())) - (HOURS_KEPT - 1) * US_PER_HOUR

    def _kept(self, site: str) -> _Site | None:
        """The site's kept hours, read now if it was not kept yet (None: never refreshed)."""
        if self._seen is None:
            return None
        if site not in self._sites:
            kept = _Site(Running(self._from_us(), self.timeout_us))
            with self.db.read() as conn:
                rows = repository.site_events_since(conn, site, kept.first_hour, self._seen)
            self._sites[site] = kept
            starts = [gap.lo for gap in self._gaps]
            self._take(row for row in rows if not _in_gap(row.id, starts, self._gaps))
        return self._sites[site]

    def _start(self, conn: Connection) -> None:
        """Forget everything: the sites are read afresh when next asked about."""
        self._sites.clear()
        self._gaps = []
        self._seen = max(0, repository.newest_id(conn) - LOOKBACK_IDS)
        self._seeding = repository.latest_seeding(conn)
        self._checked_s = time.monotonic()

    def _catch_up(self, conn: Connection) -> None:
        """Read the rows above the newest id seen, and those of the gaps below it."""
        assert self._seen is not None
        rows = repository.events_after(conn, self._seen, [(g.lo, g.hi) for g in self._gaps])
        self._take(rows)
        found = [row.id for row in rows]
        now_s = time.monotonic()
        asked = self._gaps
        if found and found[-1] > self._seen:
            asked = [*asked, Gap(self._seen + 1, found[-1], now_s)]
            self._seen = found[-1]
        left = [gap for gap in still_missing(asked, found) if now_s - gap.since_s < GAP_S]
        self._gaps = left[-MAX_GAPS:]

    def _take(self, rows: Iterable[Any]) -> None:
        """Count rows into the kept sites they belong to."""
        for row_id, site, ts_us, worker, station, kind, count, confidence in rows:
            kept = self._sites.get(site)
            if kept is None or ts_us < kept.first_hour:
                continue
            hour = hour_start(ts_us)
            prints = kept.prints.get(hour) or kept.prints.setdefault(hour, [0, 0, 0])
            prints[0] += 1
            prints[1] = max(prints[1], row_id)
            prints[2] += ts_us - hour
            if confidence < self.min_confidence:
                continue
            if kind == "product_count":
                kept.running.add_unit(UnitEvent(ts_us, worker, station, count))
            else:
                kept.running.add_state(StateEvent(ts_us, worker, station, kind))

    def _move_on(self) -> None:
        """Keep only the recent hours as the clock moves on."""
        from_us = self._from_us()
        for kept in self._sites.values():
            if from_us > kept.running.from_us:
                kept.running.forget_before(from_us)
                for hour in [h for h in kept.prints if h < kept.first_hour]:
                    del kept.prints[hour]

    def _agrees(self, conn: Connection) -> bool:
        """Whether the kept hours hold what the store holds, hour by hour."""
        self._checked_s = time.monotonic()
        for site, kept in self._sites.items():
            end_us = max(kept.prints, default=kept.first_hour) + US_PER_HOUR
            stored = repository.hourly_fingerprints(conn, site, kept.first_hour, end_us)
            if stored != {hour: tuple(p) for hour, p in kept.prints.items() if p[0]}:
                return False
        return True
