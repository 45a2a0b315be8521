"""Schema migrations (Alembic), applied by `floorpulse serve` and `floorpulse migrate`."""

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, MetaData, String, Table, select

from floorpulse.db.engine import Database

# Any constant both processes agree on: serialises migrations of servers starting together.
_PG_MIGRATION_LOCK = 0x466C6F6F72
# Alembic's own table, declared once: MigrationContext declares it anew on every call, and the
# engine's statement cache kept each declaration's query. The readiness probe, which every
# open dashboard polls, grew the server's memory and pushed the metrics' queries out of it.
_VERSION = Table("alembic_version", MetaData(), Column("version_num", String(32)))


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", "floorpulse:migrations")
    return config


def head_revision() -> str | None:
    """The newest migration this code knows."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(conn: Connection) -> str | None:
    """The migration the database is at (None for an empty database)."""
    if not conn.dialect.has_table(conn, _VERSION.name):
        return None
    return conn.execute(select(_VERSION.c.version_num)).scalar_one_or_none()


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the schema to `revision`, one process at a time."""
    config = alembic_config()
    with db.write() as conn:
        if not db.is_sqlite:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
