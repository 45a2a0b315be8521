"""Batches that arrive while others are being stored share the next transaction."""

import asyncio
import json
import threading
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import event

from floorpulse.db.engine import Database
from floorpulse.errors import MalformedBody
from floorpulse.events.ingest import Ingest
from floorpulse.events.schemas import BatchResult
from floorpulse.events.service import EventService, PreparedBatch
from floorpulse.observability.telemetry import Telemetry
from floorpulse.settings import Settings
from tests.factories import FixedClock, make_event, stored_count


def admit_all(_count: int) -> None:
    """No rate limit: these tests are about commits."""


def _body(*minutes: int, **fields: Any) -> bytes:
    events = [make_event(timestamp=f"2026-01-15T10:{m:02d}:00Z", **fields) for m in minutes]
    return json.dumps(events).encode()


async def _until(condition: Any) -> None:
    while not condition():
        await asyncio.sleep(0.005)


def test_batches_queued_during_a_commit_share_the_next_one(
    settings: Settings, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(settings.database_url)
    commits: list[object] = []
    event.listen(db.engine, "commit", commits.append)
    service = EventService(db, settings, clock)
    ingest = Ingest(service, writers=1, telemetry=Telemetry())
    groups: list[int] = []
    first_may_commit = threading.Event()
    store = service.store_batches

    def held_store(batches: Sequence[PreparedBatch]) -> list[BatchResult]:
        groups.append(len(batches))
        first_may_commit.wait(timeout=10)
        return store(batches)

    monkeypatch.setattr(service, "store_batches", held_store)
    later = [_body(1, 2), _body(2, 3), b'[{"worker_id": ', _body(5, worker_id="W2")]

    async def scenario() -> list[Any]:
        first = asyncio.create_task(ingest.batch(_body(4), admit_all))
        await _until(lambda: groups)  # the first batch is being stored
        rest = [asyncio.create_task(ingest.batch(body, admit_all)) for body in later]
        await _until(lambda: ingest.queued == 3)  # the malformed one never queues
        first_may_commit.set()
        return await asyncio.gather(first, *rest, return_exceptions=True)

    results = asyncio.run(scenario())
    ingest.close()

    assert groups == [1, 3]
    assert len(commits) == 2
    answered = [(r.accepted, r.duplicates) for r in results if isinstance(r, BatchResult)]
    assert answered == [(1, 0), (2, 0), (1, 1), (1, 0)]
    assert isinstance(results[3], MalformedBody)
    assert stored_count(db) == 5
    db.dispose()
