"""Batches posted at the same time are stored in one transaction, each answered on its own."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import event

from floorpulse.db.engine import Database
from floorpulse.errors import InvalidInput, MalformedBody
from floorpulse.events.ingest import Ingest
from floorpulse.events.schemas import BatchResult
from floorpulse.events.service import EventService
from floorpulse.settings import Settings
from tests.factories import FixedClock, make_event, stored_count


def _body(*minutes: int, **fields: Any) -> bytes:
    events = [make_event(timestamp=f"2026-01-15T10:{m:02d}:00Z", **fields) for m in minutes]
    return json.dumps(events).encode()


async def _submit_together(ingest: Ingest, bodies: list[bytes]) -> list[Any]:
    return await asyncio.gather(*(ingest.batch(b) for b in bodies), return_exceptions=True)


def test_batches_submitted_together_share_one_commit(settings: Settings, clock: FixedClock) -> None:
    db = Database(settings.database_url)
    commits: list[object] = []
    event.listen(db.engine, "commit", commits.append)
    bodies = [_body(1, 2), _body(2, 3), _body(4), b'[{"worker_id": ', _body(5, worker_id="W2")]

    with ThreadPoolExecutor(1) as pool:
        ingest = Ingest(EventService(db, settings, clock), pool)
        results = asyncio.run(_submit_together(ingest, bodies))

    assert len(commits) == 1
    assert [(r.accepted, r.duplicates) for r in results if isinstance(r, BatchResult)] == [
        (2, 0),
        (1, 1),
        (1, 0),
        (1, 0),
    ]
    assert isinstance(results[3], MalformedBody)
    assert stored_count(db) == 5
    db.dispose()


def test_a_bad_batch_in_a_group_gets_its_own_error(settings: Settings, clock: FixedClock) -> None:
    db = Database(settings.database_url)
    service = EventService(db, settings.model_copy(update={"max_batch_events": 2}), clock)

    results = service.ingest_batches([_body(1, 2, 3), b"{}", _body(4, 5)])

    assert isinstance(results[0], InvalidInput)
    assert isinstance(results[1], InvalidInput)
    assert isinstance(results[2], BatchResult)
    assert results[2].accepted == 2
    assert stored_count(db) == 2
    db.dispose()
