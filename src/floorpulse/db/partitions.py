"""PostgreSQL: events partitioned by month of event time, created ahead, dropped whole.

Each UTC month of events is a table of its own (`events_y2026m12`), so a query of a window
reads only its months, every index stays the size of a month, and retention drops old months
instead of deleting their rows one by one. An event outside the months made goes to
`events_default`, and moves into its month's table when that is made. SQLite keeps one table.
"""

import asyncio
import logging
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from sqlalchemy import Connection, text

from floorpulse.clock import Clock
from floorpulse.db.engine import Database
from floorpulse.db.epoch import from_epoch_us, to_epoch_us

log = logging.getLogger(__name__)

MONTHS_AHEAD = 3
KEEP_AHEAD_S = 6 * 3600.0
DEFAULT = "events_default"
_MONTH = re.compile(r"^events_y(\d{4})m(\d{2})$")
# Held while months are made or dropped: two processes doing it at once would collide.
_LOCK = "SELECT pg_advisory_xact_lock(hashtext('floorpulse.partitions'))"
# Attaching and detaching a month lock out readers of the default partition (or of all events)
# for a moment, and readers that came later queue behind that wait. A reader whose thread holds
# an older read open (a view reads in several connections) would wait on itself: so the wait is
# given up after this long, and the job tries again later.
_LOCK_WAIT = "SET LOCAL lock_timeout = '1s'"
RETRY_S = 60.0


def is_partition(name: str) -> bool:
    """Whether a table is one of the events' partitions (schema comparisons leave them out)."""
    return name == DEFAULT or _MONTH.match(name) is not None


def month_name(month: datetime) -> str:
    return f"events_y{month.year:04d}m{month.month:02d}"


def months(first_us: int, last_us: int) -> Iterator[datetime]:
    """The starts of the UTC months from the one holding `first_us` to the one holding `last_us`."""
    month = _month_of(from_epoch_us(first_us))
    while to_epoch_us(month) <= last_us:
        yield month
        month = _next(month)


def made(conn: Connection) -> set[str]:
    """The month tables attached to events."""
    rows = conn.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'events'::regclass"
        )
    )
    return {name for (name,) in rows if _MONTH.match(name)}


def make_months(conn: Connection, first_us: int, last_us: int) -> list[str]:
    """Make the month tables from `first_us`'s month to `last_us`'s that are not made yet,
    each taking its events out of the default partition; answer the ones made."""
    _hold(conn)
    have = made(conn)
    wanted = [m for m in months(first_us, last_us) if month_name(m) not in have]
    if wanted:
        # Inserts wait meanwhile (moments, unless the default partition holds the months'
        # events): one routed to the default partition before a month is attached, and
        # written after, would fail the default partition's new bounds.
        conn.execute(text("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE"))
    for month in wanted:
        _make(conn, month)
    return [month_name(m) for m in wanted]


def keep_ahead(conn: Connection, now_us: int) -> list[str]:
    """Make this month's table and the next MONTHS_AHEAD months'."""
    ahead = _month_of(from_epoch_us(now_us))
    for _ in range(MONTHS_AHEAD):
        ahead = _next(ahead)
    return make_months(conn, now_us, to_epoch_us(ahead))


def drop_before(conn: Connection, before_us: int) -> int:
    """Drop the month tables wholly before `before_us`; answer how many events they held."""
    _hold(conn)
    dropped = 0
    for name in sorted(made(conn)):
        year, month = map(int, _MONTH.match(name).groups())  # type: ignore[union-attr]
        if to_epoch_us(_next(datetime(year, month, 1, tzinfo=UTC))) > before_us:
            continue
        dropped += int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
        conn.execute(text(f'ALTER TABLE events DETACH PARTITION "{name}"'))
        conn.execute(text(f'DROP TABLE "{name}"'))
    return dropped


async def keep_months_ahead(
    db: Database, clock: Clock, may_run: Callable[[], bool], interval_s: float = KEEP_AHEAD_S
) -> None:
    """Make the months ahead now and every `interval_s`, in the one process `may_run` says;
    a failure is logged and tried again at the next turn (events meanwhile go to the default
    partition: none is refused)."""
    while True:
        try:
            made_now = await asyncio.to_thread(_keep_ahead_once, db, clock, may_run)
        except Exception:
            log.warning("making the months ahead of events failed; retrying", exc_info=True)
            await asyncio.sleep(min(RETRY_S, interval_s))
            continue
        if made_now:
            log.info("made the month tables of events %s", ", ".join(made_now))
        await asyncio.sleep(interval_s)


def _keep_ahead_once(db: Database, clock: Clock, may_run: Callable[[], bool]) -> list[str]:
    if not may_run():
        return []
    with db.write() as conn:
        return keep_ahead(conn, to_epoch_us(clock()))


def _hold(conn: Connection) -> None:
    """Take the months' lock for this transaction; its table locks wait 1 s at most."""
    conn.execute(text(_LOCK))
    conn.execute(text(_LOCK_WAIT))


def _make(conn: Connection, month: datetime) -> None:
    # Made apart, filled from the default partition, then attached: attaching checks the
    # default partition holds nothing of the month, which making it in place would refuse.
    name, start_us, end_us = month_name(month), to_epoch_us(month), to_epoch_us(_next(month))
    bounds = {"start": start_us, "end": end_us}
    conn.execute(
        text(f'CREATE TABLE "{name}" (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)')
    )
    conn.execute(
        text(
            f'WITH moved AS (DELETE FROM "{DEFAULT}" WHERE ts_us >= :start AND ts_us < :end'
            f' RETURNING *) INSERT INTO "{name}" SELECT * FROM moved'
        ),
        bounds,
    )
    attach = (
        f'ALTER TABLE events ATTACH PARTITION "{name}" FOR VALUES FROM ({start_us}) TO ({end_us})'
    )
    conn.execute(text(attach))


def _month_of(instant: datetime) -> datetime:
    return datetime(instant.year, instant.month, 1, tzinfo=UTC)


def _next(month: datetime) -> datetime:
    return datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=UTC)
