"""The event generator: a lifelike factory day, the same for the same seed, faults on request."""

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from statistics import mean
from zoneinfo import ZoneInfo

import pytest

from floorpulse.demo.generator import (
    MODEL,
    NEW_MODEL,
    Detection,
    Factory,
    Faults,
    drifting_model,
    generate,
    realistic_faults,
    roster,
    stations,
)

DAY = datetime(2026, 3, 10, tzinfo=UTC)  # a Tuesday
STATES = {"working", "idle", "absent"}


def day_of(factory: Factory, start: datetime = DAY) -> list[Detection]:
    return list(generate(factory, start, start + timedelta(days=1)))


def by_worker(events: list[Detection]) -> dict[str, list[Detection]]:
    grouped: dict[str, list[Detection]] = defaultdict(list)
    for event in sorted(events, key=lambda e: e.ts_us):
        grouped[event.worker_id].append(event)
    return grouped


def test_the_default_floor_is_the_seeds_six_workers_and_six_named_stations() -> None:
    factory = Factory()

    people = roster(factory)

    assert [p.worker_id for p in people] == ["W1", "W2", "W3", "W4", "W5", "W6"]
    assert [s.workstation_id for s in stations(factory)] == ["S1", "S2", "S3", "S4", "S5", "S6"]
    assert all(p.name and " " in p.name for p in people)
    assert [p.shift.name for p in people] == ["A", "A", "A", "B", "B", "C"]
    assert len({p.units_per_hour for p in people}) > 1  # skills differ


def test_the_same_seed_gives_the_same_events_and_another_seed_others() -> None:
    assert day_of(Factory(seed=7)) == day_of(Factory(seed=7))
    assert day_of(Factory(seed=7)) != day_of(Factory(seed=8))


def test_a_window_holds_exactly_the_events_of_a_longer_run_that_fall_in_it() -> None:
    factory = Factory(seed=3, faults=realistic_faults())
    cut = DAY + timedelta(hours=13, minutes=17)

    longer = day_of(factory)
    shorter = list(generate(factory, DAY, cut))

    assert shorter == [e for e in longer if e.ts_us < to_us(cut)]


def test_events_come_in_delivery_order_and_none_arrives_before_it_happens() -> None:
    events = day_of(Factory(faults=realistic_faults()))

    assert [e.deliver_us for e in events] == sorted(e.deliver_us for e in events)
    assert all(e.deliver_us >= e.ts_us for e in events)


def test_a_present_worker_is_reported_more_often_than_the_state_timeout() -> None:
    factory = Factory(workers=12, heartbeat_s=60)

    for worker, events in by_worker(day_of(factory)).items():
        states = [e for e in events if e.event_type in STATES]
        gaps_s = [(b.ts_us - a.ts_us) / 1e6 for a, b in pairwise(states)]
        within_shift = [gap for gap in gaps_s if gap < 3600]  # not the night between shifts
        assert max(within_shift) <= 60, worker


def test_units_are_counted_only_while_working() -> None:
    checked = 0
    for events in by_worker(day_of(Factory(workers=12))).values():
        state = None  # a night shift's first units may come before its first state of the day
        for event in events:
            if event.event_type != "product_count":
                state = event.event_type
            elif state is not None:
                assert state == "working"
                checked += 1
    assert checked > 500


def test_most_of_the_day_shift_is_away_for_lunch() -> None:
    factory = Factory(workers=30, zone=ZoneInfo("Europe/Berlin"))
    lunch = datetime(2026, 3, 10, 13, 20, tzinfo=factory.zone)
    day_shift = {p.worker_id for p in roster(factory) if p.shift.name == "A"}

    at_lunch = [
        latest_state(events, lunch)
        for worker, events in by_worker(day_of(factory, DAY - timedelta(hours=2))).items()
        if worker in day_shift
    ]

    assert at_lunch.count("absent") / len(at_lunch) >= 0.6


def test_the_first_half_hour_is_slower_than_the_rest_of_the_shift() -> None:
    factory = Factory(workers=60, shifts=Factory().shifts[:1])
    events = day_of(factory)
    start_us = to_us(DAY.replace(hour=6))

    def units_per_minute(first_min: int, last_min: int) -> float:
        lo_us, hi_us = start_us + first_min * 60_000_000, start_us + last_min * 60_000_000
        units = sum(
            e.units for e in events if e.event_type == "product_count" and lo_us <= e.ts_us < hi_us
        )
        return units / (last_min - first_min)

    assert units_per_minute(0, 30) < 0.8 * units_per_minute(60, 180)


def test_workers_are_mostly_but_not_always_working() -> None:
    events = day_of(Factory(workers=12))
    states = [e.event_type for e in events if e.event_type in {"working", "idle"}]

    assert 0.6 < states.count("working") / len(states) < 0.95


def test_a_few_detections_have_low_confidence() -> None:
    events = day_of(Factory(workers=12))

    low_share = sum(e.confidence < 0.7 for e in events) / len(events)

    assert 0.01 < low_share < 0.08


def test_without_faults_nothing_is_repeated_and_each_camera_delivers_in_order() -> None:
    events = day_of(Factory(workers=12))

    assert len({e.event_id for e in events}) == len(events)
    for camera in {e.camera_id for e in events}:
        times = [e.ts_us for e in events if e.camera_id == camera]
        assert times == sorted(times)
    assert {e.model_version for e in events} == {MODEL}


def test_duplicates_are_the_same_event_sent_again() -> None:
    events = day_of(Factory(workers=12, faults=Faults(duplicate_share=0.05)))

    copies = len(events) - len({e.event_id for e in events})

    assert 0.03 < copies / len(events) < 0.07
    by_id = defaultdict(set)
    for event in events:
        by_id[event.event_id].add(event._replace(deliver_us=0))
    assert all(len(versions) == 1 for versions in by_id.values())


def test_out_of_order_events_are_overtaken_by_later_ones() -> None:
    events = day_of(Factory(workers=12, faults=Faults(out_of_order_share=0.05)))

    overtaken = sum(
        1
        for camera in {e.camera_id for e in events}
        for a, b in pairs([e for e in events if e.camera_id == camera])
        if b.ts_us < a.ts_us
    )

    assert overtaken > 0.02 * len(events)


def test_late_batches_arrive_together_long_after_they_happened() -> None:
    faults = Faults(late_share=0.2, late_by_s=(900, 900))
    events = day_of(Factory(workers=12, faults=faults))

    late = [e for e in events if e.deliver_us - e.ts_us > 600_000_000]

    assert late
    assert all(e.deliver_us - e.ts_us >= 900_000_000 for e in late)
    assert len({(e.camera_id, e.deliver_us) for e in late}) < len(late) / 5  # in batches


def test_a_new_model_part_way_through_reports_lower_confidence() -> None:
    change = DAY + timedelta(hours=12)
    events = day_of(Factory(workers=12, faults=Faults(model_change_at=change)))

    before = [e for e in events if e.ts_us < to_us(change)]
    after = [e for e in events if e.ts_us >= to_us(change)]

    assert {e.model_version for e in before} == {MODEL}
    assert {e.model_version for e in after} == {NEW_MODEL}
    assert mean(e.confidence for e in after) < mean(e.confidence for e in before) - 0.05


def test_the_drifting_model_takes_two_in_five_working_heartbeats_for_idle() -> None:
    change = DAY + timedelta(hours=12)
    steady = day_of(Factory(workers=12))
    drifting = day_of(Factory(workers=12, faults=drifting_model(change)))

    def working_share(events: list[Detection]) -> float:
        states = [
            e for e in events if e.ts_us >= to_us(change) and e.event_type in STATES - {"absent"}
        ]
        return sum(e.event_type == "working" for e in states) / len(states)

    assert working_share(drifting) == pytest.approx(working_share(steady) * 0.6, abs=0.03)


def test_the_wire_form_is_what_the_ingest_api_takes() -> None:
    event = day_of(Factory())[0]

    body = event.wire()

    assert body["timestamp"].endswith("Z")  # type: ignore[union-attr]
    assert datetime.fromisoformat(str(body["timestamp"])) == from_us(event.ts_us)
    assert body["event_id"] == event.event_id


@pytest.mark.parametrize("bad", [{"workers": 0}, {"stations": 0}, {"heartbeat_s": 0}])
def test_an_impossible_factory_is_refused(bad: dict[str, int]) -> None:
    with pytest.raises(ValueError, match=r"worker|heartbeat"):
        Factory(**bad)  # type: ignore[arg-type]


def latest_state(events: list[Detection], at: datetime) -> str | None:
    states = [e for e in events if e.event_type in STATES and e.ts_us <= to_us(at)]
    return states[-1].event_type if states else None


def pairs(events: list[Detection]) -> list[tuple[Detection, Detection]]:
    return list(pairwise(events))


def to_us(instant: datetime) -> int:
    return round(instant.timestamp() * 1_000_000)


def from_us(epoch_us: int) -> datetime:
    return datetime.fromtimestamp(epoch_us / 1_000_000, UTC)
