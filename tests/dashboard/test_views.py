"""The dashboard's view service on a real database: empty state, demo data and reseeding."""

from datetime import datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from floorpulse.dashboard.filters import Filters
from floorpulse.dashboard.views import TIMELINE_STEPS, DashboardService
from floorpulse.db.engine import Database
from floorpulse.db.epoch import from_epoch_us
from floorpulse.errors import Conflict
from tests.factories import FixedClock, make_event, stored_count


@pytest.fixture
def views(app: FastAPI, client: TestClient) -> DashboardService:
    service: DashboardService = app.state.dashboard
    return service


def test_an_empty_database_shows_the_empty_state_until_sample_data_is_loaded(
    views: DashboardService, db: Database
) -> None:
    assert views.overview(Filters()).empty

    result = views.reseed()

    assert (result.to - result.from_).total_seconds() == 24 * 3600
    assert result.accepted == stored_count(db) > 0
    shown = views.overview(Filters())  # at once: reseeding empties the shared views
    assert not shown.empty
    assert shown.demo


def test_reseeding_rewrites_the_latest_seeding_over_again(
    views: DashboardService, client: TestClient, db: Database
) -> None:
    seeded = client.post("/api/admin/seed", params={"hours": 2, "workers": 3, "seed": 7}).json()
    before = stored_count(db)

    result = views.reseed()

    assert result.cleared_events == before
    assert (result.to - result.from_).total_seconds() == 2 * 3600
    assert (result.workers, result.seed, result.accepted) == (3, 7, seeded["accepted"])
    assert stored_count(db) == before  # the same floor, seed and hours: the same events


def test_reseeding_never_deletes_observed_events(
    views: DashboardService, client: TestClient, db: Database
) -> None:
    assert client.post("/api/events", json=make_event()).status_code == 201

    with pytest.raises(Conflict, match="observed"):
        views.reseed()

    assert stored_count(db) == 1


def test_the_version_moves_when_an_event_is_stored_and_when_sample_data_is_rewritten(
    views: DashboardService, client: TestClient, clock: FixedClock
) -> None:
    empty = views.version()
    client.post("/api/admin/seed", params={"hours": 1, "workers": 2})
    seeded = views.version()
    assert client.post("/api/events", json=make_event(worker_id="W77")).status_code == 201
    stored = views.version()
    assert stored == views.version()  # nothing new: the same version

    clock.advance(1)
    views.reseed()  # the same floor and seed, so the same rows: it is the seeding that is new

    assert len({empty, seeded, stored, views.version()}) == 4


def test_the_timeline_is_drawn_at_the_screens_resolution_and_the_api_keeps_every_band(
    views: DashboardService, client: TestClient
) -> None:
    flickering = [  # a state every 10 s for twelve hours: 2,880 bands, narrower than pixels
        make_event(
            timestamp=f"2026-01-15T{n // 360:02d}:{n // 6 % 60:02d}:{n % 6 * 10:02d}Z",
            event_type=("working", "working", "idle")[n % 3],
        )
        for n in range(12 * 360)
    ]
    for first in range(0, len(flickering), 500):
        client.post("/api/events/batch", json=flickering[first : first + 500]).raise_for_status()

    drawn = views.overview(Filters()).timeline
    exact = client.get("/api/metrics/timeline").json()["bands"]

    assert len(exact) == 4 * 12 * 60  # working, idle, working, idle: every minute
    assert len(drawn) < TIMELINE_STEPS
    drawn_span = [from_epoch_us(drawn[0].start_us), from_epoch_us(drawn[-1].end_us)]
    assert drawn_span == [
        datetime.fromisoformat(exact[0]["start"]),
        datetime.fromisoformat(exact[-1]["end"]),
    ]
