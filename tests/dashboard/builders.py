"""Plain data for the dashboard's pure functions: an Overview as the view service builds it."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from floorpulse.analytics.schemas import Point, Series, WorkerMetrics, WorkstationMetrics
from floorpulse.dashboard import ids
from floorpulse.dashboard.views import Kpi, Overview
from floorpulse.db.epoch import to_epoch_us
from floorpulse.events.schemas import EventOut
from floorpulse.metrics.intervals import Band as StateBand

START = datetime(2026, 1, 15, 6, 0, tzinfo=UTC)
END = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
# The reseed callback's request, as the browser posts it when the viewer confirms a reseed.
RESEED_CONFIRMED = {
    "output": f"{ids.SEED_RESULT}.children",
    "outputs": {"id": ids.SEED_RESULT, "property": "children"},
    "inputs": [
        {"id": ids.RESEED_CONFIRM, "property": "submit_n_clicks", "value": 1},
        {"id": ids.SEED_FIRST, "property": "n_clicks", "value": None},
    ],
    "changedPropIds": [f"{ids.RESEED_CONFIRM}.submit_n_clicks"],
    "state": [],
}


def worker(worker_id: str, utilization: float | None, units: int = 0) -> WorkerMetrics:
    return WorkerMetrics(
        worker_id=worker_id,
        name=f"Name {worker_id}",
        total_active_time_minutes=120,
        total_idle_time_minutes=30,
        total_absent_time_minutes=0,
        utilization_percentage=utilization,
        total_units_produced=units,
        units_per_hour=units / 2 if units else None,
        active_seconds=7200,
        idle_seconds=1800,
        absent_seconds=0,
    )


def station(workstation_id: str, utilization: float | None) -> WorkstationMetrics:
    return WorkstationMetrics(
        workstation_id=workstation_id,
        name=None,
        occupancy_time_minutes=90,
        utilization_percentage=utilization,
        total_units_produced=7,
        throughput_rate=4.67,
        working_seconds=4000,
        idle_seconds=1400,
    )


def point(hour: int, utilization: float | None, units: int) -> Point:
    start = START + timedelta(hours=hour)
    return Point(
        start=start,
        end=start + timedelta(hours=1),
        working_seconds=1800,
        idle_seconds=1800,
        absent_seconds=0,
        units=units,
        utilization_percentage=utilization,
    )


def event(event_type: str = "working", **changes: Any) -> EventOut:
    fields: dict[str, Any] = {
        "id": 1,
        "timestamp": END - timedelta(minutes=1),
        "worker_id": "W1",
        "workstation_id": "S1",
        "event_type": event_type,
        "confidence": 0.91,
        "count": 1,
        "model_version": None,
        "camera_id": None,
        "site_id": "default",
        "event_id": None,
        "low_confidence": False,
        "backfilled": False,
        "received_at": END,
        "created_at": END,
    }
    return EventOut(**{**fields, **changes})


def overview(**changes: Any) -> Overview:
    view = Overview(
        start=START,
        end=END,
        shift=None,
        kpis=[Kpi("units", "Units produced", 12, 10)],
        workers=[worker("W1", 55.0, 4), worker("W2", 91.0, 8), worker("W3", None)],
        teams=[],
        workstations=[station("S1", 70.0)],
        heatmap=[Series(key="S1", name="Press", points=[point(0, 50.0, 3), point(1, None, 0)])],
        trend=[point(0, 50.0, 3), point(1, 75.0, 9)],
        timeline=[
            StateBand(to_epoch_us(START), to_epoch_us(END), "W1", "working"),
            StateBand(to_epoch_us(START), to_epoch_us(END), "W2", "unobserved"),
        ],
        events=[event()],
        worker_choices=[("W1", "Name W1"), ("W2", "W2")],
        station_choices=[("S1", "Press")],
        site_choices=["default", "north"],
        demo=False,
        empty=False,
        updated_at=END,
    )
    return replace(view, **changes)
