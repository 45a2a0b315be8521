"""Duplicates sent at the same time, to several server processes, are stored once."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from floorpulse.db.engine import Database
from floorpulse.db.tables import Event
from tests.factories import make_event
from tests.server.live import StartServer

SENDERS = 8
START = datetime.now(UTC) - timedelta(hours=2)


def _events() -> list[dict[str, Any]]:
    """Half the events carry an event_id, half are identified by their natural key."""
    events = []
    for n in range(300):
        at = (START + timedelta(seconds=n)).isoformat()
        extra = {"event_id": f"cam1-{n}"} if n % 2 else {}
        events.append(make_event(timestamp=at, worker_id=f"W{n % 6}", **extra))
    return events


def test_parallel_senders_to_two_processes_store_each_event_once(
    start_server: StartServer, database_url: str
) -> None:
    servers = [start_server(), start_server()]
    events = _events()

    def send(sender: int) -> int:
        with httpx.Client(base_url=servers[sender % 2].url, timeout=60) as client:
            accepted = client.post("/api/events/batch", json=events).json()["accepted"]
            singles = [client.post("/api/events", json=e) for e in events[:20]]
        return int(accepted) + sum(1 for r in singles if r.status_code == 201)

    with ThreadPoolExecutor(SENDERS) as pool:
        accepted = sum(pool.map(send, range(SENDERS)))

    db = Database(database_url)
    with db.read() as conn:
        stored = conn.execute(select(func.count()).select_from(Event)).scalar_one()
        distinct = conn.execute(select(func.count(func.distinct(Event.ts_us)))).scalar_one()
    db.dispose()
    assert accepted == stored == distinct == len(events)
