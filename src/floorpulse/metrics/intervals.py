"""State events become half-open intervals `[start_us, end_us)` of one worker at one station."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise

WORKING, IDLE, ABSENT = "working", "idle", "absent"
# Two state events of one worker at the same instant: the one ranked higher here holds, then the
# greater workstation id. The rule looks only at the events, never at their arrival order.
PRECEDENCE = {ABSENT: 0, IDLE: 1, WORKING: 2}
STATES = tuple(PRECEDENCE)


@dataclass(frozen=True, slots=True)
class StateEvent:
    """A worker seen in a state at a station (confidence already at or above the threshold)."""

    ts_us: int
    worker_id: str
    workstation_id: str
    state: str


@dataclass(frozen=True, slots=True)
class Interval:
    """A worker in one state at one station, from `start_us` (inclusive) to `end_us` (exclusive)."""

    start_us: int
    end_us: int
    worker_id: str
    workstation_id: str
    state: str


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open span of time `[start_us, end_us)`."""

    start_us: int
    end_us: int

    def __post_init__(self) -> None:
        if self.end_us < self.start_us:
            raise ValueError(f"window ends ({self.end_us}) before it starts ({self.start_us})")

    def overlap_us(self, start_us: int, end_us: int) -> int:
        """How much of `[start_us, end_us)` lies inside the window."""
        return max(0, min(end_us, self.end_us) - max(start_us, self.start_us))


def _order(event: StateEvent) -> tuple[str, int, int, str]:
    return (event.worker_id, event.ts_us, PRECEDENCE[event.state], event.workstation_id)


def state_intervals(events: Iterable[StateEvent], timeout_us: int) -> Iterator[Interval]:
    """Each state holds until the worker's next state event, at most `timeout_us` after its own.

    Events may come in any order and repeat; a repeated event is the same event. Of events at the
    same instant only the last in PRECEDENCE order holds (the others last zero time).
    """
    ordered = sorted(set(events), key=_order)
    for event, following in pairwise([*ordered, None]):
        assert event is not None  # only the sentinel after the last event is None
        end_us = event.ts_us + timeout_us
        if following is not None and following.worker_id == event.worker_id:
            end_us = min(end_us, following.ts_us)
        if end_us > event.ts_us:
            yield Interval(event.ts_us, end_us, event.worker_id, event.workstation_id, event.state)


def active_workers(events: Iterable[StateEvent], now_us: int, timeout_us: int) -> set[str]:
    """Workers whose state at `now_us` is working or idle (seen within the timeout)."""
    return {
        interval.worker_id
        for interval in state_intervals((e for e in events if e.ts_us <= now_us), timeout_us)
        if interval.state != ABSENT and interval.start_us <= now_us < interval.end_us
    }
