"""Tallies: seconds per state and units, which add up (hour + hour, worker + worker).

Every figure a manager reads is a ratio of tallied sums, so a tally of a long window is the sum
of the tallies of its parts, whether those come from stored hourly rollups or from raw events.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from floorpulse.metrics.intervals import (
    ABSENT,
    IDLE,
    WORKING,
    StateEvent,
    Window,
    state_intervals,
)

US_PER_S = 1_000_000
US_PER_HOUR = 3600 * US_PER_S
STATE_COLUMN = {WORKING: 0, IDLE: 1, ABSENT: 2}  # Tally's fields, in order

K = TypeVar("K")
T = TypeVar("T")


class UnitEvent(NamedTuple):
    """Units counted at an instant, to a worker and a station (confidence already checked)."""

    ts_us: int
    worker_id: str
    workstation_id: str
    units: int


@dataclass(frozen=True, slots=True)
class Tally:
    """Microseconds in each state and units produced; `+` merges two tallies."""

    working_us: int = 0
    idle_us: int = 0
    absent_us: int = 0
    units: int = 0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(
            self.working_us + other.working_us,
            self.idle_us + other.idle_us,
            self.absent_us + other.absent_us,
            self.units + other.units,
        )

    def __sub__(self, other: "Tally") -> "Tally":
        return Tally(
            self.working_us - other.working_us,
            self.idle_us - other.idle_us,
            self.absent_us - other.absent_us,
            self.units - other.units,
        )

    @property
    def occupied_us(self) -> int:
        """Working plus idle: time at a station (or, for a worker, observed on the job)."""
        return self.working_us + self.idle_us

    @property
    def utilization_pct(self) -> float | None:
        """100 * working / (working + idle); None when neither was observed."""
        return _ratio(self.working_us * 100, self.occupied_us)

    @property
    def units_per_working_hour(self) -> float | None:
        """A worker's rate: units / working hours; None without working time."""
        return _ratio(self.units * US_PER_HOUR, self.working_us)

    @property
    def units_per_occupied_hour(self) -> float | None:
        """A station's throughput: units / occupied hours; None without occupancy."""
        return _ratio(self.units * US_PER_HOUR, self.occupied_us)


def hour_start(ts_us: int) -> int:
    """The start of the (UTC) hour `ts_us` lies in."""
    return ts_us - ts_us % US_PER_HOUR


def hours_touched(ts_us: int, timeout_us: int) -> range:
    """Starts of the hours an event at `ts_us` can change: its own state, and the one before it.

    An event ends the previous state of its worker at `ts_us` and begins one that lasts at most
    `timeout_us`, so nothing outside `[ts_us, ts_us + timeout_us)` moves.
    """
    last_us = ts_us + timeout_us - 1
    return range(hour_start(ts_us), hour_start(last_us) + 1, US_PER_HOUR)


def _ratio(numerator: int, denominator: int) -> float | None:
    # A ratio of nothing is unknown, not 0 and not 100.
    return numerator / denominator if denominator else None


# (worker_id, workstation_id, bucket_start_us): the key of a tally
Key = tuple[str, str, int]


def tally(
    states: Iterable[StateEvent],
    units: Iterable[UnitEvent],
    window: Window,
    timeout_us: int,
    bucket_us: int | None = None,
) -> dict[Key, Tally]:
    """Tallies per worker, station and bucket of the part of each state inside `window`.

    Buckets are `bucket_us` long and aligned to the epoch (hours in UTC); with no bucket size the
    whole window is one bucket, keyed by its start. `states` must include the events up to
    `timeout_us` before the window, whose states may reach into it.
    """
    # Plain lists while summing: thousands of intervals, one Tally per key at the end.
    sums: dict[Key, list[int]] = {}
    start, end = window.start_us, window.end_us
    for first_us, last_us, worker_id, workstation_id, state in state_intervals(states, timeout_us):
        first_us, last_us = max(first_us, start), min(last_us, end)
        column = STATE_COLUMN[state]
        while first_us < last_us:
            bucket = start if bucket_us is None else first_us - first_us % bucket_us
            part_end_us = last_us if bucket_us is None else min(last_us, bucket + bucket_us)
            key = (worker_id, workstation_id, bucket)
            row = sums.get(key) or sums.setdefault(key, [0, 0, 0, 0])
            row[column] += part_end_us - first_us
            first_us = part_end_us
    for ts_us, worker_id, workstation_id, count in units:
        if start <= ts_us < end:
            bucket = start if bucket_us is None else ts_us - ts_us % bucket_us
            key = (worker_id, workstation_id, bucket)
            row = sums.get(key) or sums.setdefault(key, [0, 0, 0, 0])
            row[3] += count
    return {key: Tally(*row) for key, row in sums.items()}


def sum_by(tallies: Iterable[tuple[K, Tally]], part: Callable[[K], T]) -> dict[T, Tally]:
    """Sum keyed tallies by a part of their key (the worker, the station, the bucket)."""
    sums: defaultdict[T, Tally] = defaultdict(Tally)
    for key, value in tallies:
        sums[part(key)] += value
    return dict(sums)
