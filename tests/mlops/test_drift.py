"""Drift statistics against values worked out by hand."""

from datetime import date, timedelta

import pytest

from floorpulse.mlops.drift import (
    Counts,
    baseline_shift,
    baseline_signal,
    confidence_signal,
    days_ending,
    mix_signal,
    psi,
    rolling_means,
    silence_signal,
)
from floorpulse.mlops.sampling import allocate

DAY = date(2026, 3, 1)


def day(n: int) -> date:
    return DAY + timedelta(days=n)


def uniform(mean: float, events: int = 10, low: int = 0) -> Counts:
    return Counts(events, mean * events, low, {"working": events})


def test_counts_add_up_and_give_their_shares() -> None:
    a = Counts(2, 1.8, 0, {"working": 2})
    b = Counts(2, 1.2, 1, {"working": 1, "idle": 1})

    both = a + b

    assert (both.events, both.confidence_sum, both.low_confidence) == (4, 3.0, 1)
    assert both.mean_confidence == pytest.approx(0.75)
    assert both.low_share == 0.25
    assert both.mix() == {"working": 0.75, "idle": 0.25, "absent": 0.0, "product_count": 0.0}
    assert Counts().mean_confidence is None
    assert Counts().low_share is None


def test_a_span_weighs_every_detection_alike_not_every_day() -> None:
    days = {day(0): Counts(1, 0.5), day(1): Counts(9, 8.1)}

    assert days_ending(days, day(1), 2).mean_confidence == pytest.approx(0.86)  # not 0.7


def test_seven_days_below_the_floor_and_a_fifth_lower_than_the_week_before() -> None:
    days = {day(n): uniform(0.9) for n in range(7)} | {day(n): uniform(0.72) for n in range(7, 14)}

    signal = confidence_signal(days, day(13))

    assert signal.mean == pytest.approx(0.72)
    assert signal.previous_mean == pytest.approx(0.9)
    assert signal.drop == pytest.approx(0.2)  # 1 - 0.72 / 0.9
    assert signal.below_floor
    assert signal.dropped
    assert signal.alert
    assert signal.events == 70


def test_a_small_fall_above_the_floor_is_no_alert() -> None:
    days = {day(n): uniform(0.9) for n in range(7)} | {day(n): uniform(0.8) for n in range(7, 14)}

    signal = confidence_signal(days, day(13))

    assert signal.drop == pytest.approx(1 / 9)  # 11 % lower: within 15 %
    assert not signal.alert


def test_a_span_with_too_few_detections_says_nothing() -> None:
    days = {day(13): uniform(0.5, events=3)}

    signal = confidence_signal(days, day(13), min_events=50)

    assert (signal.mean, signal.drop, signal.low_share) == (None, None, None)
    assert not signal.alert


def test_the_low_confidence_share_is_of_the_span() -> None:
    days = {day(12): uniform(0.9, events=10, low=1), day(13): uniform(0.9, events=30, low=9)}

    assert confidence_signal(days, day(13)).low_share == pytest.approx(10 / 40)


def test_rolling_means_move_day_by_day() -> None:
    days = {day(0): uniform(0.9, 10), day(1): uniform(0.6, 10), day(2): uniform(0.6, 20)}

    means = rolling_means(days, day(0), day(3), length=2)

    assert [d for d, _ in means] == [day(0), day(1), day(2), day(3)]
    assert [m for _, m in means] == pytest.approx([0.9, 0.75, 0.6, 0.6])


def test_psi_of_a_shifted_mix_worked_by_hand() -> None:
    baseline = {"working": 0.7, "idle": 0.2, "absent": 0.1}
    current = {"working": 0.5, "idle": 0.4, "absent": 0.1}

    # (0.5-0.7)ln(0.5/0.7) + (0.4-0.2)ln(0.4/0.2) + 0 = 0.0672944 + 0.1386294
    assert psi(baseline, current) == pytest.approx(0.2059238, abs=1e-6)
    assert psi(baseline, baseline) == 0.0


def test_a_category_that_appears_counts_heavily_but_finitely() -> None:
    index = psi({"working": 1.0}, {"working": 0.9, "idle": 0.1})

    # (0.9-1)ln(0.9) + (0.1-0.0001)ln(0.1/0.0001)
    assert index == pytest.approx(-0.1 * -0.1053605 + 0.0999 * 6.9077553, abs=1e-6)


def test_the_mix_signal_alerts_above_its_threshold() -> None:
    baseline = Counts(100, 90.0, 0, {"working": 70, "idle": 20, "absent": 10})
    moved = Counts(100, 90.0, 0, {"working": 50, "idle": 40, "absent": 10})

    assert mix_signal(baseline, moved).alert  # PSI 0.206 > 0.2
    assert not mix_signal(baseline, moved, threshold=0.25).alert
    assert mix_signal(baseline, Counts(), min_events=1).psi is None


def test_a_day_two_and_a_half_deviations_off_its_baseline() -> None:
    history = [10.0, 12, 14, 12, 10, 12, 14]  # mean 12, sample sd sqrt(16/6) = 1.63299

    off = baseline_signal(history, 16.0)

    assert off.mean == 12
    assert off.sd == pytest.approx(1.6329932)
    assert off.z == pytest.approx(2.4494897)
    assert off.alert
    assert not baseline_signal(history, 13.0).alert  # z 0.61


def test_no_baseline_from_too_little_or_unvarying_history() -> None:
    assert baseline_signal([10.0] * 3, 30.0).z is None
    assert baseline_signal([10.0] * 10, 30.0).z is None  # a sd of 0: no scale to judge by
    assert not baseline_signal([10.0] * 10, 30.0).alert


@pytest.mark.parametrize(
    ("gap_s", "seen_days", "alert"),
    [
        (1200, 5, True),  # usually busy at this hour, silent 20 minutes
        (1200, 2, False),  # usually quiet at this hour (a night shift's idle station)
        (600, 7, False),  # silent, but not for long
    ],
)
def test_a_camera_is_missed_only_when_it_is_usually_heard_at_this_time(
    gap_s: float, seen_days: int, alert: bool
) -> None:
    assert silence_signal(gap_s, seen_days, silence_s=900, min_days=4).alert is alert


def test_a_version_new_this_week_is_compared_with_what_its_cameras_saw_the_week_before() -> None:
    cameras = {day(n): uniform(0.9) for n in range(7)}
    new_version = {day(n): uniform(0.72) for n in range(7, 14)}

    signal = confidence_signal(new_version, day(13), fallback=cameras)
    alone = confidence_signal(new_version, day(13))

    assert signal.compared_with == "cameras"
    assert signal.previous_mean == pytest.approx(0.9)
    assert signal.drop == pytest.approx(0.2)
    assert (alone.compared_with, alone.previous_mean, alone.drop) == ("own", None, None)


def steady(mean: float) -> list[float]:
    return [mean - 1, mean + 1] * 4  # 8 days: sample sd 1.069


def test_most_workers_falling_off_their_baselines_together_is_a_shift() -> None:
    entities = {
        "W1": (steady(80), 70.0),  # z = -9.35
        "W2": (steady(60), 57.0),  # z = -2.81
        "W3": (steady(75), 76.0),  # z = +0.94: within
        "W4": (steady(70), 73.0),  # z = +2.81: off, but the other way
    }

    shift = baseline_shift(entities, min_share=0.5, min_entities=3)

    assert shift.direction == -1
    assert sorted(shift.deviating) == ["W1", "W2"]
    assert shift.deviating["W2"].z == pytest.approx(-3 / 1.0690, abs=1e-3)
    assert shift.judged == 4
    assert shift.share == 0.5
    assert shift.alert


def test_one_worker_off_or_too_few_workers_judged_is_no_shift() -> None:
    one_of_four = {
        "W1": (steady(80), 70.0),
        **{f"W{n}": (steady(70), 70.5) for n in range(2, 5)},
    }
    two_judged = {"W1": (steady(80), 70.0), "W2": (steady(60), 50.0), "W3": ([60.0], 10.0)}

    assert not baseline_shift(one_of_four).alert
    assert baseline_shift(one_of_four).share == 0.25
    short = baseline_shift(two_judged, min_entities=3)
    assert (short.judged, short.share, short.alert) == (2, 1.0, False)


def test_a_sample_takes_equal_shares_and_gives_a_small_strata_surplus_to_the_rest() -> None:
    sizes = {"a": 100, "b": 2, "c": 50, "d": 0}

    assert allocate(sizes, 30) == {"a": 14, "b": 2, "c": 14, "d": 0}  # 10 each, b's 8 spread
    assert allocate(sizes, 31) == {"a": 15, "b": 2, "c": 14, "d": 0}  # the odd one to the first
    assert allocate(sizes, 1000) == sizes  # more than there are: all of them
    assert allocate(sizes, 0) == {"a": 0, "b": 0, "c": 0, "d": 0}


def test_a_camera_whose_worker_is_seen_at_another_station_is_not_missed() -> None:
    moved = silence_signal(2400, 7, seen_elsewhere=1, silence_s=1800, min_days=4)
    gone = silence_signal(2400, 7, seen_elsewhere=0, silence_s=1800, min_days=4)

    assert not moved.alert
    assert gone.alert
