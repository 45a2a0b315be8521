"""Metrics benchmark: latency of the metrics endpoints over 10 million stored events.

Loads a factory's history straight into a fresh database (100 workers, 20 workstations, a state
change every 1 to 5 minutes from 06:00 to 22:00, units while working, about 8 months up to now),
builds the hourly rollups with FloorPulse's own code, starts `floorpulse serve` on it, warms it
up with unmeasured 30-day requests (a server that has run a while holds the recent months in
memory) and prints:

- p50/p95 latency of the worker, workstation and factory endpoints for windows of 1 hour, 1 day,
  7 days and 30 days (random, unaligned window ends in the last 60 days);
- p50/p95 of the time series a dashboard draws (a day of hours per station, a month of days
  per worker);
- how long a late event takes to be folded into the rollups (server defaults), and that the
  figure it changes is right at once and the same after folding;
- the server's peak resident memory.

    .venv/bin/python benchmarks/metrics.py                        # SQLite, 10,000,000 events
    .venv/bin/python benchmarks/metrics.py --events 1000000       # smaller
    .venv/bin/python benchmarks/metrics.py --database-url postgresql+psycopg://…/empty_db
"""

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Connection, func, select

from common import ROOT, Server, p50_p95_ms, server
from floorpulse.analytics.rollups import Rollups
from floorpulse.db.engine import Database
from floorpulse.db.migrate import upgrade
from floorpulse.db.tables import stale_hours
from floorpulse.events.repository import INSERT_COLUMNS
from floorpulse.registry import repository as registry
from floorpulse.settings import Settings

WORKERS, STATIONS = 100, 20
WINDOWS = {"1h": timedelta(hours=1), "1d": timedelta(days=1), "7d": timedelta(days=7)} | {
    "30d": timedelta(days=30)
}
ENDPOINTS = ("workers", "workstations", "factory")
# What trend charts and heatmaps ask for: (label, window, query)
SERIES = (
    ("hours x stations", timedelta(days=1), {"bucket": "hour", "scope": "workstation"}),
    ("days x workers", timedelta(days=30), {"bucket": "day", "scope": "worker"}),
)
US = 1_000_000
DAY_US = 86_400 * US
# Markov chain of a worker's state: from each state, the odds of the next.
NEXT_STATE = {
    "working": (("working", 0.70), ("idle", 0.25), ("absent", 0.05)),
    "idle": (("working", 0.75), ("idle", 0.15), ("absent", 0.10)),
    "absent": (("working", 0.60), ("idle", 0.10), ("absent", 0.30)),
}
# The event columns in insert order, less the client's event id (these rows have none).
COLUMNS = tuple(c for c in INSERT_COLUMNS if c != "event_id")
EVENTS_PER_WORKER_DAY = 427  # measured mean of worker_day below


def worker_day(rng: random.Random, worker: int, day_us: int) -> Iterator[tuple[Any, ...]]:
    """One worker's events of one day: states every 1 to 5 min from 06:00 to 22:00 at the home
    station, on one day in four a spell of 1 to 3 hours at another, units while working, 3 %
    low-confidence detections."""
    home = f"S{worker % STATIONS + 1}"
    t = day_us + 6 * 3600 * US + rng.randrange(600 * US)
    end = day_us + 22 * 3600 * US
    away_from = t + rng.randrange(14 * 3600 * US) if rng.random() < 0.25 else end
    away_until = away_from + rng.randrange(3600 * US, 3 * 3600 * US)
    elsewhere = f"S{rng.randrange(STATIONS) + 1}"
    state = "working"
    while t < end:
        station = elsewhere if away_from <= t < away_until else home
        yield _row(rng, t, worker, station, state, 1)
        gap = rng.randrange(60 * US, 300 * US)
        if state == "working" and rng.random() < 0.5:
            yield _row(rng, t + gap // 2, worker, station, "product_count", rng.randint(1, 4))
        t += gap
        choices, weights = zip(*NEXT_STATE[state], strict=True)
        state = rng.choices(choices, weights)[0]


def _row(
    rng: random.Random, ts_us: int, worker: int, station: str, kind: str, count: int
) -> tuple[Any, ...]:
    confidence = 0.5 if rng.random() < 0.03 else round(rng.uniform(0.8, 0.99), 2)
    return (
        "main",
        ts_us,
        f"W{worker}",
        station,
        kind,
        confidence,
        count,
        confidence < 0.7,
        "yolo-w-2.1",
        f"CAM-{worker}",
        ts_us + 2 * US,
    )


def load(db: Database, target: int, now_us: int) -> int:
    """Store about `target` events ending today; answer how many."""
    days = max(1, round(target / (WORKERS * EVENTS_PER_WORKER_DAY)))
    first_day = now_us - now_us % DAY_US - (days - 1) * DAY_US
    stored = 0
    began = time.perf_counter()
    for worker in range(1, WORKERS + 1):
        rng = random.Random(worker)
        rows = [
            row
            for day in range(days)
            for row in worker_day(rng, worker, first_day + day * DAY_US)
            if row[1] < now_us
        ]
        with db.write() as conn:
            _insert(conn, rows)
        stored += len(rows)
        if worker % 10 == 0:
            print(f"  loaded {stored:,} events ({time.perf_counter() - began:.0f} s)", flush=True)
    with db.write() as conn:
        workers = {("main", f"W{w}") for w in range(1, WORKERS + 1)}
        stations = {("main", f"S{s}") for s in range(1, STATIONS + 1)}
        registry.register(conn, registry.workers, "worker_id", workers, first_day)
        registry.register(conn, registry.workstations, "workstation_id", stations, first_day)
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


def build_rollups(url: str) -> None:
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


def time_queries(client: httpx.Client, now: datetime, rounds: int) -> None:
    rng = random.Random(7)
    # Warm up first: a server that has run for a while has the recent months' rollups and
    # index pages in memory, and that steady state is what the figures are about.
    for _ in range(rounds // 2):
        for endpoint in ENDPOINTS:
            to = now - timedelta(seconds=rng.randrange(60 * 86_400))
            params = {"from": (to - WINDOWS["30d"]).isoformat(), "to": to.isoformat()}
            client.get(f"/api/metrics/{endpoint}", params=params).raise_for_status()
    print(f"{'endpoint':<14}{'window':>8}{'p50 ms':>10}{'p95 ms':>10}")
    for endpoint in ENDPOINTS:
        for label, length in WINDOWS.items():
            seconds = []
            for _ in range(rounds):
                to = now - timedelta(seconds=rng.randrange(60 * 86_400))
                params = {"from": (to - length).isoformat(), "to": to.isoformat()}
                began = time.perf_counter()
                client.get(f"/api/metrics/{endpoint}", params=params).raise_for_status()
                seconds.append(time.perf_counter() - began)
            p50, p95 = p50_p95_ms(seconds)
            print(f"{endpoint:<14}{label:>8}{p50:>10.1f}{p95:>10.1f}", flush=True)
    for label, length, query in SERIES:
        seconds = []
        for _ in range(rounds):
            to = now - timedelta(seconds=rng.randrange(60 * 86_400))
            params = {"from": (to - length).isoformat(), "to": to.isoformat(), **query}
            began = time.perf_counter()
            client.get("/api/metrics/timeseries", params=params).raise_for_status()
            seconds.append(time.perf_counter() - began)
        p50, p95 = p50_p95_ms(seconds)
        print(f"timeseries {label} ({length.days} d): p50 {p50:.1f} ms, p95 {p95:.1f} ms")


def time_late_event(client: httpx.Client, db: Database, now: datetime) -> None:
    """Post an idle event 90 days late into a worker's working day; time its folding."""
    at = (now - timedelta(days=90)).replace(hour=10, minute=17, second=31)
    window = {
        "from": (at - timedelta(days=15)).isoformat(),
        "to": (at + timedelta(days=15)).isoformat(),
        "worker_id": "W7",
    }
    late = {
        "timestamp": at.isoformat(),
        "worker_id": "W7",
        "workstation_id": "S8",
        "event_type": "idle",
        "confidence": 0.93,
    }
    before = _idle_seconds(client, window)
    posted = time.perf_counter()
    client.post("/api/events", json=late).raise_for_status()
    read = time.perf_counter()
    right_after = _idle_seconds(client, window)
    stale_ms = (time.perf_counter() - read) * 1000
    while _stale_count(db):
        time.sleep(0.05)
    folded_s = time.perf_counter() - posted
    after = _idle_seconds(client, window)
    print(
        f"late event (90 days back): W7's 30-day figures read in {stale_ms:.1f} ms while its hours "
        f"were stale; folded into the rollups {folded_s:.1f} s after posting "
        f"(FLOORPULSE_ROLLUP_SETTLE_S: 10 s by default)"
    )
    print(
        f"  W7 idle seconds: {before:.0f} before, {right_after:.0f} at once, "
        f"{after:.0f} after folding"
    )


def _idle_seconds(client: httpx.Client, query: dict[str, str]) -> float:
    response = client.get("/api/metrics/workers", params=query)
    response.raise_for_status()
    return float(response.json()[0]["idle_seconds"])


def _stale_count(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(stale_hours)).scalar_one())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=40, help="requests per endpoint and window")
    parser.add_argument("--database-url", help="PostgreSQL URL of an empty database")
    args = parser.parse_args()

    now = datetime.now(UTC).replace(microsecond=0)
    now_us = int(now.timestamp()) * US
    with tempfile.TemporaryDirectory(
        dir=ROOT / "data" if (ROOT / "data").exists() else None
    ) as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'floorpulse.db'}"
        db = Database(url, sqlite_synchronous="OFF")
        upgrade(db)
        began = time.perf_counter()
        stored = load(db, args.events, now_us)
        print(
            f"{stored:,} events stored in {time.perf_counter() - began:.0f} s ({db.url.drivername})"
        )
        build_rollups(url)
        env = {"FLOORPULSE_DATABASE_URL": url, "FLOORPULSE_LOG_LEVEL": "warning"}
        with server([sys.executable, "-m", "floorpulse", "serve"], env) as running:
            with httpx.Client(base_url=running.url, timeout=60) as client:
                time_queries(client, now, args.rounds)
                time_late_event(client, db, now)
            report_memory(running)
        db.dispose()


def report_memory(running: Server) -> None:
    print(f"server peak memory: {running.peak_memory_mib():.0f} MiB")


if __name__ == "__main__":
    main()
