"""Use cases of the registry: the workers and workstations seen by the cameras, and their names."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Table

from floorpulse.clock import Clock, utc_now
from floorpulse.db.engine import Database
from floorpulse.db.epoch import to_epoch_us
from floorpulse.registry import repository


@dataclass(frozen=True)
class Kind:
    """Workers and workstations are registered the same way; this says which table and key."""

    table: Table
    key: str


WORKERS = Kind(repository.workers, "worker_id")
WORKSTATIONS = Kind(repository.workstations, "workstation_id")


class RegistryService:
    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock

    def list(self, kind: Kind, site_id: str | None) -> list[Row[Any]]:
        """Every registered entry, of one site or all, ordered by site and id."""
        with self.db.read() as conn:
            return repository.list_all(conn, kind.table, kind.key, site_id)

    def save(
        self, kind: Kind, site_id: str, entity: str, values: dict[str, Any]
    ) -> tuple[Row[Any], bool]:
        """Name (and describe) an entry, registering it if the cameras have not seen it yet."""
        seen_us = to_epoch_us(self.clock())
        with self.db.write() as conn:
            created = repository.save(conn, kind.table, kind.key, site_id, entity, values, seen_us)
            row = repository.get(conn, kind.table, kind.key, site_id, entity)
        assert row is not None
        return row, created
