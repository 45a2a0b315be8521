"""Retention: raw events past FLOORPULSE_RETENTION_DAYS go, figures over their time stay."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from floorpulse.analytics.rollups import Rollups
from floorpulse.app import create_app
from floorpulse.db.epoch import to_epoch_us
from floorpulse.privacy.retention import Retention
from floorpulse.settings import Settings
from tests.conftest import NOW
from tests.factories import LOCAL, FixedClock, make_event, stored_count

KEPT_DAYS = 2
OLD = {"from": (NOW - timedelta(days=5)).isoformat(), "to": (NOW - timedelta(days=3)).isoformat()}


@pytest.fixture
def kept(
    app: FastAPI, settings: Settings, clock: FixedClock
) -> Iterator[tuple[FastAPI, TestClient]]:
    """Five days of history, written before retention was set; then a server keeping two."""
    with TestClient(app, client=LOCAL) as client:
        assert client.post("/api/admin/seed?hours=120").status_code == 200
    keeping = create_app(settings.model_copy(update={"retention_days": KEPT_DAYS}), clock=clock)
    with TestClient(keeping, client=LOCAL) as client:
        yield keeping, client


def retention(app: FastAPI, clock: FixedClock) -> Retention:
    state = app.state
    return Retention(state.database, state.settings, state.rollups, clock)


def test_old_raw_events_go_and_the_figures_of_their_time_stay(
    kept: tuple[FastAPI, TestClient], clock: FixedClock
) -> None:
    app, client = kept
    before = client.get("/api/metrics/workers", params=OLD).json()
    stored = stored_count(app.state.database)

    purged = retention(app, clock).purge()  # the rollups were not rebuilt: purge does it first

    assert purged is not None
    assert purged.before_us == to_epoch_us(NOW - timedelta(days=KEPT_DAYS))
    assert 0 < purged.deleted < stored
    assert stored_count(app.state.database) == stored - purged.deleted
    assert client.get("/api/metrics/workers", params=OLD).json() == before
    assert sum(w["total_units_produced"] for w in before) > 0
    oldest = client.get("/api/events", params={"to": OLD["to"], "limit": 1}).json()
    assert oldest == []


def test_figures_before_the_horizon_are_final_when_settings_change(
    kept: tuple[FastAPI, TestClient], clock: FixedClock, settings: Settings
) -> None:
    app, client = kept
    retention(app, clock).purge()
    before = client.get("/api/metrics/factory", params=OLD).json()

    changed = app.state.settings.model_copy(update={"state_timeout_s": 300})
    rollups = Rollups(app.state.database, changed, clock)
    assert rollups.check_basis()  # every hour with events is marked stale again ...
    rollups.rebuild_all()

    after = client.get("/api/metrics/factory", params=OLD).json()
    assert after["total_production_count"] == before["total_production_count"] > 0


def test_an_event_older_than_retention_is_refused_and_says_why(
    kept: tuple[FastAPI, TestClient],
) -> None:
    _, client = kept
    old = make_event(timestamp=(NOW - timedelta(days=KEPT_DAYS, minutes=1)).isoformat())

    refused = client.post("/api/events", json=old)

    assert refused.status_code == 422
    assert "FLOORPULSE_RETENTION_DAYS" in refused.json()["errors"][0]["message"]


def test_without_retention_nothing_is_deleted(app: FastAPI, clock: FixedClock) -> None:
    with TestClient(app, client=LOCAL) as client:
        client.post("/api/admin/seed?hours=24")
    stored = stored_count(app.state.database)

    assert retention(app, clock).purge() is None
    assert stored_count(app.state.database) == stored


def test_purging_again_deletes_only_what_has_aged_since(
    kept: tuple[FastAPI, TestClient], clock: FixedClock
) -> None:
    app, _ = kept
    first = retention(app, clock).purge()
    again = retention(app, clock).purge()
    clock.advance(3600)
    later = retention(app, clock).purge()

    assert first is not None
    assert again is not None
    assert later is not None
    assert again.deleted == 0
    assert later.before_us == first.before_us + 3600 * 1_000_000
    assert later.deleted > 0
