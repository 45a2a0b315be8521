"""Connections to SQLite (embedded, default) or PostgreSQL: one way to read, one to write."""

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

_WRITE = "floorpulse_write"


class Database:
    """An engine plus the transaction discipline each backend needs."""

    def __init__(self, url: str, *, sqlite_synchronous: str = "FULL") -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.engine = _sqlite_engine(url, sqlite_synchronous) if self.is_sqlite else _pg_engine(url)
        # SQLite has one writer at a time. Queueing this process's writers on a lock is far
        # cheaper than letting them spin in SQLite's busy handler; other processes still wait
        # on busy_timeout.
        self._write_lock: AbstractContextManager[Any] = (
            threading.Lock() if self.is_sqlite else nullcontext()
        )

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection in a read transaction that sees one snapshot throughout.

        A figure is read in several statements (rollups, then the hours still stale), so they
        must agree: SQLite's read transactions do; PostgreSQL needs REPEATABLE READ for it.
        """
        with self.engine.connect() as conn:
            if not self.is_sqlite:
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection in a write transaction, committed on success, rolled back on error."""
        with self._write_lock, self.engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_engine(url: str, synchronous: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own handling would
        # defer it and break transactional DDL and write locking).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # IMMEDIATE takes the write lock up front, so two writers never deadlock upgrading.
        write = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _pg_engine(url: str) -> Engine:
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)
