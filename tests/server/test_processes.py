"""`serve --workers N`: several server processes on one PostgreSQL database, each event stored
once, each scheduled job run by one of them; SQLite is refused, with the reason."""

import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from floorpulse.app import create_app
from floorpulse.db.engine import Database
from floorpulse.settings import Settings
from tests.factories import LOCAL, floorpulse, make_event, stored_count
from tests.server.live import StartServer

SENT = 400


def test_more_than_one_process_on_sqlite_is_refused_with_the_reason(tmp_path: Path) -> None:
    refused = floorpulse(f"sqlite:///{tmp_path / 'fp.db'}", "serve", "--workers", "2")

    assert refused.returncode == 2
    assert "refusing --workers 2 on SQLite" in refused.stderr
    assert "PostgreSQL" in refused.stderr


@pytest.mark.postgresql
def test_two_processes_store_each_event_once_and_share_the_jobs(
    start_server: StartServer, database_url: str, tmp_path: Path
) -> None:
    server = start_server(None, "--workers", "2", FLOORPULSE_LOG_LEVEL="info")
    events = (
        [
            make_event(event_id=f"cam-{n}", timestamp=f"2026-01-15T10:{n % 60:02d}:00Z")
            for n in range(SENT // 2)
        ]
        * 2
    )  # every event twice: the second copy comes on another connection, maybe to the other process

    def send(event: dict[str, object]) -> int:
        with httpx.Client(base_url=server.url, timeout=30) as client:  # a new connection each
            return client.post("/api/events", json=event).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(send, events))
    time.sleep(2)  # each process takes its jobs' turns
    scrapes = [httpx.get(f"{server.url}/metrics", timeout=30).text for _ in range(6)]

    database = Database(database_url)
    with database.read() as conn:
        holders = conn.execute(text("SELECT holder FROM job_leases")).scalars().all()
    stored = stored_count(database)
    database.dispose()
    log = (tmp_path / f"server-{server.port}.log").read_text()
    served_by = set(re.findall(r"Started server process \[(\d+)\]", log))
    assert sorted(set(statuses)) == [200, 201]
    assert stored == SENT // 2
    assert len(served_by) == 2
    assert {holder.split(":")[1] for holder in holders} <= served_by
    # whichever process a scrape reaches counts what both took
    for scrape in scrapes:
        assert 'floorpulse_events_total{outcome="accepted"} 200.0' in scrape
        assert 'floorpulse_events_total{outcome="duplicate"} 200.0' in scrape


def test_a_dashboard_on_one_process_is_woken_by_an_event_stored_by_another(
    settings: Settings,
) -> None:
    """The push watches the store, not its own process: any process's event moves it."""
    watching, storing = create_app(settings), create_app(settings)

    with TestClient(watching, client=LOCAL), TestClient(storing, client=LOCAL) as other:
        before = watching.state.dashboard.version()
        assert other.post("/api/events", json=make_event()).status_code == 201
        after = watching.state.dashboard.version()

    assert after != before
