"""SQL statements over workers and workstations."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Row, Table, select

from floorpulse.db.dialect import insert_ignoring_conflicts
from floorpulse.db.tables import workers, workstations

__all__ = [
    "get",
    "list_all",
    "name_if_unnamed",
    "register",
    "save",
    "site_ids",
    "workers",
    "workstations",
]


def register(
    conn: Connection, table: Table, key: str, ids: Iterable[tuple[str, str]], seen_us: int
) -> None:
    """Record ids not yet known, unnamed; known ones are left as they are."""
    # In key order, so that concurrent writers cannot deadlock (see analytics.mark_stale).
    rows = [
        {"site_id": site, key: entity, "first_seen_us": seen_us} for site, entity in sorted(ids)
    ]
    if rows:
        conn.execute(insert_ignoring_conflicts(conn, table), rows)


def list_all(conn: Connection, table: Table, key: str, site_id: str | None) -> list[Row[Any]]:
    query = select(table).order_by(table.c.site_id, table.c[key])
    if site_id is not None:
        query = query.where(table.c.site_id == site_id)
    return list(conn.execute(query))


def site_ids(conn: Connection) -> set[str]:
    """Every site a worker or workstation was seen at."""
    query = select(workers.c.site_id).union(select(workstations.c.site_id))
    return set(conn.execute(query).scalars())


def get(conn: Connection, table: Table, key: str, site_id: str, entity: str) -> Row[Any] | None:
    query = select(table).where(table.c.site_id == site_id, table.c[key] == entity)
    return conn.execute(query).first()


def save(
    conn: Connection,
    table: Table,
    key: str,
    site_id: str,
    entity: str,
    values: dict[str, Any],
    seen_us: int,
) -> bool:
    """Create or update one entry; True when it was created."""
    new = {"site_id": site_id, key: entity, "first_seen_us": seen_us, **values}
    inserted = insert_ignoring_conflicts(conn, table).returning(table.c.site_id)
    if conn.execute(inserted, new).first() is not None:
        return True
    match = (table.c.site_id == site_id) & (table.c[key] == entity)
    conn.execute(table.update().where(match).values(**values))
    return False


def name_if_unnamed(
    conn: Connection,
    table: Table,
    key: str,
    site_id: str,
    names: dict[str, dict[str, Any]],
    seen_us: int,
) -> None:
    """Give entries these names (and details), except those a person has named already."""
    for entity, values in names.items():
        new = {"site_id": site_id, key: entity, "first_seen_us": seen_us, **values}
        conn.execute(insert_ignoring_conflicts(conn, table), new)
        match = (table.c.site_id == site_id) & (table.c[key] == entity) & table.c.name.is_(None)
        conn.execute(table.update().where(match).values(**values))
