"""What the benchmarks share: latency figures, and a factory's history from FloorPulse's own
generator, loaded straight into the database. Servers run as floorpulse.devtools starts them."""

import math
import statistics
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from floorpulse.analytics.repository import mark_stale
from floorpulse.analytics.rollups import Rollups
from floorpulse.db.engine import Database
from floorpulse.db.epoch import from_epoch_us, to_epoch_us
from floorpulse.db.migrate import upgrade
from floorpulse.demo.generator import Detection, Factory, generate, roster, stations
from floorpulse.events.repository import INSERT_COLUMNS
from floorpulse.metrics.tally import US_PER_HOUR, hour_start
from floorpulse.mlops.repository import NONE, Sighting, SightingKey, record_sightings, widen
from floorpulse.registry import repository as registry
from floorpulse.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def scratch() -> Iterator[Path]:
    """A folder for a benchmark's databases, removed after: in the checkout's data/ when there
    is one (the system's temporary folder may be too small for ten million events)."""
    data = ROOT / "data"
    with tempfile.TemporaryDirectory(dir=data if data.exists() else None) as tmp:
        yield Path(tmp)


def p50_p95_ms(seconds: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(seconds, n=100, method="inclusive")
    return q[49] * 1000, q[94] * 1000


# 100 workers over three shifts, 20 stations, a state heartbeat every 90 s: about 400 events a
# worker a day, so 10 million events are about 8 months.
BENCH_FACTORY = Factory(workers=100, stations=20, seed=1, heartbeat_s=90)
# The event columns in insert order, less the client's event id (rows loaded here have none).
COLUMNS = tuple(c for c in INSERT_COLUMNS if c != "event_id")
LOAD_CHUNK = 200_000


def history(factory: Factory, target: int, end: datetime) -> Iterator[Detection]:
    """About `target` events of `factory`, ending at `end`: as many days as that takes."""
    sample = sum(1 for _ in generate(factory, end - timedelta(days=7), end)) / 7
    days = max(1, math.ceil(target / sample))
    return generate(factory, end - timedelta(days=days), end)


def build_rollups(url: str) -> None:
    """What a server that has run a while has: every rollup built, statistics gathered."""
    db = Database(url)
    rollups = Rollups(db, Settings(database_url=url))
    began = time.perf_counter()
    rollups.check_basis()
    marked = time.perf_counter()
    rollups.rebuild_all()
    done = time.perf_counter()
    # What a running server soon has: SQLite's WAL folded into the file; PostgreSQL's planner
    # statistics gathered (autovacuum would, a little later).
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)" if db.is_sqlite else "ANALYZE")
        conn.commit()
    print(
        f"rollups: every hour marked stale in {marked - began:.1f} s, "
        f"rebuilt in {done - marked:.1f} s"
    )
    db.dispose()


def load_history(
    db: Database, factory: Factory, events: Iterable[Detection], site: str = "main"
) -> int:
    """Store events straight into the events table (no API: loading is not what is measured)."""
    stored = 0
    began = time.perf_counter()
    seen: dict[SightingKey, Sighting] = {}  # as ingestion keeps them

    def rows() -> Iterator[tuple[Any, ...]]:
        for e in events:
            key = (site, e.model_version or NONE, e.camera_id or NONE)
            widen(seen, key, (e.ts_us, e.ts_us, e.deliver_us))
            yield (
                site,
                e.ts_us,
                e.worker_id,
                e.workstation_id,
                e.event_type,
                e.confidence,
                e.units,
                e.confidence < 0.7,
                e.model_version,
                e.camera_id,
                e.deliver_us,
            )

    loading = rows()
    while chunk := list(islice(loading, LOAD_CHUNK)):
        with db.write() as conn:
            _insert(conn, chunk)
        stored += len(chunk)
        if stored % 1_000_000 < LOAD_CHUNK:
            print(f"  loaded {stored:,} events ({time.perf_counter() - began:.0f} s)", flush=True)
    with db.write() as conn:
        first_us = 0
        workers = {(site, p.worker_id) for p in roster(factory)}
        places = {(site, s.workstation_id) for s in stations(factory)}
        registry.register(conn, registry.workers, "worker_id", workers, first_us)
        registry.register(conn, registry.workstations, "workstation_id", places, first_us)
        record_sightings(conn, seen)
    return stored


def _insert(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    names = ", ".join(f'"{c}"' for c in COLUMNS)
    raw = conn.connection.dbapi_connection
    assert raw is not None
    if conn.dialect.name == "sqlite":
        marks = ", ".join("?" * len(COLUMNS))
        raw.cursor().executemany(f"INSERT INTO events ({names}) VALUES ({marks})", rows)
        return
    with raw.cursor().copy(f"COPY events ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
        for row in rows:
            copy.write_row(row)


def stored(url: str) -> bool:
    """Whether the store holds events already (a kept one, prepared by an earlier run); its
    schema brought up to date first."""
    db = Database(url)
    try:
        upgrade(db)
        with db.read() as conn:
            return conn.exec_driver_sql("SELECT 1 FROM events LIMIT 1").first() is not None
    finally:
        db.dispose()


def prepare(url: str, events: int, now: datetime, factory: Factory = BENCH_FACTORY) -> None:
    """About `events` of `factory`'s history up to now in a fresh store, every hour rolled up."""
    db = Database(url, sqlite_synchronous="OFF")
    upgrade(db)
    began = time.perf_counter()
    stored = load_history(db, factory, history(factory, events, now))
    db.dispose()
    print(f"{stored:,} events stored in {time.perf_counter() - began:.0f} s", flush=True)
    build_rollups(url)


def top_up(url: str, now: datetime, factory: Factory = BENCH_FACTORY) -> None:
    """A kept store's history continued until now: the open hour is as busy as a fresh store's,
    and its rollups are built as a running server would have them."""
    db = Database(url, sqlite_synchronous="OFF")
    with db.read() as conn:
        newest_us = conn.exec_driver_sql("SELECT max(ts_us) FROM events").scalar_one()
    began = time.perf_counter()
    stored = load_history(db, factory, generate(factory, from_epoch_us(newest_us + 1), now))
    timeout_us = Settings(database_url=url).state_timeout_us
    first_us = newest_us - timeout_us  # the states already stored reach this far back
    hours = range(hour_start(first_us), to_epoch_us(now), US_PER_HOUR)
    workers = [person.worker_id for person in roster(factory)]
    with db.write() as conn:
        mark_stale(conn, {("main", worker, hour) for worker in workers for hour in hours}, 0)
    db.dispose()
    print(f"{stored:,} events added, up to now, in {time.perf_counter() - began:.0f} s", flush=True)
    build_rollups(url)
