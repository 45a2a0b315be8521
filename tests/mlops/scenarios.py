"""The generator's factories stored as a server would have them, for model-health tests."""

import json
from datetime import datetime

from floorpulse.analytics.rollups import Rollups
from floorpulse.db.engine import Database
from floorpulse.demo.generator import Factory, generate
from floorpulse.events.service import EventService
from floorpulse.settings import Settings
from tests.factories import FixedClock

BATCH = 2000


def stored(
    db: Database, settings: Settings, factory: Factory, start: datetime, end: datetime
) -> int:
    """`factory`'s events of `[start, end)` stored (received at the clock's now, `end`), their
    hours rolled up; answers how many."""
    service = EventService(db, settings, FixedClock(end))
    wire = [event.wire() for event in generate(factory, start, end)]
    for first in range(0, len(wire), BATCH):
        chunk = wire[first : first + BATCH]
        service.store_batches([service.prepare_batch(json.dumps(chunk).encode())])
    Rollups(db, settings, FixedClock(end)).rebuild_all()
    return len(wire)
