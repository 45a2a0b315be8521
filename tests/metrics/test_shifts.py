"""Shifts and calendar buckets in a site's zone, across daylight-saving changes.

Europe/Berlin: clocks go forward 2026-03-29 02:00 -> 03:00 and back 2026-10-25 03:00 -> 02:00.
"""

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from floorpulse.metrics.buckets import bucket_edges
from floorpulse.metrics.shifts import Shift, current, day_window, latest_started, on

BERLIN = ZoneInfo("Europe/Berlin")
DAY = Shift("A", time(6), time(14))
NIGHT = Shift("C", time(22), time(6))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_shift_on_a_date_is_its_wall_clock_span_in_the_site_zone() -> None:
    window = on(DAY, date(2026, 1, 15), BERLIN)

    assert (window.start, window.end) == (utc(2026, 1, 15, 5), utc(2026, 1, 15, 13))
    assert window.length == timedelta(hours=8)


def test_a_night_shift_belongs_to_the_date_it_starts_on() -> None:
    window = on(NIGHT, date(2026, 1, 15), BERLIN)

    assert (window.start, window.end) == (utc(2026, 1, 15, 21), utc(2026, 1, 16, 5))


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 3, 28), 7), (date(2026, 10, 24), 9), (date(2026, 3, 29), 8)],
    ids=["clocks-forward", "clocks-back", "the-night-after"],
)
def test_a_shift_across_a_clock_change_lasts_what_the_clocks_say(day: date, hours: int) -> None:
    assert on(NIGHT, day, BERLIN).length == timedelta(hours=hours)


def test_a_start_the_clocks_skip_is_read_with_the_offset_before_the_change() -> None:
    early = Shift("E", time(2, 30), time(10))

    window = on(early, date(2026, 3, 29), BERLIN)

    assert window.start == utc(2026, 3, 29, 1, 30)  # 03:30 summer time
    assert window.length == timedelta(hours=6, minutes=30)


def test_a_local_day_is_23_or_25_hours_when_the_clocks_change() -> None:
    spring = day_window(date(2026, 3, 29), BERLIN)
    autumn = day_window(date(2026, 10, 25), BERLIN)

    assert spring[1] - spring[0] == timedelta(hours=23)
    assert autumn[1] - autumn[0] == timedelta(hours=25)


def test_the_latest_start_of_a_shift_may_be_yesterday() -> None:
    at_five = utc(2026, 1, 15, 4)  # 05:00 in Berlin, before today's 06:00 start

    assert latest_started(DAY, at_five, BERLIN).day == date(2026, 1, 14)
    assert latest_started(DAY, utc(2026, 1, 15, 5), BERLIN).day == date(2026, 1, 15)


def test_the_current_shift_is_the_one_running_or_else_the_last_to_end() -> None:
    morning = Shift("M", time(8), time(12))
    afternoon = Shift("P", time(13), time(17))
    shifts = [morning, afternoon, NIGHT]

    assert current(shifts, utc(2026, 1, 15, 2), BERLIN).shift == NIGHT  # 03:00 local
    assert current(shifts, utc(2026, 1, 15, 12), BERLIN).shift == afternoon
    over_lunch = current(shifts, utc(2026, 1, 15, 11, 30), BERLIN)  # 12:30 local
    assert (over_lunch.shift, over_lunch.day) == (morning, date(2026, 1, 15))
    assert current([], utc(2026, 1, 15, 12), BERLIN) is None


def test_equal_start_and_end_is_not_a_shift() -> None:
    with pytest.raises(ValueError, match="starts and ends at 06:00"):
        Shift("X", time(6), time(6))


def test_day_buckets_follow_the_local_calendar() -> None:
    start = datetime(2026, 3, 28, 12, tzinfo=BERLIN)
    end = datetime(2026, 3, 30, 12, tzinfo=BERLIN)

    edges = bucket_edges(start, end, "day", BERLIN)

    assert [e.astimezone(BERLIN).isoformat() for e in edges] == [
        "2026-03-28T12:00:00+01:00",
        "2026-03-29T00:00:00+01:00",
        "2026-03-30T00:00:00+02:00",
        "2026-03-30T12:00:00+02:00",
    ]
    assert edges[2] - edges[1] == timedelta(hours=23)


def test_hour_buckets_count_the_repeated_hour_twice() -> None:
    start = datetime(2026, 10, 25, 1, tzinfo=BERLIN)
    end = datetime(2026, 10, 25, 4, tzinfo=BERLIN)

    edges = bucket_edges(start, end, "hour", BERLIN)

    assert len(edges) == 5  # 01, 02 summer time, 02 winter time, 03
    assert {b - a for a, b in itertools.pairwise(edges)} == {timedelta(hours=1)}


def test_hour_buckets_of_a_half_hour_zone_start_at_half_past_utc() -> None:
    india = ZoneInfo("Asia/Kolkata")

    edges = bucket_edges(utc(2026, 1, 15, 4, 10), utc(2026, 1, 15, 6), "hour", india)

    assert edges == [
        utc(2026, 1, 15, 4, 10),
        utc(2026, 1, 15, 4, 30),
        utc(2026, 1, 15, 5, 30),
        utc(2026, 1, 15, 6),
    ]
