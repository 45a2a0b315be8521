"""An acknowledged event survives the server being killed right after the answer."""

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select

from floorpulse.db.engine import Database
from floorpulse.db.tables import Event
from tests.factories import make_event
from tests.server.live import StartServer


def test_acknowledged_events_survive_kill_9(start_server: StartServer, database_url: str) -> None:
    server = start_server()
    start = datetime.now(UTC) - timedelta(hours=1)
    batch = [make_event(timestamp=(start + timedelta(seconds=n)).isoformat()) for n in range(1000)]

    accepted = httpx.post(f"{server.url}/api/events/batch", json=batch, timeout=30).json()[
        "accepted"
    ]
    newest = make_event(event_id="last-words", timestamp=datetime.now(UTC).isoformat())
    single = httpx.post(f"{server.url}/api/events", json=newest, timeout=30)
    server.kill()

    assert (accepted, single.status_code) == (1000, 201)
    db = Database(database_url)
    with db.read() as conn:
        assert conn.execute(select(func.count()).select_from(Event)).scalar_one() == 1001
        assert (
            conn.execute(select(Event.id).where(Event.event_id == "last-words")).scalar_one()
            == (single.json()["id"])
        )
    db.dispose()
    restarted = start_server()
    assert (
        httpx.get(f"{restarted.url}/api/events", params={"limit": 1}).json()[0]["id"]
        == (single.json()["id"])
    )
