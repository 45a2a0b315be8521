"""How state events become intervals: heartbeats, timeouts, moves, ties, repeats."""

from floorpulse.metrics.intervals import (
    PRECEDENCE,
    STATES,
    Interval,
    StateEvent,
    active_workers,
    state_intervals,
)

S = 1_000_000  # µs in a second
TIMEOUT = 600 * S


def ev(t_s: int, state: str = "working", station: str = "S1", worker: str = "W1") -> StateEvent:
    return StateEvent(t_s * S, worker, station, state)


def spans(*events: StateEvent) -> list[tuple[int, int, str, str]]:
    return [
        (i.start_us // S, i.end_us // S, i.workstation_id, i.state)
        for i in state_intervals(events, TIMEOUT)
    ]


def test_a_state_holds_until_the_next_event() -> None:
    assert spans(ev(0), ev(100, "idle")) == [(0, 100, "S1", "working"), (100, 700, "S1", "idle")]


def test_heartbeats_continue_the_state_and_each_restarts_the_timeout() -> None:
    assert spans(ev(0), ev(500), ev(1000)) == [
        (0, 500, "S1", "working"),
        (500, 1000, "S1", "working"),
        (1000, 1600, "S1", "working"),
    ]


def test_after_the_timeout_the_worker_is_unobserved() -> None:
    assert spans(ev(0), ev(1000, "idle")) == [
        (0, 600, "S1", "working"),
        (1000, 1600, "S1", "idle"),
    ]


def test_a_state_belongs_to_the_station_named_in_its_event() -> None:
    assert spans(ev(0, station="S1"), ev(300, station="S2")) == [
        (0, 300, "S1", "working"),
        (300, 900, "S2", "working"),
    ]


def test_events_arriving_out_of_order_give_the_same_intervals() -> None:
    assert spans(ev(300, "idle"), ev(0)) == spans(ev(0), ev(300, "idle"))


def test_a_repeated_event_is_one_event() -> None:
    assert spans(ev(0), ev(0), ev(100, "idle"), ev(100, "idle")) == spans(ev(0), ev(100, "idle"))


def test_at_one_instant_working_beats_idle_beats_absent_whatever_the_order() -> None:
    expected = [(0, 600, "S1", "working")]
    assert spans(ev(0, "idle"), ev(0, "working"), ev(0, "absent")) == expected
    assert spans(ev(0, "absent"), ev(0, "working"), ev(0, "idle")) == expected


def test_at_one_instant_in_one_state_the_greater_station_id_holds() -> None:
    assert spans(ev(0, station="S2"), ev(0, station="S1")) == [(0, 600, "S2", "working")]


def test_workers_are_independent() -> None:
    intervals = list(state_intervals([ev(0, worker="W1"), ev(100, worker="W2")], TIMEOUT))

    assert intervals == [
        Interval(0, 600 * S, "W1", "S1", "working"),
        Interval(100 * S, 700 * S, "W2", "S1", "working"),
    ]


def test_active_workers_are_those_working_or_idle_now_within_the_timeout() -> None:
    events = [
        ev(0, "working", worker="busy"),
        ev(900, "idle", worker="waiting"),
        ev(950, "absent", worker="away"),
        ev(100, "working", worker="gone"),  # last seen 900 s ago: timed out
        ev(1200, "working", worker="future"),  # not yet
        ev(990, "working", worker="busy"),
    ]

    assert active_workers(events, now_us=1000 * S, timeout_us=TIMEOUT) == {"busy", "waiting"}


def test_state_names_sort_in_precedence_order() -> None:
    # state_intervals orders events by the names themselves, for speed
    assert sorted(STATES) == sorted(STATES, key=PRECEDENCE.__getitem__)
