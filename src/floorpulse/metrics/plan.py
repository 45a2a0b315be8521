"""How to read a window's figures cheaply: which parts from daily or hourly rollups, which raw.

A window is cut into whole UTC days (daily rollups), whole UTC hours (hourly rollups) and the
partial hours at its edges (raw events). A partial hour is read from whichever side is shorter:
its own part raw, or, when that part is more than half the hour, the hour's rollup minus the raw
part outside the window. Tallies add up over any cut of a window, so the pieces' signed sum is
the window's figure.
"""

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from floorpulse.metrics.intervals import Window
from floorpulse.metrics.tally import US_PER_HOUR

US_PER_DAY = 24 * US_PER_HOUR


class Source(Enum):
    RAW = "raw"
    HOURS = "hours"
    DAYS = "days"


@dataclass(frozen=True)
class Piece:
    """`[start_us, end_us)` of bucket `bucket`, read from `source`, added (+1) or taken (-1)."""

    bucket: int
    source: Source
    start_us: int
    end_us: int
    sign: int = 1


def plan(windows: Sequence[Window], stale_hours: Container[int]) -> list[Piece]:
    """The pieces that make up each window (window i is bucket i).

    `stale_hours` are hours whose rollup is out of date for some worker: their partial parts
    are read raw. Stale whole hours are still planned as rollups; the caller replaces them.
    """
    pieces: list[Piece] = []
    for bucket, window in enumerate(windows):
        pieces += _pieces(bucket, window, stale_hours)
    return pieces


def _pieces(bucket: int, window: Window, stale_hours: Container[int]) -> list[Piece]:
    start, end = window.start_us, window.end_us
    first = _ceil(start, US_PER_HOUR)
    last = _floor(end, US_PER_HOUR)
    if first > last:  # inside one hour
        return [Piece(bucket, Source.RAW, start, end)] if start < end else []
    pieces = _head(bucket, start, first, stale_hours) + _whole(bucket, first, last)
    return pieces + _tail(bucket, last, end, stale_hours)


def _head(bucket: int, start: int, first: int, stale_hours: Container[int]) -> list[Piece]:
    """`[start, first)`: the end of the hour before `first`."""
    hour = first - US_PER_HOUR
    if start == first:
        return []
    if first - start <= US_PER_HOUR // 2 or hour in stale_hours:
        return [Piece(bucket, Source.RAW, start, first)]
    return [
        Piece(bucket, Source.HOURS, hour, first),
        Piece(bucket, Source.RAW, hour, start, sign=-1),
    ]


def _tail(bucket: int, last: int, end: int, stale_hours: Container[int]) -> list[Piece]:
    """`[last, end)`: the start of the hour `last`."""
    if end == last:
        return []
    if end - last <= US_PER_HOUR // 2 or last in stale_hours:
        return [Piece(bucket, Source.RAW, last, end)]
    return [
        Piece(bucket, Source.HOURS, last, last + US_PER_HOUR),
        Piece(bucket, Source.RAW, end, last + US_PER_HOUR, sign=-1),
    ]


def _whole(bucket: int, first: int, last: int) -> list[Piece]:
    """Whole hours `[first, last)`: whole days from daily rollups, the rest hourly."""
    first_day, last_day = _ceil(first, US_PER_DAY), _floor(last, US_PER_DAY)
    if first_day >= last_day:
        spans = [(Source.HOURS, first, last)]
    else:
        spans = [
            (Source.HOURS, first, first_day),
            (Source.DAYS, first_day, last_day),
            (Source.HOURS, last_day, last),
        ]
    return [Piece(bucket, source, a, b) for source, a, b in spans if a < b]


def spans(starts: Iterable[int], length: int) -> list[tuple[int, int]]:
    """Sorted period starts as `[first, end)` spans of consecutive periods, so that each span
    is read once."""
    found: list[tuple[int, int]] = []
    for start in starts:
        if found and found[-1][1] == start:
            found[-1] = (found[-1][0], start + length)
        else:
            found.append((start, start + length))
    return found


def _floor(us: int, unit: int) -> int:
    return us - us % unit


def _ceil(us: int, unit: int) -> int:
    return -(-us // unit) * unit
