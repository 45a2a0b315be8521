"""The window a metrics query asks for: `from`/`to`, a shift, a date, or by default today."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import NoReturn

from floorpulse.analytics.schemas import MetricsQuery
from floorpulse.errors import InvalidInput
from floorpulse.metrics import shifts
from floorpulse.settings import Settings
from floorpulse.validation import FieldError


@dataclass(frozen=True)
class Asked:
    """The window asked for (`end` capped at now, never before `start`), and its shift."""

    start: datetime
    end: datetime
    shift: str | None = None


def resolve(query: MetricsQuery, settings: Settings, now: datetime) -> Asked:
    """The query's window; InvalidInput names the parameter at fault."""
    if (query.shift or query.day) and (query.from_ or query.to):
        refuse("query.shift", "give either `from`/`to` or `shift`/`date`, not both")
    if query.shift:
        asked = _shift(query, settings, now)
    elif query.day:
        asked = Asked(*shifts.day_window(query.day, settings.zone_of(query.site)))
    else:
        end = query.to or now
        zone = settings.zone_of(query.site)
        start = query.from_ or _start_of_local_day(end - timedelta(microseconds=1), zone)
        if start >= end:
            refuse("query.from", "is not before `to`")
        asked = Asked(start, end)
    if asked.end - asked.start > timedelta(days=settings.max_window_days):
        days = settings.max_window_days
        refuse("query.from", f"spans more than {days} days (FLOORPULSE_MAX_WINDOW_DAYS)")
    start = asked.start.astimezone(UTC)
    return Asked(start, max(start, min(asked.end.astimezone(UTC), now)), asked.shift)


def _shift(query: MetricsQuery, settings: Settings, now: datetime) -> Asked:
    zone, known_shifts = settings.zone_of(query.site), settings.shifts_of(query.site)
    if query.shift == "current":
        if query.day:
            refuse("query.date", "cannot go with shift=current")
        running = shifts.current(known_shifts, now, zone)
        if running is None:
            refuse("query.shift", "no shifts are configured (FLOORPULSE_SHIFTS)")
        return Asked(running.start, running.end, running.shift.name)
    named = {shift.name: shift for shift in known_shifts}
    shift = named.get(query.shift or "")
    if shift is None:
        known = ", ".join([*named, "current"])
        refuse("query.shift", f"unknown shift {query.shift!r}; known: {known}")
    window = (
        shifts.on(shift, query.day, zone) if query.day else shifts.latest_started(shift, now, zone)
    )
    return Asked(window.start, window.end, shift.name)


def _start_of_local_day(instant: datetime, zone: tzinfo) -> datetime:
    start, _ = shifts.day_window(instant.astimezone(zone).date(), zone)
    return start


def refuse(field: str, reason: str) -> NoReturn:
    name = field.removeprefix("query.")
    raise InvalidInput(f"`{name}`: {reason}", [FieldError(field, reason)])
