"""SQL statements over the append-only events table."""

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy import Connection, Row, Select, func, select, tuple_

from floorpulse.db.tables import events

# A batch of 1,000 in one statement; bigger ones cost SQLite more per row.
ROWS_PER_STATEMENT = 2000
# PostgreSQL: from this many rows, COPY through a staging table beats one multi-row INSERT.
COPY_FROM_ROWS = 100
NATURAL_KEY = ("site_id", "ts_us", "worker_id", "workstation_id", "event_type")
# What two events without an event_id are compared by (the partial unique index).
natural_key = attrgetter(*NATURAL_KEY)
INSERT_COLUMNS = (
    "site_id",
    "event_id",
    "ts_us",
    "worker_id",
    "workstation_id",
    "event_type",
    "confidence",
    "count",
    "low_confidence",
    "model_version",
    "camera_id",
    "received_us",
)


@dataclass(frozen=True)
class EventFilter:
    """Which events to list; times are epoch µs, `from_us` inclusive, `to_us` exclusive."""

    site_id: str | None = None
    worker_id: str | None = None
    workstation_id: str | None = None
    event_type: str | None = None
    from_us: int | None = None
    to_us: int | None = None
    before: tuple[int, int] | None = None  # keyset cursor: (ts_us, id) of the last row seen


class NewEvent(NamedTuple):
    """A row to insert, fields in INSERT order (a plain tuple to the driver: no per-value work)."""

    site_id: str
    event_id: str | None
    ts_us: int
    worker_id: str
    workstation_id: str
    event_type: str
    confidence: float
    units: int  # the `count` column (a tuple field cannot be called count)
    low_confidence: bool
    model_version: str | None
    camera_id: str | None
    received_us: int


def insert_new(conn: Connection, rows: Sequence[NewEvent]) -> int:
    """Insert the rows that are not duplicates; answer how many were stored.

    This is the ingest hot path. SQLAlchemy's per-parameter processing cost as much as SQLite's
    own insert, so a multi-row INSERT (the same SQL on SQLite and PostgreSQL) goes to the driver
    with the values flattened into one tuple. The count is the driver's row count: reading each
    stored row back (RETURNING) took an eighth of the writer thread's time.
    """
    if conn.dialect.name == "postgresql" and len(rows) >= COPY_FROM_ROWS:
        return _copied(conn, rows)
    per_statement = _rows_per_statement(conn)
    stored = 0
    for first in range(0, len(rows), per_statement):
        chunk = rows[first : first + per_statement]
        sql = _insert_sql(conn.dialect.name, len(chunk))
        stored += conn.exec_driver_sql(sql, tuple(chain.from_iterable(chunk))).rowcount
    return stored


def _copied(conn: Connection, rows: Sequence[NewEvent]) -> int:
    """PostgreSQL: the rows COPYed into a staging table of this session, then inserted from
    it; COPY parses no SQL and binds no parameters, which a big batch's INSERT spends most
    of its time on."""
    columns = ", ".join(f'"{name}"' for name in INSERT_COLUMNS)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS events_staging AS SELECT {columns} FROM events"
        " WITH NO DATA"
    )
    with cursor.copy(f"COPY events_staging ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cursor.execute(
        f"INSERT INTO events ({columns}) SELECT {columns} FROM events_staging"
        " ON CONFLICT DO NOTHING"
    )
    stored = int(cursor.rowcount)
    cursor.execute("TRUNCATE events_staging")
    return stored


def _rows_per_statement(conn: Connection) -> int:
    # One statement per posted batch where the driver allows: each statement is a moment the
    # writer gives up the GIL and may wait to get it back. SQLite before 3.32 binds at most 999
    # values per statement, later ones 32,766; PostgreSQL 65,535.
    limit = 65_535
    if conn.dialect.name == "sqlite":
        dbapi = conn.connection.dbapi_connection
        limit = int(dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))  # type: ignore[union-attr]
    return max(1, min(ROWS_PER_STATEMENT, limit // len(INSERT_COLUMNS)))


@lru_cache(maxsize=128)
def _insert_sql(dialect: str, rows: int) -> str:
    mark = "?" if dialect == "sqlite" else "%s"
    one_row = "(" + ", ".join([mark] * len(INSERT_COLUMNS)) + ")"
    columns = ", ".join(f'"{name}"' for name in INSERT_COLUMNS)
    return (
        f"INSERT INTO events ({columns}) VALUES {', '.join([one_row] * rows)}"
        " ON CONFLICT DO NOTHING"
    )


def find_stored(conn: Connection, row: NewEvent) -> Row[Any] | None:
    """The stored event that `row` is, or duplicates."""
    query = select(events)
    if row.event_id is not None:
        query = query.where(events.c.event_id == row.event_id, events.c.ts_us == row.ts_us)
    else:
        query = query.where(events.c.event_id.is_(None))
        for column in NATURAL_KEY:
            query = query.where(events.c[column] == getattr(row, column))
    return conn.execute(query).first()


def newest_id(conn: Connection) -> int:
    """The id of the last row stored (0: none); it grows with every insert."""
    return int(conn.execute(select(func.max(events.c.id))).scalar() or 0)


def list_newest_first(conn: Connection, where: EventFilter, limit: int) -> list[Row[Any]]:
    """A page of events, newest event time first, ties broken by id."""
    query = _filtered(select(events), where).order_by(events.c.ts_us.desc(), events.c.id.desc())
    return list(conn.execute(query.limit(limit)))


def _filtered(query: Select[Any], where: EventFilter) -> Select[Any]:
    for column in ("site_id", "worker_id", "workstation_id", "event_type"):
        value = getattr(where, column)
        if value is not None:
            query = query.where(events.c[column] == value)
    if where.from_us is not None:
        query = query.where(events.c.ts_us >= where.from_us)
    if where.to_us is not None:
        query = query.where(events.c.ts_us < where.to_us)
    if where.before is not None:
        query = query.where(tuple_(events.c.ts_us, events.c.id) < tuple_(*where.before))
    return query
