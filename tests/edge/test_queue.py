"""The durable queue: events outlive the agent, leave when acknowledged; overflow is counted."""

import json
from pathlib import Path

import pytest

from floorpulse.edge.queue import EdgeQueue, WhenFull
from floorpulse.edge.reading import check, parse
from tests.factories import make_event


def events(n: int, camera: str = "CAM-1") -> list[dict[str, object]]:
    return [
        make_event(camera_id=camera, timestamp=f"2026-01-15T10:{i // 60:02}:{i % 60:02}Z")
        for i in range(n)
    ]


def put(queue: EdgeQueue, bodies: list[dict[str, object]]) -> int:
    return queue.put([check(body) for body in bodies])


def test_queued_events_outlive_the_agent(tmp_path: Path) -> None:
    first = EdgeQueue(tmp_path / "q.db")
    put(first, events(3))
    first.close()

    again = EdgeQueue(tmp_path / "q.db")

    assert [q.event["timestamp"] for q in again.take(10)] == [
        "2026-01-15T10:00:00Z",
        "2026-01-15T10:00:01Z",
        "2026-01-15T10:00:02Z",
    ]


def test_each_event_gets_an_id_and_a_sequence_number_per_camera(tmp_path: Path) -> None:
    queue = EdgeQueue(tmp_path / "q.db")
    put(queue, [*events(2, "CAM-1"), *events(1, "CAM-2")])

    taken = queue.take(10)

    assert [(q.camera_id, q.camera_seq) for q in taken] == [
        ("CAM-1", 1),
        ("CAM-1", 2),
        ("CAM-2", 1),
    ]
    assert len({q.event["event_id"] for q in taken}) == 3
    assert taken[0].event["event_id"] == f"CAM-1-{queue.agent_id}-1"


def test_an_id_the_camera_gave_is_kept(tmp_path: Path) -> None:
    queue = EdgeQueue(tmp_path / "q.db")
    put(queue, [make_event(event_id="cam-own-7")])

    assert queue.take(1)[0].event["event_id"] == "cam-own-7"


def test_an_event_leaves_only_when_acknowledged(tmp_path: Path) -> None:
    queue = EdgeQueue(tmp_path / "q.db")
    put(queue, events(3))
    taken = queue.take(2)

    queue.acknowledge(taken, duplicates=1)

    assert [q.camera_seq for q in queue.take(10)] == [3]
    status = queue.status()
    assert (status.counters["forwarded"], status.counters["duplicates"]) == (1, 1)
    assert status.cameras["CAM-1"] == {"last_seq": 3, "forwarded_seq": 2}
    assert status.last_success_us is not None


def test_a_backlog_is_sent_oldest_first_with_some_of_the_newest(tmp_path: Path) -> None:
    queue = EdgeQueue(tmp_path / "q.db")
    put(queue, events(100))

    taken = [q.camera_seq for q in queue.take(8, live_share=0.25)]

    assert taken == [1, 2, 3, 4, 5, 6, 99, 100]


def test_a_full_queue_drops_the_oldest_and_counts_each(tmp_path: Path) -> None:
    queue = EdgeQueue(tmp_path / "q.db", capacity=10, when_full=WhenFull.DROP_OLDEST)

    assert put(queue, events(25)) == 25

    assert [q.camera_seq for q in queue.take(100)] == list(range(16, 26))
    assert queue.status().counters["dropped"] == 15


def test_a_full_queue_that_stops_reading_takes_only_what_fits(tmp_path: Path) -> None:
    queue = EdgeQueue(tmp_path / "q.db", capacity=10, when_full=WhenFull.STOP_READING)

    assert put(queue, events(25)) == 10

    assert queue.status().counters["dropped"] == 0
    assert queue.room() == 0


def test_a_source_position_is_saved_only_with_everything_before_it(tmp_path: Path) -> None:
    queue = EdgeQueue(tmp_path / "q.db", capacity=2, when_full=WhenFull.STOP_READING)
    items = [check(body) for body in events(3)]

    queue.put(items, source="file:x", position=300)
    assert queue.position("file:x") == 0
    queue.acknowledge(queue.take(2), duplicates=0)
    queue.put(items[2:], source="file:x", position=300)

    assert queue.position("file:x") == 300


def test_unreadable_input_becomes_a_dead_letter_with_its_reason(tmp_path: Path) -> None:
    queue = EdgeQueue(tmp_path / "q.db")

    taken = queue.put([*parse("{not json"), *parse(json.dumps(make_event(confidence=3)))])

    assert taken == 2
    assert queue.take(10) == []
    reasons = [letter["reason"] for letter in queue.dead_letters()]
    assert reasons[0].startswith("not JSON")
    assert "confidence" in reasons[1]


def test_a_line_may_hold_an_array_of_events() -> None:
    items = parse(json.dumps(events(3)))

    assert [item.problem for item in items] == [None, None, None]


def test_a_queue_needs_room_for_one_event(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="capacity"):
        EdgeQueue(tmp_path / "q.db", capacity=0)
