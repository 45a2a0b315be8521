"""Calendar buckets of a window: local hours or local days of a site, as UTC instants.

Buckets follow the site's clock, so a day is 23 or 25 hours long when the clocks change, and in a
zone offset by a half or quarter hour from UTC an hour starts at :30 or :15 past a UTC hour.
The first and last buckets are cut to the window.
"""

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal

from floorpulse.metrics.shifts import day_window

Bucket = Literal["hour", "day"]
# Every UTC offset in use is a whole number of quarter hours, so local hours start on one of these.
_QUARTER_HOUR = timedelta(minutes=15)


def bucket_edges(start: datetime, end: datetime, bucket: Bucket, zone: tzinfo) -> list[datetime]:
    """`start`, every local hour or day boundary strictly inside the window, and `end`."""
    inner = (
        _local_midnights(start, end, zone) if bucket == "day" else _local_hours(start, end, zone)
    )
    return [start.astimezone(UTC), *inner, end.astimezone(UTC)]


def _local_hours(start: datetime, end: datetime, zone: tzinfo) -> list[datetime]:
    first = start.astimezone(UTC)
    candidate = first - (first - datetime(2000, 1, 1, tzinfo=UTC)) % _QUARTER_HOUR + _QUARTER_HOUR
    edges: list[datetime] = []
    while candidate < end:
        local = candidate.astimezone(zone)
        if local.minute == 0 and local.second == 0:
            edges.append(candidate)
        candidate += _QUARTER_HOUR
    return edges


def _local_midnights(start: datetime, end: datetime, zone: tzinfo) -> list[datetime]:
    day = start.astimezone(zone).date()
    edges: list[datetime] = []
    while True:
        _, midnight = day_window(day, zone)
        if midnight >= end:
            return edges
        if midnight > start:
            edges.append(midnight)
        day += timedelta(days=1)
