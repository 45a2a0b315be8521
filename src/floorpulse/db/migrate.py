"""Schema migrations (Alembic), applied by `floorpulse serve` and `floorpulse migrate`."""

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from floorpulse.db.engine import Database

# Any constant both processes agree on: serialises migrations of servers starting together.
_PG_MIGRATION_LOCK = 0x466C6F6F72


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", "floorpulse:migrations")
    return config


def head_revision() -> str | None:
    """The newest migration this code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(conn: Connection) -> str | None:
    """The migration the database is at (None for an empty database)."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to `revision`, one process at a time."""
    config = alembic_config()
    with db.write() as conn:
        if not db.is_sqlite:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
