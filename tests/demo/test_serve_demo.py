"""`floorpulse serve --demo`: a day of history at once, then a factory that keeps moving."""

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.factories import ROUND_THE_CLOCK, iso
from tests.server.live import StartServer

pytestmark = pytest.mark.server


def test_demo_mode_serves_a_day_of_history_and_live_events(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server(
        None,
        "--demo",
        FLOORPULSE_SHIFTS=ROUND_THE_CLOCK,
        FLOORPULSE_STATE_TIMEOUT_S="60",
        FLOORPULSE_DEMO_QUEUE_PATH=str(tmp_path / "demo-queue.db"),
    )
    started = datetime.now(UTC)
    api = httpx.Client(base_url=server.url, timeout=30)

    day = api.get(
        "/api/metrics/factory",
        params={"from": iso(started - timedelta(hours=24)), "to": iso(started)},
    ).json()
    assert day["total_workers"] == 6
    assert day["total_production_count"] > 100
    assert api.get("/api/demo").json() | {"latest": None} == {
        "demo": True,
        "live": True,
        "latest": None,
    }

    deadline = time.monotonic() + 60
    live: list[dict[str, object]] = []
    while not live and time.monotonic() < deadline:
        time.sleep(1)
        newest = api.get("/api/events", params={"limit": 20}).json()
        live = [e for e in newest if str(e["received_at"]) > iso(started)]
    assert live, "no simulated event arrived within 60 s"
    assert str(live[0]["event_id"]).startswith("CAM-S")


def test_demo_mode_does_not_seed_a_database_that_has_data(
    start_server: StartServer, tmp_path: Path
) -> None:
    first = start_server(None, FLOORPULSE_DEMO_QUEUE_PATH=str(tmp_path / "q.db"))
    event = {
        "timestamp": iso(datetime.now(UTC)),
        "worker_id": "W1",
        "workstation_id": "S1",
        "event_type": "working",
        "confidence": 0.9,
    }
    httpx.post(f"{first.url}/api/events", json=event, timeout=30)
    first.stop()

    again = start_server(None, "--demo", FLOORPULSE_DEMO_QUEUE_PATH=str(tmp_path / "q.db"))

    assert httpx.get(f"{again.url}/api/demo", timeout=30).json() == {
        "demo": False,
        "live": False,
        "latest": None,
    }
