"""SQL statements over the append-only events table."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, Select, select, tuple_

from floorpulse.db.dialect import insert_ignoring_conflicts
from floorpulse.db.tables import events

NATURAL_KEY = ("site_id", "ts_us", "worker_id", "workstation_id", "event_type")


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


def insert_new(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> list[Row[Any]]:
    """Insert the rows that are not duplicates; answer the stored ones, in full."""
    if not rows:
        return []
    statement = insert_ignoring_conflicts(conn, events).returning(*events.c)
    return list(conn.execute(statement, list(rows)))


def find_stored(conn: Connection, row: Mapping[str, Any]) -> Row[Any] | None:
    """The stored event that `row` duplicates, if any."""
    query = select(events)
    if row["event_id"] is not None:
        query = query.where(events.c.event_id == row["event_id"])
    else:
        query = query.where(events.c.event_id.is_(None))
        for column in NATURAL_KEY:
            query = query.where(events.c[column] == row[column])
    return conn.execute(query).first()


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
