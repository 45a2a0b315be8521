"""Events (append-only), workers and workstations.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
EVENT_ID_IS_NULL = sa.text("event_id IS NULL")

REFUSE_UPDATE_SQLITE = """
CREATE TRIGGER events_append_only BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END
"""
REFUSE_UPDATE_PG = [
    """
    CREATE FUNCTION floorpulse_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'events are append-only'; END $$
    """,
    """
    CREATE TRIGGER events_append_only BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION floorpulse_refuse_update()
    """,
]


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", ROW_ID, autoincrement=True, nullable=False),
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(128), nullable=True),
        sa.Column(
            "ts_us", sa.BigInteger(), nullable=False, comment="event time, µs since epoch (UTC)"
        ),
        sa.Column("worker_id", sa.String(64), nullable=False),
        sa.Column("workstation_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("low_confidence", sa.Boolean(), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=True),
        sa.Column("camera_id", sa.String(64), nullable=True),
        sa.Column(
            "received_us", sa.BigInteger(), nullable=False, comment="receive time, µs since epoch"
        ),
        sa.CheckConstraint(
            "event_type IN ('working', 'idle', 'absent', 'product_count')",
            name=op.f("ck_events_event_type"),
        ),
        sa.CheckConstraint('"count" >= 1', name=op.f("ck_events_count")),
        sa.CheckConstraint(
            "confidence >= 0 AND confidence <= 1", name=op.f("ck_events_confidence")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index("ix_events_ts_us", "events", ["ts_us"])
    op.create_index("ix_events_worker_id_ts_us", "events", ["worker_id", "ts_us"])
    op.create_index("uq_events_event_id", "events", ["event_id"], unique=True)
    op.create_index(
        "uq_events_natural_key",
        "events",
        ["site_id", "ts_us", "worker_id", "workstation_id", "event_type"],
        unique=True,
        sqlite_where=EVENT_ID_IS_NULL,
        postgresql_where=EVENT_ID_IS_NULL,
    )
    for statement in _refuse_update_statements():
        op.execute(statement)

    op.create_table(
        "workers",
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("worker_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("first_seen_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("site_id", "worker_id", name=op.f("pk_workers")),
    )
    op.create_table(
        "workstations",
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("workstation_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("station_type", sa.String(64), nullable=True),
        sa.Column("first_seen_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("site_id", "workstation_id", name=op.f("pk_workstations")),
    )


def downgrade() -> None:
    op.drop_table("workstations")
    op.drop_table("workers")
    op.drop_table("events")
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION floorpulse_refuse_update()")


def _refuse_update_statements() -> list[str]:
    if op.get_context().dialect.name == "postgresql":
        return REFUSE_UPDATE_PG
    return [REFUSE_UPDATE_SQLITE]
