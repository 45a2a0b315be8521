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
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from common import ROOT, p50_p95_ms, server
from floorpulse.analytics.rollups import Rollups
from floorpulse.db.engine import Database
from floorpulse.db.migrate import upgrade
from floorpulse.settings import Settings

TYPES = ("working", "working", "working", "idle", "absent", "product_count")


Batch = tuple[bytes, int]  # (JSON body, number of events)


def make_batches(count: int, size: int, start: datetime) -> list[Batch]:
    """Distinct, realistic events from 100 cameras, pre-encoded so the client costs little."""
    batches = []
    for first in range(0, count, size):
        events = []
        for n in range(first, min(first + size, count)):
            camera = n % 100
            events.append(
                {
                    "timestamp": (start + timedelta(milliseconds=37 * n)).isoformat(),
                    "worker_id": f"W{camera}",
                    "workstation_id": f"S{camera % 20}",
                    "event_type": TYPES[n % len(TYPES)],
                    "confidence": 0.6 + (n % 40) / 100,
                    "count": 1,
                    "model_version": "yolo-w-2.1",
                    "camera_id": f"CAM-{camera}",
                    "event_id": f"CAM-{camera}-{n // 100}",
                }
            )
        batches.append((json.dumps(events).encode(), len(events)))
    return batches


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


def prefill(path: Path, count: int) -> None:
    """Load `count` events straight into a migrated SQLite file, a year back from now."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    start_us = int((datetime.now(UTC) - timedelta(days=240)).timestamp() * 1e6)
    insert = (
        "INSERT INTO events (site_id, event_id, ts_us, worker_id, workstation_id, event_type,"
        " confidence, count, low_confidence, model_version, camera_id, received_us)"
        " VALUES ('main', ?, ?, ?, ?, ?, 0.9, 1, 0, 'yolo-w-2.0', ?, ?)"
    )
    step = 100_000
    began = time.perf_counter()
    for first in range(0, count, step):
        conn.execute("BEGIN")
        conn.executemany(
            insert,
            (
                (
                    f"pre-{n}",
                    start_us + n * 2_000_000,
                    f"W{n % 100}",
                    f"S{n % 20}",
                    TYPES[n % 6],
                    f"CAM-{n % 100}",
                    start_us + n * 2_000_000,
                )
                for n in range(first, min(first + step, count))
            ),
        )
        conn.execute("COMMIT")
        done = min(first + step, count)
        if done % 1_000_000 == 0:
            print(f"  prefilled {done:,} ({time.perf_counter() - began:.0f} s)", flush=True)
    conn.close()


def build_rollups(path: Path) -> None:
    """What a server that has been running has: its rollups built (the steady state)."""
    database = Database(f"sqlite:///{path}", sqlite_synchronous="OFF")
    began = time.perf_counter()
    rollups = Rollups(database, Settings(database_url=f"sqlite:///{path}"))
    rollups.check_basis()
    rollups.rebuild_all()
    with database.engine.connect() as folded:
        folded.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    print(f"  rollups built ({time.perf_counter() - began:.0f} s)", flush=True)


def report(name: str, count: int, seconds: float, latencies: list[float]) -> float:
    rate = count / seconds
    p50_ms, p95_ms = p50_p95_ms(latencies)
    print(f"{name:<28} {rate:>10,.0f} events/s   batch p50 {p50_ms:6.1f} ms   p95 {p95_ms:6.1f} ms")
    return rate


def fresh_sqlite(directory: Path, name: str, prefilled: int) -> Path:
    path = directory / name
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    database.dispose()
    if prefilled:
        prefill(path, prefilled)
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

    # Events 37 ms apart, the last ten minutes ago: none is ahead of the server's clock.
    start = datetime.now(UTC) - timedelta(milliseconds=37 * args.events, minutes=10)
    batches = make_batches(args.events, args.batch, start)
    floorpulse = [sys.executable, "-m", "floorpulse", "serve"]
    bare = [sys.executable, "-m", "uvicorn", "benchmarks.bare_app:app"]
    env = {"FLOORPULSE_LOG_LEVEL": "warning", "FLOORPULSE_SQLITE_SYNCHRONOUS": args.synchronous}
    print(
        f"{args.events:,} events in batches of {args.batch}, {args.connections} connections, "
        f"{args.prefill:,} stored before, synchronous={args.synchronous}, {os.cpu_count()} cores"
    )

    with tempfile.TemporaryDirectory(
        dir=ROOT / "data" if (ROOT / "data").exists() else None
    ) as tmp:
        directory = Path(tmp)
        if args.database_url:
            url_env = {"FLOORPULSE_DATABASE_URL": args.database_url}
        else:
            path = fresh_sqlite(directory, "floorpulse.db", args.prefill)
            if args.prefill:
                build_rollups(path)
            url_env = {"FLOORPULSE_DATABASE_URL": f"sqlite:///{path}"}
        with server(floorpulse, env | url_env) as running:
            seconds, latencies = post_all(running.url, batches, args.connections)
        ours = report("FloorPulse", args.events, seconds, latencies)
        if args.skip_bare:
            return
        bare_path = fresh_sqlite(directory, "bare.db", args.prefill)
        bare_env = {"BARE_DB": str(bare_path), "BARE_SYNCHRONOUS": args.synchronous}
        with server(bare, bare_env | {"PYTHONPATH": str(ROOT)}) as running:
            seconds, latencies = post_all(running.url, batches, args.connections)
        ceiling = report("bare FastAPI + SQLite", args.events, seconds, latencies)
        print(f"{'ratio to the ceiling':<28} {ours / ceiling:>10.2f}")


if __name__ == "__main__":
    main()
