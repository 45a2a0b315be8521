"""The edge agent's durable queue: events wait here, on disk, until the server has them.

An event is written (and synced: `synchronous=FULL`) before its source is told it was taken, and
deleted only after the server acknowledged it, so neither a crash of the agent nor an outage of
the server or the network loses it. The queue is bounded; when full, `drop-oldest` discards the
oldest events (counted and logged, never silently) and `stop-reading` takes nothing more until
there is room. Events the server (or the agent's own validation) refuses go to a dead-letter
table with the reason, so one bad event never blocks the rest.
"""

import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    camera_id TEXT NOT NULL,
    camera_seq INTEGER NOT NULL,
    ts_us INTEGER NOT NULL,
    body TEXT NOT NULL,
    enqueued_us INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS cameras (
    camera_id TEXT PRIMARY KEY, next_seq INTEGER NOT NULL, forwarded_seq INTEGER
);
CREATE TABLE IF NOT EXISTS dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    body TEXT NOT NULL,
    reason TEXT NOT NULL,
    status INTEGER,
    at_us INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS positions (source TEXT PRIMARY KEY, position INTEGER NOT NULL);
"""
COUNTERS = ("enqueued", "forwarded", "duplicates", "dropped", "dead_lettered", "send_errors")


class WhenFull(StrEnum):
    DROP_OLDEST = "drop-oldest"
    STOP_READING = "stop-reading"


@dataclass(frozen=True)
class Incoming:
    """One event from a source (parsed, checked) or the reason it could not be read."""

    event: dict[str, Any] | None
    raw: str
    problem: str | None = None
    ts_us: int = 0  # event time, for `status`


@dataclass(frozen=True)
class Queued:
    seq: int
    camera_id: str
    camera_seq: int
    event: dict[str, Any]


@dataclass
class Status:
    depth: int
    capacity: int
    oldest_event_us: int | None
    oldest_enqueued_us: int | None
    last_success_us: int | None
    last_error: str | None
    dead_letters: int
    counters: dict[str, int] = field(default_factory=dict)
    cameras: dict[str, dict[str, int | None]] = field(default_factory=dict)


DEFAULT_CAPACITY = 10_000


class EdgeQueue:
    """A bounded FIFO of events in one SQLite file; safe to share between threads."""

    def __init__(
        self,
        path: Path,
        *,
        capacity: int | None = DEFAULT_CAPACITY,
        when_full: WhenFull = WhenFull.DROP_OLDEST,
    ) -> None:
        """Open (or create) the queue at `path`. An agent gives its `capacity`, which is kept
        in the file; `None` (a status reader) takes the one the last agent gave."""
        if capacity is not None and capacity < 1:
            raise ValueError("the queue's capacity must be at least 1 event")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.when_full = when_full
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")  # taken means on disk
        self._conn.execute("PRAGMA busy_timeout=10000")
        self._conn.executescript(SCHEMA)
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO meta VALUES ('agent_id', ?)", (uuid.uuid4().hex[:12],)
            )
            conn.executemany(
                "INSERT OR IGNORE INTO counters VALUES (?, 0)", [(c,) for c in COUNTERS]
            )
            if capacity is not None:
                _set_meta(conn, "capacity", str(capacity))
        with self._lock:
            self.agent_id = str(self._meta("agent_id"))
            self.capacity = int(self._meta("capacity") or DEFAULT_CAPACITY)

    def put(
        self, items: Sequence[Incoming], *, source: str | None = None, position: int = 0
    ) -> int:
        """Store events (bad ones as dead letters) in one transaction; answer how many were taken.

        With `stop-reading`, a full queue takes only what fits; the caller offers the rest
        later. `position` (of `source`, after the last item) is saved with them, so a restarted
        reader resumes exactly after what was taken; it is saved only if all were taken.
        """
        now_us = _now_us()
        with self._write() as conn:
            room = self.capacity - _depth(conn)
            taken = 0
            for item in items:
                if item.event is None:
                    _dead_letter(conn, item.raw, item.problem or "unreadable", None, now_us)
                elif room <= 0 and self.when_full is WhenFull.STOP_READING:
                    break
                else:
                    self._enqueue(conn, item.event, item.ts_us, now_us)
                    room -= 1
                taken += 1
            dropped = self._drop_overflow(conn)
            if source is not None and taken == len(items):
                conn.execute("INSERT OR REPLACE INTO positions VALUES (?, ?)", (source, position))
        if dropped:
            log.warning("queue full (%d events): dropped the %d oldest", self.capacity, dropped)
        return taken

    def position(self, source: str) -> int:
        """Where a reader of `source` left off (0: from the start)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT position FROM positions WHERE source = ?", (source,)
            ).fetchone()
        return int(row[0]) if row else 0

    def room(self) -> int:
        with self._lock:
            return self.capacity - _depth(self._conn)

    def take(self, limit: int, *, live_share: float = 0.25) -> list[Queued]:
        """The next events to send: mostly the oldest, plus the newest `live_share` of `limit`.

        Draining a backlog oldest-first would hold live events back for the whole drain; taking
        some of the newest in every batch keeps the live picture current meanwhile.
        """
        newest = int(limit * live_share)
        with self._lock:
            rows = self._conn.execute(
                "SELECT * FROM (SELECT seq, camera_id, camera_seq, body FROM queue"
                " ORDER BY seq LIMIT ?) UNION SELECT * FROM (SELECT seq, camera_id, camera_seq,"
                " body FROM queue ORDER BY seq DESC LIMIT ?) ORDER BY seq",
                (limit - newest, newest),
            ).fetchall()
        return [
            Queued(seq, camera, camera_seq, json.loads(body))
            for seq, camera, camera_seq, body in rows
        ]

    def acknowledge(self, done: Sequence[Queued], *, duplicates: int) -> None:
        """The server has these: forget them, and note the success."""
        with self._write() as conn:
            _forget(conn, done)
            for camera, camera_seq in _highest_per_camera(done).items():
                conn.execute(
                    "UPDATE cameras SET forwarded_seq = max(coalesce(forwarded_seq, 0), ?)"
                    " WHERE camera_id = ?",
                    (camera_seq, camera),
                )
            _count(conn, "forwarded", len(done) - duplicates)
            _count(conn, "duplicates", duplicates)
            _set_meta(conn, "last_success_us", str(_now_us()))

    def dead_letter(self, item: Queued, reason: str, status: int | None) -> None:
        """The server refused this event: keep it aside with the reason, out of the queue."""
        with self._write() as conn:
            _forget(conn, [item])
            _dead_letter(conn, json.dumps(item.event), reason, status, _now_us())
        log.warning("event %s dead-lettered: %s", item.event.get("event_id"), reason)

    def record_error(self, reason: str) -> None:
        with self._write() as conn:
            _count(conn, "send_errors", 1)
            _set_meta(conn, "last_error", reason)

    def dead_letters(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT body, reason, status, at_us FROM dead_letters ORDER BY id"
            ).fetchall()
        return [{"body": b, "reason": r, "status": s, "at_us": at} for b, r, s, at in rows]

    def backlog(self) -> tuple[int, int | None]:
        """Events queued, and when the oldest of them was queued (µs since the epoch)."""
        with self._lock:
            depth, oldest = self._conn.execute(
                "SELECT count(*), min(enqueued_us) FROM queue"
            ).fetchone()
        return int(depth), oldest

    def status(self) -> Status:
        with self._lock:
            conn = self._conn
            depth, oldest_ts, oldest_in = conn.execute(
                "SELECT count(*), min(ts_us), min(enqueued_us) FROM queue"
            ).fetchone()
            dead = conn.execute("SELECT count(*) FROM dead_letters").fetchone()[0]
            counters = dict(conn.execute("SELECT name, value FROM counters").fetchall())
            cameras = {
                camera: {"last_seq": next_seq - 1, "forwarded_seq": forwarded}
                for camera, next_seq, forwarded in conn.execute(
                    "SELECT * FROM cameras ORDER BY camera_id"
                )
            }
            last_success, last_error = self._meta("last_success_us"), self._meta("last_error")
        return Status(
            depth=depth,
            capacity=self.capacity,
            oldest_event_us=oldest_ts,
            oldest_enqueued_us=oldest_in,
            last_success_us=int(last_success) if last_success else None,
            last_error=last_error,
            dead_letters=dead,
            counters=counters,
            cameras=cameras,
        )

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _enqueue(
        self, conn: sqlite3.Connection, event: dict[str, Any], ts_us: int, now_us: int
    ) -> None:
        camera = str(event.get("camera_id") or "unknown")
        conn.execute("INSERT OR IGNORE INTO cameras VALUES (?, 1, NULL)", (camera,))
        (camera_seq,) = conn.execute(
            "UPDATE cameras SET next_seq = next_seq + 1 WHERE camera_id = ? RETURNING next_seq - 1",
            (camera,),
        ).fetchone()
        if not event.get("event_id"):
            # The agent's id for an event: a resend of it, after any failure, is the same event.
            event = {**event, "event_id": f"{camera}-{self.agent_id}-{camera_seq}"}
        conn.execute(
            "INSERT INTO queue (camera_id, camera_seq, ts_us, body, enqueued_us)"
            " VALUES (?, ?, ?, ?, ?)",
            (camera, camera_seq, ts_us, json.dumps(event), now_us),
        )
        _count(conn, "enqueued", 1)

    def _drop_overflow(self, conn: sqlite3.Connection) -> int:
        excess = _depth(conn) - self.capacity
        if excess <= 0:
            return 0
        conn.execute(
            "DELETE FROM queue WHERE seq IN (SELECT seq FROM queue ORDER BY seq LIMIT ?)", (excess,)
        )
        _count(conn, "dropped", excess)
        return excess

    def _meta(self, key: str) -> str | None:
        """A value of the meta table; the caller holds the lock."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")


def _depth(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM queue").fetchone()[0])


def _forget(conn: sqlite3.Connection, items: Sequence[Queued]) -> None:
    conn.executemany("DELETE FROM queue WHERE seq = ?", [(item.seq,) for item in items])


def _highest_per_camera(items: Sequence[Queued]) -> dict[str, int]:
    highest: dict[str, int] = {}
    for item in items:
        highest[item.camera_id] = max(highest.get(item.camera_id, 0), item.camera_seq)
    return highest


def _dead_letter(
    conn: sqlite3.Connection, body: str, reason: str, status: int | None, now_us: int
) -> None:
    conn.execute(
        "INSERT INTO dead_letters (body, reason, status, at_us) VALUES (?, ?, ?, ?)",
        (body, reason, status, now_us),
    )
    _count(conn, "dead_lettered", 1)


def _count(conn: sqlite3.Connection, name: str, by: int) -> None:
    conn.execute("UPDATE counters SET value = value + ? WHERE name = ?", (by, name))


def _set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


def _now_us() -> int:
    return time.time_ns() // 1000
