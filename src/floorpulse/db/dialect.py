"""Statements whose SQL differs by backend, behind one call."""

from functools import cache
from typing import Any

from sqlalchemy import Connection, TableClause
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring_conflicts(conn: Connection, table: TableClause) -> Any:
    """INSERT … ON CONFLICT DO NOTHING: a row hitting any unique index is skipped, not an error."""
    return _ignoring_conflicts(conn.dialect.name, table)


@cache
def _ignoring_conflicts(dialect_name: str, table: TableClause) -> Any:
    # Built once: statements are immutable, and building one costs more than a small batch's
    # whole INSERT of events.
    return dialect_insert(dialect_name, table).on_conflict_do_nothing()


def dialect_insert(dialect_name: str, table: TableClause) -> Any:
    """The INSERT of the backend, the one that has ON CONFLICT."""
    return (postgresql if dialect_name == "postgresql" else sqlite).insert(table)
