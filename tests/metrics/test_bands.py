"""The timeline's bands: states clipped to the window, gaps unobserved, repeats merged; a day
put together from hourly pieces is the day drawn in one go."""

from itertools import chain, pairwise

from hypothesis import given
from hypothesis import strategies as st

from floorpulse.metrics.intervals import (
    Band,
    Interval,
    StateEvent,
    Window,
    at_resolution,
    bands,
    observed,
    state_intervals,
)

S = 1_000_000  # µs in a second
HOUR = Window(0, 3600 * S)


def iv(start_s: int, end_s: int, state: str = "working", worker: str = "W1") -> Interval:
    return Interval(start_s * S, end_s * S, worker, "S1", state)


def seconds(found: list[Band]) -> list[tuple[str, int, int, str]]:
    return [(b.worker_id, b.start_us // S, b.end_us // S, b.state) for b in found]


def test_time_no_state_covers_is_unobserved() -> None:
    found = bands([iv(600, 1200), iv(1800, 2400, "idle")], HOUR, ["W1"])

    assert seconds(found) == [
        ("W1", 0, 600, "unobserved"),
        ("W1", 600, 1200, "working"),
        ("W1", 1200, 1800, "unobserved"),
        ("W1", 1800, 2400, "idle"),
        ("W1", 2400, 3600, "unobserved"),
    ]


def test_touching_intervals_of_one_state_merge_and_the_window_clips() -> None:
    heartbeats = [iv(-120, 60), iv(60, 120), iv(120, 3700)]

    assert seconds(bands(heartbeats, HOUR, ["W1"])) == [("W1", 0, 3600, "working")]


def test_a_worker_never_seen_is_unobserved_throughout_and_workers_come_in_id_order() -> None:
    found = bands([iv(0, 3600, "absent", worker="W2")], HOUR, ["W3", "W2"])

    assert seconds(found) == [("W2", 0, 3600, "absent"), ("W3", 0, 3600, "unobserved")]


def test_intervals_outside_the_window_draw_nothing() -> None:
    assert seconds(bands([iv(4000, 5000)], HOUR, [])) == []


def test_pieces_cut_intervals_at_their_edges_and_leave_gaps_for_later() -> None:
    pieces = [Window(0, 1800 * S), Window(1800 * S, 3600 * S)]

    first, second = observed([iv(600, 1200), iv(1200, 2400), iv(3000, 3100, "idle")], pieces)

    assert seconds(first) == [("W1", 600, 1800, "working")]
    assert seconds(second) == [("W1", 1800, 2400, "working"), ("W1", 3000, 3100, "idle")]


def test_pieces_keep_workers_apart_and_in_order() -> None:
    intervals = [iv(0, 600), iv(0, 600, worker="W2")]

    (piece,) = observed(intervals, [HOUR])

    assert seconds(piece) == [("W1", 0, 600, "working"), ("W2", 0, 600, "working")]


state_events = st.builds(
    lambda t, w, state: StateEvent(t * S, w, "S1", state),
    st.integers(-600, 4000),
    st.sampled_from(["W1", "W2"]),
    st.sampled_from(["working", "idle", "absent"]),
)


@given(
    st.lists(state_events, max_size=40),
    st.lists(st.integers(1, 3599), max_size=5, unique=True),
    st.integers(0, 3600),
)
def test_a_window_drawn_from_its_pieces_is_the_window_drawn_whole(
    events: list[StateEvent], cuts: list[int], shift_s: int
) -> None:
    window = Window(shift_s * S, (shift_s + 3600) * S)
    edges = [window.start_us, *sorted(window.start_us + c * S for c in cuts), window.end_us]
    pieces = [Window(a, b) for a, b in pairwise(edges)]
    intervals = list(state_intervals(events, 120 * S))

    from_pieces = bands(chain.from_iterable(observed(intervals, pieces)), window, ["W1", "W3"])

    assert from_pieces == bands(intervals, window, ["W1", "W3"])


def test_at_a_chart_resolution_each_step_shows_what_held_longest_in_it() -> None:
    drawn = bands(
        [iv(0, 250), iv(250, 290, "idle"), iv(290, 1000, "absent")], Window(0, 1000 * S), ["W1"]
    )

    found = at_resolution(drawn, Window(0, 1000 * S), 100 * S)

    assert seconds(found) == [
        ("W1", 0, 300, "working"),  # 200-300: 50 s working, 40 s idle, 10 s absent
        ("W1", 300, 1000, "absent"),  # the idle sliver gave way
    ]


def test_at_a_chart_resolution_equal_times_go_to_the_higher_state() -> None:
    drawn = bands([iv(0, 50, "absent"), iv(50, 100, "working")], Window(0, 100 * S), ["W1"])

    assert seconds(at_resolution(drawn, Window(0, 100 * S), 100 * S)) == [("W1", 0, 100, "working")]


@given(st.lists(state_events, max_size=40), st.integers(0, 3600), st.sampled_from([1, 7, 60, 900]))
def test_at_a_chart_resolution_every_row_still_covers_the_window_step_by_step(
    events: list[StateEvent], shift_s: int, step_s: int
) -> None:
    window = Window(shift_s * S, (shift_s + 3600) * S)
    drawn = bands(state_intervals(events, 120 * S), window, ["W1", "W2"])

    found = at_resolution(drawn, window, step_s * S)

    for worker in ("W1", "W2"):
        row = [b for b in found if b.worker_id == worker]
        assert [(a.end_us, b.state != a.state) for a, b in pairwise(row)] == [
            (b.start_us, True) for b in row[1:]
        ]  # contiguous, and neighbours differ
        assert (row[0].start_us, row[-1].end_us) == (window.start_us, window.end_us)
        assert all(b.end_us % (step_s * S) == 0 for b in row[:-1])  # edges on steps
    if step_s == 1:  # events fall on whole seconds: nothing is finer than a step
        assert found == drawn


def held_longest(drawn: list[Band], window: Window, step_us: int) -> list[Band]:
    """at_resolution() spelled out: every step of every row, one at a time."""
    precedence = {"unobserved": -1, "absent": 0, "idle": 1, "working": 2}
    found: list[Band] = []
    for worker in sorted({b.worker_id for b in drawn}):
        row = [b for b in drawn if b.worker_id == worker]
        start = window.start_us
        while start < window.end_us:
            end = min(start - start % step_us + step_us, window.end_us)
            held = {b.state: 0 for b in row}
            for b in row:
                held[b.state] += max(0, min(b.end_us, end) - max(b.start_us, start))
            state = max(held, key=lambda s: (held[s], precedence[s]))
            if found and (found[-1].worker_id, found[-1].state) == (worker, state):
                found[-1] = found[-1]._replace(end_us=end)
            else:
                found.append(Band(start, end, worker, state))
            start = end
    return found


@given(st.lists(state_events, max_size=40), st.integers(0, 3600), st.sampled_from([7, 60, 900]))
def test_at_a_chart_resolution_each_step_is_the_state_that_held_longest_in_it(
    events: list[StateEvent], shift_s: int, step_s: int
) -> None:
    window = Window(shift_s * S, (shift_s + 3600) * S)
    drawn = bands(state_intervals(events, 120 * S), window, ["W1", "W2"])

    assert at_resolution(drawn, window, step_s * S) == held_longest(drawn, window, step_s * S)


@given(
    st.lists(state_events, max_size=40),
    st.lists(st.integers(1, 3599), max_size=3, unique=True),
    st.sampled_from([7, 60, 900]),
)
def test_at_a_chart_resolution_pieces_of_the_window_one_after_the_other_draw_it_whole(
    events: list[StateEvent], cuts: list[int], step_s: int
) -> None:
    edges = [HOUR.start_us, *sorted(c * S for c in cuts), HOUR.end_us]
    pieces = observed(state_intervals(events, 120 * S), [Window(a, b) for a, b in pairwise(edges)])

    # Workers interleave (each piece lists W1 then W2) and gaps are left unfilled.
    found = at_resolution(chain.from_iterable(pieces), HOUR, step_s * S, ["W1", "W3"])

    whole = bands(state_intervals(events, 120 * S), HOUR, ["W1", "W3"])
    assert found == at_resolution(whole, HOUR, step_s * S)
