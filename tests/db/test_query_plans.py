"""PostgreSQL's plans for the queries that matter: with three days of a floor stored and the
planner's statistics gathered, every query the metrics, the event list and the dashboard's
change check send reads `events` through an index, never by scanning the table."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from sqlalchemy import event

from floorpulse.analytics.schemas import MetricsQuery
from floorpulse.analytics.service import MetricsService
from floorpulse.db import partitions
from floorpulse.db.engine import Database
from floorpulse.db.epoch import to_epoch_us
from floorpulse.events.schemas import EventQuery
from floorpulse.events.service import EventService
from floorpulse.settings import Settings
from tests.factories import FixedClock, make_event

pytestmark = pytest.mark.postgresql

NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)
WORKERS, EVERY_MIN, DAYS = 30, 3, 3
HOUR = {"from_": NOW - timedelta(hours=2), "to": NOW - timedelta(hours=1)}


@pytest.fixture
def floor(database_url: str) -> Iterator[tuple[Database, Settings, FixedClock]]:
    """Three days of 30 workers' states every three minutes and their units (~86,000 events)."""
    settings = Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    clock, db = FixedClock(NOW), Database(database_url)
    events = EventService(db, settings, clock)
    start = NOW - timedelta(days=DAYS)
    with db.write() as conn:  # the months of events, as the server makes them
        partitions.keep_ahead(conn, to_epoch_us(start))
    minutes = range(0, DAYS * 24 * 60, EVERY_MIN)
    batch: list[dict[str, Any]] = []
    for minute in minutes:
        at = (start + timedelta(minutes=minute)).isoformat().replace("+00:00", "Z")
        for worker in range(WORKERS):
            place = {"worker_id": f"W{worker}", "workstation_id": f"S{worker}", "timestamp": at}
            state = "working" if minute % 30 else "idle"
            batch += [make_event(event_type=state, **place)]
            batch += [make_event(event_type="product_count", count=1, **place)]
        if len(batch) >= 5000:
            events.store_batches([events.prepare_batch(orjson.dumps(batch))])
            batch = []
    events.store_batches([events.prepare_batch(orjson.dumps(batch))])
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    yield db, settings, clock
    db.dispose()


def test_the_queries_that_matter_read_events_through_an_index(
    floor: tuple[Database, Settings, FixedClock],
) -> None:
    db, settings, clock = floor
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "events" in statement and statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    metrics, events = MetricsService(db, settings, clock), EventService(db, settings, clock)
    metrics.workers(MetricsQuery(**HOUR))
    metrics.workers(MetricsQuery(**HOUR, worker_id="W3"))
    metrics.factory(MetricsQuery(**HOUR))
    events.list_events(EventQuery(limit=50))
    events.list_events(EventQuery(worker_id="W3", limit=50))
    events.newest_id()
    event.remove(db.engine, "before_cursor_execute", capture)

    scans = {statement: seq_scans(db, statement, parameters) for statement, parameters in sent}
    assert len(sent) >= 6
    assert {statement: found for statement, found in scans.items() if found} == {}


def seq_scans(db: Database, statement: str, parameters: Any) -> list[str]:
    """The relations of `events` the plan of `statement` reads by a sequential scan."""
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
        (plan,) = cursor.fetchone()  # type: ignore[misc]
    finally:
        raw.close()
    return [
        node["Relation Name"]
        for node in nodes(plan[0]["Plan"])
        if node["Node Type"] == "Seq Scan" and _of_events(node.get("Relation Name"))
    ]


def _of_events(relation: str | None) -> bool:
    """The events table, or one of its months (db/partitions.py)."""
    return relation == "events" or (relation is not None and partitions.is_partition(relation))


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)
