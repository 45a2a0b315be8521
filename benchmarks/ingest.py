"""Ingest benchmark: events/s and batch latency of a real FloorPulse server on loopback.

Starts `floorpulse serve` on a fresh SQLite database (or PostgreSQL with --database-url), posts
batches of 1,000 events from this process over keep-alive connections, and prints events/s and
p50/p95 batch latency. In the same run it measures the ceiling: a bare FastAPI endpoint that
only inserts the same rows into SQLite (benchmarks/bare_app.py). With --prefill N it first loads
N events straight into the database, to measure ingestion with a large table.

    .venv/bin/python benchmarks/ingest.py                      # fresh database
    .venv/bin/python benchmarks/ingest.py --prefill 10000000   # with 10 million stored
"""

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

import httpx

from common import BENCH_FACTORY, ROOT, history, load_history, p50_p95_ms, scratch
from floorpulse.analytics.rollups import Rollups
from floorpulse.db.engine import Database
from floorpulse.db.migrate import upgrade
from floorpulse.devtools import ServerProcess
from floorpulse.settings import Settings

Batch = tuple[bytes, int]  # (JSON body, number of events)


def make_batches(count: int, size: int, end: datetime) -> list[Batch]:
    """`count` events of the benchmark factory up to `end`, with their camera-given ids, in the
    order they would arrive; pre-encoded so the client costs little."""
    events = [event.wire() for event in islice(history(BENCH_FACTORY, count, end), count)]
    return [
        (json.dumps(events[first : first + size]).encode(), len(events[first : first + size]))
        for first in range(0, len(events), size)
    ]


def post_all(url: str, batches: list[Batch], connections: int) -> tuple[float, list[float]]:
    """Post every batch over `connections` keep-alive connections; (seconds, batch latencies)."""
    shares = [batches[i::connections] for i in range(connections)]

    def run(share: list[Batch]) -> list[float]:
        latencies = []
        headers = {"content-type": "application/json"}
        with httpx.Client(base_url=url, timeout=120) as client:
            for body, size in share:
                began = time.perf_counter()
                response = client.post("/api/events/batch", content=body, headers=headers)
                latencies.append(time.perf_counter() - began)
                if response.status_code != 200 or response.json()["accepted"] != size:
                    raise RuntimeError(f"batch not fully accepted: {response.text[:300]}")
        return latencies

    began = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        latencies = [x for share_latencies in pool.map(run, shares) for x in share_latencies]
    return time.perf_counter() - began, latencies


def prefill(path: Path, count: int, before: datetime) -> None:
    """Load about `count` events of the benchmark factory, ending at `before`, into SQLite."""
    database = Database(f"sqlite:///{path}", sqlite_synchronous="OFF")
    load_history(database, BENCH_FACTORY, history(BENCH_FACTORY, count, before))
    _checkpoint(database)
    database.dispose()


def build_rollups(path: Path) -> None:
    """What a server that has been running has: its rollups built (the steady state)."""
    database = Database(f"sqlite:///{path}", sqlite_synchronous="OFF")
    began = time.perf_counter()
    rollups = Rollups(database, Settings(database_url=f"sqlite:///{path}"))
    rollups.check_basis()
    rollups.rebuild_all()
    _checkpoint(database)
    database.dispose()
    print(f"  rollups built ({time.perf_counter() - began:.0f} s)", flush=True)


def _checkpoint(database: Database) -> None:
    """Fold the write-ahead log into the database file: both servers start from the same state,
    not one of them behind a WAL of ten million rows."""
    with database.engine.connect() as folded:
        folded.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def report(name: str, count: int, seconds: float, latencies: list[float]) -> float:
    rate = count / seconds
    p50_ms, p95_ms = p50_p95_ms(latencies)
    print(f"{name:<28} {rate:>10,.0f} events/s   batch p50 {p50_ms:6.1f} ms   p95 {p95_ms:6.1f} ms")
    return rate


def fresh_sqlite(directory: Path, name: str, prefilled: int, before: datetime) -> Path:
    path = directory / name
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    database.dispose()
    if prefilled:
        prefill(path, prefilled, before)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument(
        "--prefill", type=int, default=0, help="events stored before the run (SQLite)"
    )
    parser.add_argument("--synchronous", choices=["FULL", "NORMAL"], default="FULL")
    parser.add_argument(
        "--database-url", help="PostgreSQL URL of an empty database instead of SQLite"
    )
    parser.add_argument("--skip-bare", action="store_true", help="skip the bare ceiling")
    args = parser.parse_args()

    # The posted events end ten minutes ago (none is ahead of the server's clock); the ones
    # stored before end where those begin.
    end = datetime.now(UTC) - timedelta(minutes=10)
    batches = make_batches(args.events, args.batch, end)
    before = datetime.fromisoformat(json.loads(batches[0][0])[0]["timestamp"])
    posted = sum(size for _, size in batches)
    floorpulse = [sys.executable, "-m", "floorpulse", "serve"]
    bare = [sys.executable, "-m", "uvicorn", "benchmarks.bare_app:app"]
    env = {"FLOORPULSE_LOG_LEVEL": "warning", "FLOORPULSE_SQLITE_SYNCHRONOUS": args.synchronous}
    print(
        f"{posted:,} events in batches of {args.batch}, {args.connections} connections, "
        f"{args.prefill:,} stored before, synchronous={args.synchronous}, {os.cpu_count()} cores"
    )

    with scratch() as tmp:
        if args.database_url:
            url_env = {"FLOORPULSE_DATABASE_URL": args.database_url}
        else:
            path = fresh_sqlite(tmp, "floorpulse.db", args.prefill, before)
            if args.prefill:
                build_rollups(path)
            url_env = {"FLOORPULSE_DATABASE_URL": f"sqlite:///{path}"}
        with ServerProcess(env | url_env, floorpulse) as running:
            seconds, latencies = post_all(running.url, batches, args.connections)
        ours = report("FloorPulse", posted, seconds, latencies)
        if args.skip_bare:
            return
        bare_path = fresh_sqlite(tmp, "bare.db", args.prefill, before)
        bare_env = {"BARE_DB": str(bare_path), "BARE_SYNCHRONOUS": args.synchronous}
        with ServerProcess(bare_env | {"PYTHONPATH": str(ROOT)}, bare) as running:
            seconds, latencies = post_all(running.url, batches, args.connections)
        ceiling = report("bare FastAPI + SQLite", posted, seconds, latencies)
        print(f"{'ratio to the ceiling':<28} {ours / ceiling:>10.2f}")


if __name__ == "__main__":
    main()
