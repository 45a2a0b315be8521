"""The fast tally equals a brute-force reading of the model, and no re-sending changes a figure.

The reference walks the window second by second and asks, for each worker, which event is the
latest at or before that second (ties broken by the documented precedence) and whether it is
younger than the timeout. It shares no code with the interval sweep it checks.
"""

import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from floorpulse.metrics.intervals import PRECEDENCE, StateEvent, Window
from floorpulse.metrics.tally import Tally, UnitEvent, sum_by, tally

S = 1_000_000
TIMEOUT_S = 60
HOUR_S = 3600

state_events = st.builds(
    lambda t, w, s, state: StateEvent(t * S, w, s, state),
    st.integers(-100, 400),
    st.sampled_from(["W1", "W2"]),
    st.sampled_from(["S1", "S2"]),
    st.sampled_from(["working", "idle", "absent"]),
)
unit_events = st.builds(
    lambda t, w, s, n: UnitEvent(t * S, w, s, n),
    st.integers(-100, 400),
    st.sampled_from(["W1", "W2"]),
    st.sampled_from(["S1", "S2"]),
    st.integers(1, 5),
)
windows = st.tuples(st.integers(-50, 400), st.integers(0, 300)).map(
    lambda w: Window(w[0] * S, (w[0] + w[1]) * S)
)


def reference(states: list[StateEvent], units: list[UnitEvent], window: Window) -> Counter:
    """Seconds per (worker, station, state), and units per (worker, station, "units")."""
    counts: Counter = Counter()
    for second in range(window.start_us // S, window.end_us // S):
        for worker in {e.worker_id for e in states}:
            seen = [e for e in states if e.worker_id == worker and e.ts_us <= second * S]
            if not seen:
                continue
            latest = max(seen, key=lambda e: (e.ts_us, PRECEDENCE[e.state], e.workstation_id))
            if second * S < latest.ts_us + TIMEOUT_S * S:
                counts[(worker, latest.workstation_id, latest.state)] += 1
    for event in units:
        if window.start_us <= event.ts_us < window.end_us:
            counts[(event.worker_id, event.workstation_id, "units")] += event.units
    return counts


def as_counts(tallies: dict[tuple[str, str], Tally]) -> Counter:
    counts: Counter = Counter()
    for (worker, station), t in tallies.items():
        for name, value in (
            ("working", t.working_us // S),
            ("idle", t.idle_us // S),
            ("absent", t.absent_us // S),
            ("units", t.units),
        ):
            if value:
                counts[(worker, station, name)] += value
    return counts


def by_worker_station(result: dict[tuple[str, str, int], Tally]) -> dict[tuple[str, str], Tally]:
    return sum_by(result.items(), lambda key: (key[0], key[1]))


@settings(max_examples=300, deadline=None)
@given(st.lists(state_events, max_size=25), st.lists(unit_events, max_size=8), windows)
def test_the_tally_equals_the_second_by_second_reference(
    states: list[StateEvent], units: list[UnitEvent], window: Window
) -> None:
    result = tally(states, units, window, TIMEOUT_S * S)

    assert as_counts(by_worker_station(result)) == reference(states, units, window)


@settings(max_examples=200, deadline=None)
@given(st.lists(state_events, max_size=25), windows, st.randoms(use_true_random=False))
def test_shuffling_and_repeating_state_events_changes_nothing(
    states: list[StateEvent], window: Window, rng: random.Random
) -> None:
    resent = states + rng.sample(states, k=len(states) // 2)
    rng.shuffle(resent)

    assert tally(resent, [], window, TIMEOUT_S * S) == tally(states, [], window, TIMEOUT_S * S)


@settings(max_examples=200, deadline=None)
@given(st.lists(state_events, max_size=25), st.lists(unit_events, max_size=8), windows)
def test_hourly_buckets_add_up_to_the_whole_window(
    states: list[StateEvent], units: list[UnitEvent], window: Window
) -> None:
    # Hours of 100 s here, so that the small windows above span several buckets.
    hourly = tally(states, units, window, TIMEOUT_S * S, bucket_us=100 * S)

    whole = tally(states, units, window, TIMEOUT_S * S)
    assert by_worker_station(hourly) == by_worker_station(whole)


@settings(max_examples=200, deadline=None)
@given(st.lists(state_events, max_size=25), windows)
def test_a_worker_is_never_in_states_longer_than_the_window(
    states: list[StateEvent], window: Window
) -> None:
    per_worker = sum_by(tally(states, [], window, TIMEOUT_S * S).items(), lambda key: key[0])

    for t in per_worker.values():
        assert t.working_us + t.idle_us + t.absent_us <= window.end_us - window.start_us
