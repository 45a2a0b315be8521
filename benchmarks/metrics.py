"""Metrics benchmark: latency of the metrics endpoints over 10 million stored events.

Loads a factory's history from FloorPulse's own generator straight into a fresh database (100
workers over three shifts, 20 workstations, a state heartbeat every 90 s, breaks, idle spells,
units while working, about 8 months up to now),
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
import time
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select

from common import BENCH_FACTORY, build_rollups, history, load_history, p50_p95_ms, scratch
from floorpulse.db.engine import Database
from floorpulse.db.migrate import upgrade
from floorpulse.db.tables import stale_hours
from floorpulse.devtools import ServerProcess

WINDOWS = {"1h": timedelta(hours=1), "1d": timedelta(days=1), "7d": timedelta(days=7)} | {
    "30d": timedelta(days=30)
}
ENDPOINTS = ("workers", "workstations", "factory")
# What trend charts and heatmaps ask for: (label, window, query)
SERIES = (
    ("hours x stations", timedelta(days=1), {"bucket": "hour", "scope": "workstation"}),
    ("days x workers", timedelta(days=30), {"bucket": "day", "scope": "worker"}),
)


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
    """Post an absent event 90 days late into a worker's working day; time its folding."""
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
        "event_type": "absent",  # W7 works shift A and has no break at 10:17: this changes it
        "confidence": 0.93,
    }
    before = _absent_seconds(client, window)
    posted = time.perf_counter()
    client.post("/api/events", json=late).raise_for_status()
    read = time.perf_counter()
    right_after = _absent_seconds(client, window)
    stale_ms = (time.perf_counter() - read) * 1000
    while _stale_count(db):
        time.sleep(0.05)
    folded_s = time.perf_counter() - posted
    after = _absent_seconds(client, window)
    print(
        f"late event (90 days back): W7's 30-day figures read in {stale_ms:.1f} ms while its hours "
        f"were stale; folded into the rollups {folded_s:.1f} s after posting "
        f"(FLOORPULSE_ROLLUP_SETTLE_S: 10 s by default)"
    )
    print(
        f"  W7 absent seconds: {before:.0f} before, {right_after:.0f} at once, "
        f"{after:.0f} after folding"
    )


def _absent_seconds(client: httpx.Client, query: dict[str, str]) -> float:
    response = client.get("/api/metrics/workers", params=query)
    response.raise_for_status()
    return float(response.json()[0]["absent_seconds"])


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
    with scratch() as tmp:
        url = args.database_url or f"sqlite:///{tmp / 'floorpulse.db'}"
        db = Database(url, sqlite_synchronous="OFF")
        upgrade(db)
        began = time.perf_counter()
        stored = load_history(db, BENCH_FACTORY, history(BENCH_FACTORY, args.events, now))
        print(
            f"{stored:,} events stored in {time.perf_counter() - began:.0f} s ({db.url.drivername})"
        )
        build_rollups(url)
        env = {"FLOORPULSE_DATABASE_URL": url, "FLOORPULSE_LOG_LEVEL": "warning"}
        with ServerProcess(env) as running:
            with httpx.Client(base_url=running.url, timeout=60) as client:
                time_queries(client, now, args.rounds)
                time_late_event(client, db, now)
            report_memory(running)
        db.dispose()


def report_memory(running: ServerProcess) -> None:
    print(f"server peak memory: {running.peak_memory_mib():.0f} MiB")


if __name__ == "__main__":
    main()
