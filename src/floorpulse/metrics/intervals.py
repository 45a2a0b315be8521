"""State events become half-open intervals `[start_us, end_us)` of one worker at one station."""

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from operator import attrgetter, itemgetter
from typing import NamedTuple, Protocol

WORKING, IDLE, ABSENT = "working", "idle", "absent"
# Two state events of one worker at the same instant: the one ranked higher here holds, then the
# greater workstation id. The rule looks only at the events, never at their arrival order.
PRECEDENCE = {ABSENT: 0, IDLE: 1, WORKING: 2}
STATES = tuple(PRECEDENCE)


class StateEvent(NamedTuple):
    """A worker seen in a state at a station (confidence already at or above the threshold).

    Tuples, not dataclasses: a query builds thousands of these, and a frozen dataclass takes
    several times longer to construct."""

    ts_us: int
    worker_id: str
    workstation_id: str
    state: str


class Interval(NamedTuple):
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


# (worker, time, state, station): the state names sort in PRECEDENCE order (absent < idle <
# working), so the C-implemented itemgetter orders the events without a Python call each.
_ORDER = itemgetter(1, 0, 3, 2)


def state_intervals(events: Iterable[StateEvent], timeout_us: int) -> Iterator[Interval]:
    """Each state holds until the worker's next state event, at most `timeout_us` after its own.

    Events may come in any order and repeat; a repeated event is the same event. Of events at the
    same instant only the last in PRECEDENCE order holds (the others last zero time).
    """
    ordered = sorted(set(events), key=_ORDER)
    for event, following in pairwise([*ordered, None]):
        ts_us, worker_id, workstation_id, state = event  # type: ignore[misc]
        end_us = ts_us + timeout_us
        if following is not None and following[1] == worker_id and following[0] < end_us:
            end_us = following[0]
        if end_us > ts_us:
            yield Interval(ts_us, end_us, worker_id, workstation_id, state)


def active_workers(events: Iterable[StateEvent], now_us: int, timeout_us: int) -> set[str]:
    """Workers whose state at `now_us` is working or idle (seen within the timeout)."""
    return {
        interval.worker_id
        for interval in state_intervals((e for e in events if e.ts_us <= now_us), timeout_us)
        if interval.state != ABSENT and interval.start_us <= now_us < interval.end_us
    }


UNOBSERVED = "unobserved"


class Band(NamedTuple):
    """What a worker's timeline shows over `[start_us, end_us)`: a state, or `unobserved`."""

    start_us: int
    end_us: int
    worker_id: str
    state: str


class Span(Protocol):
    """A worker in a state over `[start_us, end_us)`: an Interval or a Band."""

    @property
    def start_us(self) -> int: ...
    @property
    def end_us(self) -> int: ...
    @property
    def worker_id(self) -> str: ...
    @property
    def state(self) -> str: ...


def bands(spans: Iterable[Span], window: Window, workers: Iterable[str]) -> list[Band]:
    """Each worker's states over the window, the time no state covers marked `unobserved`.

    Touching spans of one state merge into one band: a heartbeat every minute would otherwise
    draw a thousand slivers a day. Workers with no span are unobserved throughout.
    """
    by_worker: dict[str, list[Span]] = {worker: [] for worker in workers}
    for span in spans:
        if window.overlap_us(span.start_us, span.end_us):
            by_worker.setdefault(span.worker_id, []).append(span)
    result: list[Band] = []
    for worker_id in sorted(by_worker):
        mine = sorted(by_worker[worker_id], key=_START)
        result += _worker_bands(worker_id, mine, window)
    return result


_START = attrgetter("start_us")


def observed(intervals: Iterable[Interval], windows: Sequence[Window]) -> list[list[Band]]:
    """Each window's observed bands, worker by worker (no `unobserved`: bands() fills those in
    once the windows are put together), from intervals in the order state_intervals yields.

    The windows must be in time order and must not overlap; an interval reaching across their
    edges is cut there. Reading several windows in one pass lets a day's timeline be kept as
    hourly pieces, each rebuilt only when its events change.
    """
    starts = [window.start_us for window in windows]
    found: list[list[Band]] = [[] for _ in windows]
    for start_us, end_us, worker_id, _, state in intervals:
        i = max(0, bisect_right(starts, start_us) - 1)
        while i < len(windows) and windows[i].start_us < end_us:
            start, end = max(start_us, windows[i].start_us), min(end_us, windows[i].end_us)
            if start < end:
                extend(found[i], Band(start, end, worker_id, state))
            i += 1
    return found


def extend(found: list[Band], band: Band) -> None:
    """Append the band, or lengthen the last one if it is the same worker's same state and
    the band begins where it ends."""
    last = found[-1] if found else None
    if last and (last.worker_id, last.state, last.end_us) == (
        band.worker_id,
        band.state,
        band.start_us,
    ):
        found[-1] = last._replace(end_us=band.end_us)
    else:
        found.append(band)


def _worker_bands(worker_id: str, spans: list[Span], window: Window) -> list[Band]:
    found: list[Band] = []
    for start, end, state in _filled(spans, window):
        extend(found, Band(start, end, worker_id, state))
    return found


def at_resolution(
    spans: Iterable[Span], window: Window, step_us: int, workers: Iterable[str] = ()
) -> list[Band]:
    """What a chart of `step_us` a pixel can show of bands(spans, window, workers), in one
    pass: each step of a worker's row, steps aligned to the epoch, in the state that held
    longest in it (of equal ones the higher in PRECEDENCE, `unobserved` lowest), equal
    neighbours merged. A band that covers whole steps keeps its length; shorter ones give way
    to what held longer around them.

    Each worker's spans must come in time order and not overlap (as bands() gives them, or
    pieces of the window one after the other); the workers' may interleave."""
    rows: dict[str, list[Span]] = {worker: [] for worker in workers}
    for span in spans:
        if span.start_us < window.end_us and span.end_us > window.start_us:
            rows.setdefault(span.worker_id, []).append(span)
    found: list[Band] = []
    for worker in sorted(rows):
        _row_at_resolution(worker, _filled(rows[worker], window), window, step_us, found)
    return found


def _filled(row: list[Span], window: Window) -> Iterator[tuple[int, int, str]]:
    """The row's states across the window, the time none covers `unobserved`."""
    covered = window.start_us
    for span in row:
        start, end = max(span.start_us, covered), min(span.end_us, window.end_us)
        if start > covered:
            yield covered, start, UNOBSERVED
        if start < end:
            yield start, end, span.state
            covered = end
    if covered < window.end_us:
        yield covered, window.end_us, UNOBSERVED


def _row_at_resolution(
    worker: str,
    pieces: Iterable[tuple[int, int, str]],
    window: Window,
    step_us: int,
    found: list[Band],
) -> None:
    # Drawn for every row of every view: the run of equal steps is kept in locals, and a Band
    # made only where the state drawn changes.
    step_start, window_end = window.start_us, window.end_us
    step_end = min(step_start - step_start % step_us + step_us, window_end)
    held: dict[str, int] = {}  # how long each state held so far in the step being drawn
    run_start, run_state = step_start, ""
    for start, end, state in pieces:  # each begins where the one before ended
        while start < end:
            if not held and end >= step_end:  # it holds this step whole, and maybe more steps
                drawn, start = state, max(step_end, min(window_end, end - end % step_us))
            else:
                part_end = min(end, step_end)
                held[state] = held.get(state, 0) + part_end - start
                start = part_end
                if start < step_end:
                    continue
                drawn, held = _longest(held), {}
            if drawn != run_state:
                if run_state:
                    found.append(Band(run_start, step_start, worker, run_state))
                run_start, run_state = step_start, drawn
            step_start = start
            step_end = min(step_start - step_start % step_us + step_us, window_end)
    if run_state:
        found.append(Band(run_start, step_start, worker, run_state))


def _longest(held: dict[str, int]) -> str:
    return max(held, key=lambda state: (held[state], PRECEDENCE.get(state, -1)))
