"""Tallies of a window: clipped states, units, buckets, and ratios that are never made up."""

import pytest

from floorpulse.metrics.intervals import StateEvent, Window
from floorpulse.metrics.tally import Tally, UnitEvent, sum_by, tally

S = 1_000_000
HOUR = 3600 * S
TIMEOUT = 600 * S


def ev(t_s: int, state: str = "working", station: str = "S1", worker: str = "W1") -> StateEvent:
    return StateEvent(t_s * S, worker, station, state)


def units(t_s: int, count: int = 1, station: str = "S1", worker: str = "W1") -> UnitEvent:
    return UnitEvent(t_s * S, worker, station, count)


def window(start_s: int, end_s: int) -> Window:
    return Window(start_s * S, end_s * S)


def seconds(t: Tally) -> tuple[float, float, float, int]:
    return (t.working_us / S, t.idle_us / S, t.absent_us / S, t.units)


def test_only_the_part_of_a_state_inside_the_window_counts() -> None:
    result = tally([ev(0), ev(300, "idle")], [], window(100, 400), TIMEOUT)

    assert {k: seconds(v) for k, v in result.items()} == {("W1", "S1", 100 * S): (200, 100, 0, 0)}


def test_a_state_that_began_before_the_window_counts_from_its_start() -> None:
    result = tally([ev(-500)], [], window(0, 1000), TIMEOUT)

    assert seconds(result[("W1", "S1", 0)]) == (100, 0, 0, 0)


def test_units_count_at_their_instant_inside_the_half_open_window() -> None:
    result = tally([], [units(0, 3), units(999, 4), units(1000, 50)], window(0, 1000), TIMEOUT)

    assert result == {("W1", "S1", 0): Tally(units=7)}


def test_units_go_to_the_station_of_their_event_and_change_no_state() -> None:
    result = tally([ev(0, station="S1")], [units(10, 2, station="S2")], window(0, 600), TIMEOUT)

    assert result == {
        ("W1", "S1", 0): Tally(working_us=600 * S),
        ("W1", "S2", 0): Tally(units=2),
    }


def test_hour_buckets_split_a_state_at_the_hour() -> None:
    result = tally([ev(3300)], [units(3700)], window(0, 2 * 3600), TIMEOUT, bucket_us=HOUR)

    assert result == {
        ("W1", "S1", 0): Tally(working_us=300 * S),
        ("W1", "S1", HOUR): Tally(working_us=300 * S, units=1),
    }


def test_tallies_add_up_by_any_part_of_their_key() -> None:
    result = tally(
        [ev(0, station="S1"), ev(300, "idle", station="S2"), ev(0, worker="W2")],
        [units(5, 2), units(6, 1, worker="W2")],
        window(0, 3600),
        TIMEOUT,
    )

    by_worker = sum_by(result.items(), lambda key: key[0])
    assert by_worker == {
        "W1": Tally(working_us=300 * S, idle_us=600 * S, units=2),
        "W2": Tally(working_us=600 * S, units=1),
    }


def test_ratios_of_observed_time() -> None:
    t = Tally(working_us=3 * HOUR, idle_us=1 * HOUR, absent_us=HOUR, units=60)

    assert t.utilization_pct == 75.0
    assert t.units_per_working_hour == 20.0
    assert t.units_per_occupied_hour == 15.0


def test_a_ratio_of_nothing_is_none_not_zero() -> None:
    t = Tally(absent_us=HOUR, units=5)

    assert t.utilization_pct is None
    assert t.units_per_working_hour is None
    assert t.units_per_occupied_hour is None


def test_a_window_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        window(10, 5)
