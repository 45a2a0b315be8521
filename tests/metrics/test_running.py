"""Running tallies answer what tally() answers over the same events, however they arrive."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from floorpulse.metrics.intervals import StateEvent, Window, active_workers, bands, state_intervals
from floorpulse.metrics.running import Running, running
from floorpulse.metrics.tally import Tally, UnitEvent, tally

S = 1_000_000
H = 3600 * S
TIMEOUT = 900 * S

# Instants over four hours around the kept ones (from 0), many on a coarse grid so that
# events meet at the same instant, where precedence decides.
instants = st.one_of(
    st.integers(-6, 14).map(lambda n: n * 900 * S),
    st.integers(-3600, 4 * 3600).map(lambda t: t * S),
)
state_events = st.builds(
    StateEvent,
    instants,
    st.sampled_from(["W1", "W2", "W3"]),
    st.sampled_from(["S1", "S2"]),
    st.sampled_from(["working", "idle", "absent"]),
)
unit_events = st.builds(
    UnitEvent,
    instants,
    st.sampled_from(["W1", "W2", "W3"]),
    st.sampled_from(["S1", "S2"]),
    st.integers(1, 5),
)
windows = st.tuples(
    st.one_of(st.integers(0, 3).map(lambda n: n * H), st.integers(0, 3 * H)),
    st.one_of(st.integers(0, 3).map(lambda n: n * H), st.integers(0, 3 * H)),
).map(lambda w: Window(w[0], w[0] + w[1]))


def ev(t_s: int, state: str = "working", station: str = "S1", worker: str = "W1") -> StateEvent:
    return StateEvent(t_s * S, worker, station, state)


@given(
    st.lists(state_events, max_size=40),
    st.lists(unit_events, max_size=10),
    st.lists(windows, min_size=1, max_size=4),
    st.randoms(use_true_random=False),
)
def test_answers_as_tally_does_whatever_order_the_events_come_in(
    states: list[StateEvent], units: list[UnitEvent], asked: list[Window], order
) -> None:
    arriving = states + states[: len(states) // 3]  # some sent twice
    order.shuffle(arriving)
    kept = running(arriving, units, 0, TIMEOUT)
    for window in asked:
        assert kept.tally(window) == tally(states, units, window, TIMEOUT)
        for worker in ("W1", "W2", "W3"):
            mine = [e for e in states if e.worker_id == worker]
            my_units = [u for u in units if u.worker_id == worker]
            assert kept.tally(window, worker) == tally(mine, my_units, window, TIMEOUT)


@given(
    st.lists(state_events, max_size=30),
    st.lists(state_events, max_size=30),
    st.lists(unit_events, max_size=10),
    st.integers(0, 2),
    windows,
)
def test_hours_forgotten_leave_the_later_ones_right_as_more_events_arrive(
    early: list[StateEvent],
    late: list[StateEvent],
    units: list[UnitEvent],
    hours_forgotten: int,
    window: Window,
) -> None:
    kept = running(early, units, 0, TIMEOUT)
    kept.forget_before(hours_forgotten * H)
    for event in late:
        kept.add_state(event)
    asked = Window(
        max(window.start_us, hours_forgotten * H), max(window.end_us, hours_forgotten * H)
    )
    assert kept.tally(asked) == tally(early + late, units, asked, TIMEOUT)


@given(
    st.lists(state_events, max_size=40),
    st.lists(unit_events, max_size=10),
    windows,
    st.sampled_from([None, "W1", "W2"]),
)
def test_its_bands_draw_the_timeline_the_events_draw(
    states: list[StateEvent], units: list[UnitEvent], window: Window, worker: str | None
) -> None:
    kept = running(reversed(states), units, 0, TIMEOUT)  # units draw nothing
    mine = [e for e in states if worker in (None, e.worker_id)]
    workers = ["W1", "W2", "W3"] if worker is None else [worker]
    expected = bands(state_intervals(mine, TIMEOUT), window, workers)
    assert bands(kept.observed(window, worker), window, workers) == expected


@given(st.lists(state_events, max_size=40), st.integers(0, 3 * H))
def test_the_workers_active_at_an_instant_are_those_active_workers_finds(
    states: list[StateEvent], now_us: int
) -> None:
    kept = running(states, [], 0, TIMEOUT)
    assert kept.active(now_us) == active_workers(states, now_us, TIMEOUT)


def test_a_late_event_ends_the_state_before_it_where_it_begins() -> None:
    kept = running([ev(0), ev(600)], [], 0, TIMEOUT)
    kept.add_state(ev(300, "idle"))
    found = kept.tally(Window(0, 3600 * S))
    assert found == {("W1", "S1", 0): Tally(working_us=(300 + 900) * S, idle_us=300 * S)}


def test_an_event_counted_once_however_often_it_arrives() -> None:
    kept = running([ev(0), ev(0), ev(0)], [], 0, TIMEOUT)
    assert kept.tally(Window(0, H)) == {("W1", "S1", 0): Tally(working_us=TIMEOUT)}


def test_a_state_reaching_into_the_kept_hours_counts_from_their_start() -> None:
    kept = running([ev(-600)], [], 0, TIMEOUT)
    assert kept.tally(Window(0, H)) == {("W1", "S1", 0): Tally(working_us=300 * S)}


def test_a_window_before_the_kept_hours_is_not_covered() -> None:
    kept = Running(H, TIMEOUT)
    assert not kept.covers(Window(H - 1, 2 * H))
    with pytest.raises(ValueError, match="before"):
        kept.tally(Window(0, 2 * H))


def test_the_open_hour_counts_up_to_now_not_to_the_states_timeout() -> None:
    busy = [ev(t, "working" if t % 120 else "idle") for t in range(0, 3000, 60)]
    kept = running(busy, [], 0, TIMEOUT)
    now = Window(0, 3030 * S)
    assert kept.tally(now) == tally(busy, [], now, TIMEOUT)
    assert sum(t.occupied_us for t in kept.tally(now).values()) == 3030 * S
