"""Detections per model version and camera: kept per hour with the rollups, read the same raw."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from floorpulse.analytics.rollups import Rollups
from floorpulse.db.engine import Database
from floorpulse.db.epoch import to_epoch_us
from floorpulse.db.tables import model_sightings, stale_hours
from floorpulse.demo import repository as demo
from floorpulse.events.service import EventService
from floorpulse.mlops.repository import HourCount, hourly_counts
from floorpulse.settings import Settings
from tests.conftest import NOW
from tests.factories import FixedClock, make_event

H10 = to_epoch_us(NOW.replace(hour=10))
H11 = to_epoch_us(NOW.replace(hour=11))


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.database_url)
    yield database
    database.dispose()


def store(db: Database, settings: Settings, clock: FixedClock, *events: dict[str, Any]) -> None:
    service = EventService(db, settings, clock)
    service.store_batches([service.prepare_batch(json.dumps(list(events)).encode())])


def detection(ts: str, kind: str, confidence: float, **more: Any) -> dict[str, Any]:
    fields = {"model_version": "v1", "camera_id": "CAM-1", **more}
    return make_event(
        timestamp=f"2026-01-15T{ts}Z", event_type=kind, confidence=confidence, **fields
    )


FLOOR = [
    detection("10:00:00", "working", 0.9),
    detection("10:01:00", "working", 0.8, worker_id="W2"),
    detection("10:02:00", "idle", 0.5),  # below the threshold (0.7): low confidence
    detection("10:30:00", "product_count", 0.95, count=3),
    detection("10:40:00", "working", 0.6, model_version="v2", camera_id="CAM-2"),
    detection("11:05:00", "absent", 0.7, model_version=None),
]
EXPECTED = [
    HourCount(H10, "v1", "CAM-1", "idle", 1, 0.5, 1),
    HourCount(H10, "v1", "CAM-1", "product_count", 1, 0.95, 0),  # an event, not 3 units
    HourCount(H10, "v1", "CAM-1", "working", 2, 1.7, 0),  # two workers summed
    HourCount(H10, "v2", "CAM-2", "working", 1, 0.6, 1),
    HourCount(H11, "", "CAM-1", "absent", 1, 0.7, 0),  # no version: ''
]


def counts(db: Database) -> list[HourCount]:
    with db.read() as conn:
        found = hourly_counts(conn, "main", H10, H11 + 3_600_000_000)
    return [c._replace(confidence_sum=round(c.confidence_sum, 6)) for c in found]


def test_detections_read_from_events_while_stale_and_from_the_kept_hours_after(
    db: Database, settings: Settings, clock: FixedClock
) -> None:
    store(db, settings, clock, *FLOOR)
    stale = counts(db)

    Rollups(db, settings, clock).rebuild_all()

    assert stale == EXPECTED
    assert counts(db) == EXPECTED


def test_a_low_confidence_event_alone_marks_its_hour_for_the_model_counts(
    db: Database, settings: Settings, clock: FixedClock
) -> None:
    store(db, settings, clock, detection("10:00:00", "working", 0.9))
    Rollups(db, settings, clock).rebuild_all()

    store(db, settings, clock, detection("10:20:00", "idle", 0.4))  # counts in no figure

    with db.read() as conn:
        marked = conn.execute(select(stale_hours.c.hour_us)).scalars().all()
    assert marked == [H10]
    Rollups(db, settings, clock).rebuild_all()
    assert [(c.event_type, c.events, c.low_confidence) for c in counts(db)] == [
        ("idle", 1, 1),
        ("working", 1, 0),
    ]


def sightings(db: Database) -> list[tuple[Any, ...]]:
    s = model_sightings.c
    with db.read() as conn:
        rows = conn.execute(select(s.model_version, s.camera_id, s.first_us, s.last_us))
        return sorted(tuple(row) for row in rows)


def test_sightings_widen_to_every_event_and_are_not_moved_by_repeats(
    db: Database, settings: Settings, clock: FixedClock
) -> None:
    store(db, settings, clock, detection("10:30:00", "working", 0.9))
    store(
        db,
        settings,
        clock,
        detection("10:10:00", "working", 0.9),  # earlier: arrived late
        detection("10:50:00", "idle", 0.9),
        detection("10:30:00", "working", 0.9),  # a repeat
        detection("10:20:00", "working", 0.9, camera_id=None),
    )

    minute = 60_000_000
    assert sightings(db) == [
        ("v1", "", H10 + 20 * minute, H10 + 20 * minute),
        ("v1", "CAM-1", H10 + 10 * minute, H10 + 50 * minute),
    ]


def test_fresh_sample_data_clears_the_model_counts_and_sightings(
    db: Database, settings: Settings, clock: FixedClock
) -> None:
    store(db, settings, clock, *FLOOR)
    Rollups(db, settings, clock).rebuild_all()

    with db.write() as conn:
        demo.clear_all(conn)

    assert counts(db) == []
    assert sightings(db) == []


def test_a_window_cut_inside_hours_counts_only_the_detections_inside_it(
    db: Database, settings: Settings, clock: FixedClock
) -> None:
    store(db, settings, clock, *FLOOR)
    Rollups(db, settings, clock).rebuild_all()
    minute = 60_000_000

    with db.read() as conn:
        inside = hourly_counts(conn, "main", H10 + minute, H10 + 40 * minute)
        across = hourly_counts(conn, "main", H10 + 35 * minute, H11 + 10 * minute)

    assert [(c.event_type, c.events) for c in inside] == [
        ("idle", 1),
        ("product_count", 1),
        ("working", 1),  # W2's at 10:01; W1's at 10:00 is before the window
    ]
    assert [(c.hour_us, c.model_version, c.event_type) for c in across] == [
        (H10, "v2", "working"),  # 10:40
        (H11, "", "absent"),  # 11:05
    ]
