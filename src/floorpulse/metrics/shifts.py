"""Shifts, and the windows of time they name, in a site's own time zone.

A shift is a daily span of wall-clock time: `06:00-14:00`, or `22:00-06:00` crossing midnight
(it belongs to the date it starts on). Its window on a date is found in the site's zone and then
taken as real instants, so a shift that spans a daylight-saving change lasts what the clocks say:
7 or 9 hours for an 8-hour shift. A wall time that does not exist (skipped by the clocks going
forward) is read with the offset before the change; one that happens twice (clocks going back)
is the first of the two (PEP 495 `fold=0`).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo


@dataclass(frozen=True)
class Shift:
    name: str
    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError(f"shift {self.name!r} starts and ends at {self.start:%H:%M}")

    @property
    def crosses_midnight(self) -> bool:
        return self.end < self.start


# Three eight-hour shifts, the night one crossing midnight.
DEFAULT_SHIFTS = (
    Shift("A", time(6), time(14)),
    Shift("B", time(14), time(22)),
    Shift("C", time(22), time(6)),
)


@dataclass(frozen=True)
class ShiftWindow:
    """One shift on one date, as instants in UTC."""

    shift: Shift
    day: date
    start: datetime
    end: datetime

    @property
    def length(self) -> timedelta:
        return self.end - self.start


def on(shift: Shift, day: date, zone: tzinfo) -> ShiftWindow:
    """The window of `shift` starting on `day` in `zone`."""
    end_day = day + timedelta(days=1) if shift.crosses_midnight else day
    start = datetime.combine(day, shift.start, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(end_day, shift.end, tzinfo=zone).astimezone(UTC)
    return ShiftWindow(shift, day, start, end)


def latest_started(shift: Shift, now: datetime, zone: tzinfo) -> ShiftWindow:
    """The last window of `shift` to have started at or before `now` (it may still run)."""
    today = now.astimezone(zone).date()
    for day in (today, today - timedelta(days=1)):
        window = on(shift, day, zone)
        if window.start <= now:
            return window
    # Unreachable for a shift that starts once a day; kept total for any zone data.
    return on(shift, today - timedelta(days=2), zone)


def current(shifts: list[Shift], now: datetime, zone: tzinfo) -> ShiftWindow | None:
    """The shift running at `now`, or else the one that started last; None without shifts.

    Between two shifts (a gap in the schedule) the one that ended most recently is the one a
    supervisor still means by "this shift".
    """
    started = [latest_started(shift, now, zone) for shift in shifts]
    running = [w for w in started if w.start <= now < w.end]
    candidates = running or started
    return max(candidates, key=lambda w: w.start, default=None)


def day_window(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """A whole local day as UTC instants: 23 or 25 hours long on the days the clocks change."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end
