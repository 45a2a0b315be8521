"""The timeline's bands: states clipped to the window, gaps unobserved, repeats merged."""

from floorpulse.metrics.intervals import Band, Interval, Window, bands

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
