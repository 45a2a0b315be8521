"""Statements whose SQL differs by backend, behind one call."""

from typing import Any

from sqlalchemy import Connection, TableClause
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring_conflicts(conn: Connection, table: TableClause) -> Any:
    """INSERT … ON CONFLICT DO NOTHING: a row hitting any unique index is skipped, not an error."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()
