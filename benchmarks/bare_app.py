"""The ceiling for the ingest benchmark: a bare FastAPI endpoint that only inserts rows into SQLite.

No validation, no dedup bookkeeping, no registry: JSON in, stdlib sqlite3 executemany, commit.
It writes into the same FloorPulse schema (same indexes) with the same PRAGMAs, so the ratio
between the two measures what FloorPulse's own work costs.
Run: BARE_DB=path uvicorn benchmarks.bare_app:app
"""

import json
import os
import sqlite3
import threading
import time
from datetime import datetime

from fastapi import FastAPI, Request

app = FastAPI()
_lock = threading.Lock()
_conn = sqlite3.connect(os.environ["BARE_DB"], check_same_thread=False, isolation_level=None)
_conn.execute("PRAGMA journal_mode=WAL")
_conn.execute(f"PRAGMA synchronous={os.environ.get('BARE_SYNCHRONOUS', 'FULL')}")
INSERT = (
    "INSERT OR IGNORE INTO events (site_id, event_id, ts_us, worker_id, workstation_id, event_type,"
    " confidence, count, low_confidence, model_version, camera_id, received_us)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _row(event: dict, received_us: int) -> tuple:  # type: ignore[type-arg]
    ts_us = int(datetime.fromisoformat(event["timestamp"]).timestamp() * 1_000_000)
    return (
        "main",
        event.get("event_id"),
        ts_us,
        str(event["worker_id"]),
        str(event["workstation_id"]),
        event["event_type"],
        event["confidence"],
        event.get("count", 1),
        event["confidence"] < 0.7,
        event.get("model_version"),
        event.get("camera_id"),
        received_us,
    )


@app.get("/health/ready")
def ready() -> dict[str, str]:
    return {"status": "ready"}


@app.post("/api/events/batch")
async def batch(request: Request) -> dict[str, int]:
    events = json.loads(await request.body())
    received_us = time.time_ns() // 1000
    rows = [_row(e, received_us) for e in events]
    with _lock:
        _conn.execute("BEGIN IMMEDIATE")
        _conn.executemany(INSERT, rows)
        _conn.execute("COMMIT")
    return {"accepted": len(rows)}
