"""Running tallies: the recent hours' tallies kept up to date as events arrive, in any order.

A dashboard over a busy open hour would otherwise tally the hour's raw events again at every
refresh: hundreds of thousands of them during a backlog's burst. Here each worker's state
events are kept in time order, and each hour's tallies as sums. An event that arrives, however
late, changes only two intervals: the state before it now ends where it begins, and its own
runs until the next event or the timeout. So adding an event costs the change it makes, and a
whole hour's tally is a lookup.

The answers are the same as `tally()`'s over the same events (a property test holds them to
it): the same precedence of states at one instant, the same timeout, an event repeated counted
once among states. Only hours from `from_us` on are kept; a window reaching further back is
not `covered()`.
"""

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from floorpulse.metrics.intervals import (
    ABSENT,
    PRECEDENCE,
    STATES,
    Band,
    StateEvent,
    Window,
)
from floorpulse.metrics.tally import US_PER_HOUR, Key, Tally, UnitEvent, hour_start

Sums = dict[str, list[int]]  # per station: working, idle, absent µs and units (Tally's order)


class _Line:
    """One worker's state events in state_intervals() order: time, then precedence, then
    station; and their units, in time order."""

    def __init__(self) -> None:
        self.ts = array("q")
        self.rank = array("b")  # PRECEDENCE of the state: its column in a Tally is 2 - rank
        self.station: list[str] = []
        self.unit_ts = array("q")
        self.unit_station: list[str] = []
        self.units = array("q")

    def place(self, ts_us: int, rank: int, station: str) -> int | None:
        """Where the event goes, or None if it is there already (the same event)."""
        at = bisect_left(self.ts, ts_us)
        for i in range(at, bisect_right(self.ts, ts_us, at)):
            if (self.rank[i], self.station[i]) == (rank, station):
                return None
            if (self.rank[i], self.station[i]) > (rank, station):
                return i
            at = i + 1
        return at

    def first_reaching(self, ts_us: int) -> int:
        """The first event whose state may still hold at `ts_us`: the last one before it (any
        earlier one ends where the next begins, at or before that one)."""
        return max(0, bisect_left(self.ts, ts_us) - 1)

    def end_of(self, i: int, timeout_us: int) -> int:
        """Where the i-th state ends: the next event, or the timeout after its own."""
        end_us = self.ts[i] + timeout_us
        return min(end_us, self.ts[i + 1]) if i + 1 < len(self.ts) else end_us

    def drop_before(self, ts_us: int) -> None:
        n = bisect_left(self.ts, ts_us)
        del self.ts[:n], self.rank[:n], self.station[:n]
        n = bisect_left(self.unit_ts, ts_us)
        del self.unit_ts[:n], self.unit_station[:n], self.units[:n]


class Running:
    """Tallies per worker, station and hour of the hours from `from_us` on."""

    def __init__(self, from_us: int, timeout_us: int) -> None:
        self.from_us = hour_start(from_us)
        self.timeout_us = timeout_us
        self._lines: dict[str, _Line] = {}
        self._hours: dict[str, dict[int, Sums]] = {}  # worker -> hour -> station -> sums

    def covers(self, window: Window) -> bool:
        return window.start_us >= self.from_us

    def add_state(self, event: StateEvent) -> None:
        """Count a state event (confidence already checked); one already counted changes
        nothing, nor does one too early to reach the kept hours."""
        ts_us, worker, station, state = event
        if ts_us + self.timeout_us <= self.from_us:
            return
        line = self._lines.get(worker) or self._lines.setdefault(worker, _Line())
        rank = PRECEDENCE[state]
        at = line.place(ts_us, rank, station)
        if at is None:
            return
        if at > 0:  # the state before now ends where this one begins
            ends_us = line.end_of(at - 1, self.timeout_us)
            before = (line.station[at - 1], line.rank[at - 1])
            self._spread(worker, *before, max(ts_us, line.ts[at - 1]), ends_us, -1)
        line.ts.insert(at, ts_us)
        line.rank.insert(at, rank)
        line.station.insert(at, station)
        self._spread(worker, station, rank, ts_us, line.end_of(at, self.timeout_us), +1)

    def add_unit(self, unit: UnitEvent) -> None:
        """Count units (confidence already checked); every unit row counts."""
        ts_us, worker, station, count = unit
        if ts_us < self.from_us:
            return
        line = self._lines.get(worker) or self._lines.setdefault(worker, _Line())
        at = bisect_right(line.unit_ts, ts_us)
        line.unit_ts.insert(at, ts_us)
        line.unit_station.insert(at, station)
        line.units.insert(at, count)
        self._sums(worker, hour_start(ts_us), station)[3] += count

    def forget_before(self, from_us: int) -> None:
        """Keep only the hours from `from_us` on (and the events that reach into them)."""
        self.from_us = max(self.from_us, hour_start(from_us))
        for worker, line in self._lines.items():
            line.drop_before(self.from_us - self.timeout_us)
            hours = self._hours.get(worker, {})
            for hour in [h for h in hours if h < self.from_us]:
                del hours[hour]

    def tally(self, window: Window, worker_id: str | None = None) -> dict[Key, Tally]:
        """As tally() over the window with no buckets (keyed by the window's start), of one
        worker or all; the window must be covered."""
        if not self.covers(window):
            raise ValueError(f"window from {window.start_us} is before {self.from_us}")
        workers = [worker_id] if worker_id is not None else list(self._lines)
        found: dict[Key, Tally] = {}
        for worker in workers:
            for station, row in self._worker_sums(worker, window).items():
                if any(row):
                    found[(worker, station, window.start_us)] = Tally(*row)
        return found

    def observed(self, window: Window, worker_id: str | None = None) -> list[Band]:
        """Each worker's states over the window (of one worker, or all) as observed() draws
        them, worker by worker: no `unobserved` (bands() fills it in); the window must be
        covered."""
        if not self.covers(window):
            raise ValueError(f"window from {window.start_us} is before {self.from_us}")
        found: list[Band] = []
        for worker in sorted([worker_id] if worker_id is not None else self._lines):
            line = self._lines.get(worker)
            if line is not None:
                found += self._line_bands(worker, line, window)
        return found

    def _line_bands(self, worker: str, line: _Line, window: Window) -> list[Band]:
        # The hottest loop of a busy dashboard (a state every few seconds, hundreds of workers):
        # touching states are merged in locals, and a Band made only for each merged run.
        found: list[Band] = []
        start, end, ts, timeout = window.start_us, window.end_us, line.ts, self.timeout_us
        run_start = run_end = run_rank = -1
        first, last = line.first_reaching(start), bisect_left(ts, end)
        following = ts[first + 1 : last + 1]  # each state's next event: where it ends at most
        if len(following) < last - first:  # the last state has none: its timeout, or the end
            following.append(end)
        for at, upto, rank in zip(ts[first:last], following, line.rank[first:last], strict=True):
            begins, ends = max(start, at), min(end, upto, at + timeout)
            if begins >= ends:
                continue
            if rank == run_rank and begins == run_end:
                run_end = ends
                continue
            if run_rank >= 0:
                found.append(Band(run_start, run_end, worker, STATES[run_rank]))
            run_start, run_end, run_rank = begins, ends, rank
        if run_rank >= 0:
            found.append(Band(run_start, run_end, worker, STATES[run_rank]))
        return found

    def active(self, now_us: int) -> set[str]:
        """As active_workers() over the events up to `now_us`, which must be covered."""
        if now_us < self.from_us:
            raise ValueError(f"{now_us} is before {self.from_us}")
        found = set()
        for worker, line in self._lines.items():
            last = bisect_right(line.ts, now_us) - 1
            seen = last >= 0 and now_us < line.ts[last] + self.timeout_us
            if seen and STATES[line.rank[last]] != ABSENT:
                found.add(worker)
        return found

    def _worker_sums(self, worker: str, window: Window) -> Sums:
        """One worker's sums over the window: whole hours looked up, the parts of hours at
        its edges counted from the events, or, when fewer events lie outside the part than
        in it, as the hour less what lies outside."""
        sums: Sums = {}
        start, end = window.start_us, window.end_us
        for hour in range(hour_start(start), end, US_PER_HOUR):
            first, last = max(start, hour), min(end, hour + US_PER_HOUR)
            if (first, last) == (hour, hour + US_PER_HOUR):
                _add(sums, self._hours.get(worker, {}).get(hour, {}), +1)
            elif self._cost(worker, first, last) <= self._cost(worker, hour, first) + self._cost(
                worker, last, hour + US_PER_HOUR
            ):
                _add(sums, self._counted(worker, first, last), +1)
            else:
                _add(sums, self._hours.get(worker, {}).get(hour, {}), +1)
                _add(sums, self._counted(worker, hour, first), -1)
                _add(sums, self._counted(worker, last, hour + US_PER_HOUR), -1)
        return sums

    def _cost(self, worker: str, start_us: int, end_us: int) -> int:
        """How many events _counted() reads for `[start_us, end_us)`."""
        line = self._lines.get(worker)
        if line is None or start_us >= end_us:
            return 0
        states = bisect_left(line.ts, end_us) - line.first_reaching(start_us)
        units = bisect_left(line.unit_ts, end_us) - bisect_left(line.unit_ts, start_us)
        return states + units

    def _counted(self, worker: str, start_us: int, end_us: int) -> Sums:
        """One worker's sums over `[start_us, end_us)`, counted from its events."""
        sums: Sums = {}
        line = self._lines.get(worker)
        if line is None or start_us >= end_us:
            return sums
        for i in range(line.first_reaching(start_us), bisect_left(line.ts, end_us)):
            begins, ends = max(start_us, line.ts[i]), min(end_us, line.end_of(i, self.timeout_us))
            if begins < ends:
                row = sums.get(line.station[i]) or sums.setdefault(line.station[i], [0] * 4)
                row[2 - line.rank[i]] += ends - begins
        first = bisect_left(line.unit_ts, start_us)
        for i in range(first, bisect_left(line.unit_ts, end_us)):
            row = sums.get(line.unit_station[i]) or sums.setdefault(line.unit_station[i], [0] * 4)
            row[3] += line.units[i]
        return sums

    def _spread(
        self, worker: str, station: str, rank: int, start_us: int, end_us: int, sign: int
    ) -> None:
        """Add (or take out) a state's time over `[start_us, end_us)` to the kept hours."""
        start_us = max(start_us, self.from_us)
        while start_us < end_us:
            hour = hour_start(start_us)
            part_end_us = min(end_us, hour + US_PER_HOUR)
            self._sums(worker, hour, station)[2 - rank] += sign * (part_end_us - start_us)
            start_us = part_end_us

    def _sums(self, worker: str, hour: int, station: str) -> list[int]:
        stations = self._hours.setdefault(worker, {}).setdefault(hour, {})
        return stations.get(station) or stations.setdefault(station, [0] * 4)


def _add(sums: Sums, more: Sums, sign: int) -> None:
    for station, row in more.items():
        mine = sums.get(station) or sums.setdefault(station, [0] * 4)
        for column, value in enumerate(row):
            mine[column] += sign * value


def running(
    states: Iterable[StateEvent], units: Iterable[UnitEvent], from_us: int, timeout_us: int
) -> Running:
    """Running tallies of these events, kept from `from_us` on."""
    kept = Running(from_us, timeout_us)
    for event in states:
        kept.add_state(event)
    for unit in units:
        kept.add_unit(unit)
    return kept
