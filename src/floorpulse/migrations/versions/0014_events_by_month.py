"""PostgreSQL: events partitioned by month of event time (db/partitions.py); SQLite unchanged.

The table is made anew, partitioned, with a table for each month that holds events (of the last
ten years; older ones and those of the far future go to the default partition) and for the
months ahead, and the events are copied into it. That takes a while on a large table (about a
minute per 10 million events) and holds writes meanwhile.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from alembic import op
from sqlalchemy import text

from floorpulse.db import partitions
from floorpulse.db.epoch import to_epoch_us

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CARRIED = ["site_id", "workstation_id", "event_type", "count", "confidence"]
INDEXES = [
    "ix_events_by_time",
    "ix_events_by_worker",
    "uq_events_event_id",
    "uq_events_natural_key",
]
APPEND_ONLY = (
    "CREATE TRIGGER events_append_only BEFORE UPDATE ON events"
    " FOR EACH ROW EXECUTE FUNCTION floorpulse_refuse_update()"
)
OLDEST_MONTHS = timedelta(days=3653)  # older events go to the default partition


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    _set_aside("events_unpartitioned")
    op.execute(
        "CREATE TABLE events (LIKE events_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS"
        " INCLUDING COMMENTS) PARTITION BY RANGE (ts_us)"
    )
    # A partitioned table's unique keys include its partition key.
    op.execute("ALTER TABLE events ADD CONSTRAINT pk_events PRIMARY KEY (id, ts_us)")
    _index()
    op.execute(f"CREATE TABLE {partitions.DEFAULT} PARTITION OF events DEFAULT")
    conn = op.get_bind()
    now_us = to_epoch_us(datetime.now(UTC))
    first, last = conn.execute(
        text("SELECT min(ts_us), max(ts_us) FROM events_unpartitioned WHERE ts_us >= :oldest"),
        {"oldest": now_us - int(OLDEST_MONTHS.total_seconds() * 1_000_000)},
    ).one()
    if first is not None:
        partitions.make_months(conn, first, min(last, now_us))
    partitions.keep_ahead(conn, now_us)
    _take_over("events_unpartitioned")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    _set_aside("events_partitioned")
    op.execute(
        "CREATE TABLE events (LIKE events_partitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS"
        " INCLUDING COMMENTS)"
    )
    op.execute("ALTER TABLE events ADD CONSTRAINT pk_events PRIMARY KEY (id)")
    _index()
    _take_over("events_partitioned")


def _set_aside(name: str) -> None:
    """Rename the events table and what it holds, keeping the id sequence from going with it."""
    op.execute("ALTER SEQUENCE events_id_seq OWNED BY NONE")
    op.execute("DROP TRIGGER events_append_only ON events")
    op.execute(f"ALTER TABLE events RENAME TO {name}")
    op.execute(f"ALTER TABLE {name} RENAME CONSTRAINT pk_events TO pk_{name}")
    for index in INDEXES:
        op.execute(f"ALTER INDEX {index} RENAME TO {index}_{name.removeprefix('events_')}")


def _take_over(name: str) -> None:
    """Copy the events set aside as `name` into the new table, give it the id sequence and the
    append-only trigger, and drop the old table (a partitioned one with its partitions)."""
    op.execute(f"INSERT INTO events SELECT * FROM {name}")
    op.execute("ALTER SEQUENCE events_id_seq OWNED BY events.id")
    op.execute(f"DROP TABLE {name}")
    op.execute(APPEND_ONLY)


def _index() -> None:
    op.create_index("ix_events_by_time", "events", ["ts_us", "worker_id", *CARRIED])
    op.create_index("ix_events_by_worker", "events", ["worker_id", "ts_us", *CARRIED])
    op.create_index("uq_events_event_id", "events", ["event_id", "ts_us"], unique=True)
    op.create_index(
        "uq_events_natural_key",
        "events",
        ["site_id", "ts_us", "worker_id", "workstation_id", "event_type"],
        unique=True,
        postgresql_where=text("event_id IS NULL"),
    )
