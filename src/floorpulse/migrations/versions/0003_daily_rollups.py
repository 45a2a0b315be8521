"""Daily rollups beside the hourly ones; both keyed period first, for range reads.

The hourly rows are kept (moved into the new layout), and the daily ones summed from them, so no
rebuild is needed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TALLY = "working_us, idle_us, absent_us, units"
DAY_US = 86_400_000_000


def _create(table: str, period: str) -> None:
    op.create_table(
        table,
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column(period, sa.BigInteger(), nullable=False),
        sa.Column("worker_id", sa.String(64), nullable=False),
        sa.Column("workstation_id", sa.String(64), nullable=False),
        sa.Column("working_us", sa.BigInteger(), nullable=False),
        sa.Column("idle_us", sa.BigInteger(), nullable=False),
        sa.Column("absent_us", sa.BigInteger(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "site_id", period, "worker_id", "workstation_id", name=op.f(f"pk_{table}")
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        f"ix_{table}_site_id_worker_id_{period}", table, ["site_id", "worker_id", period]
    )


def upgrade() -> None:
    op.drop_index("ix_rollups_hourly_site_id_hour_us", "rollups_hourly")
    op.rename_table("rollups_hourly", "rollups_hourly_0002")
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE rollups_hourly_0002 RENAME CONSTRAINT pk_rollups_hourly TO pk_rollups_0002"
        )
    _create("rollups_hourly", "hour_us")
    _create("rollups_daily", "day_us")
    keys = "site_id, hour_us, worker_id, workstation_id"
    op.execute(
        f"INSERT INTO rollups_hourly ({keys}, {TALLY})"
        f" SELECT {keys}, {TALLY} FROM rollups_hourly_0002"
    )
    day = f"hour_us - ((hour_us % {DAY_US}) + {DAY_US}) % {DAY_US}"
    sums = "SUM(working_us), SUM(idle_us), SUM(absent_us), SUM(units)"
    op.execute(
        f"INSERT INTO rollups_daily (site_id, day_us, worker_id, workstation_id, {TALLY})"
        f" SELECT site_id, {day}, worker_id, workstation_id, {sums} FROM rollups_hourly"
        f" GROUP BY site_id, {day}, worker_id, workstation_id"
    )
    op.drop_table("rollups_hourly_0002")


def downgrade() -> None:
    op.drop_table("rollups_daily")
    op.drop_table("rollups_hourly")
    op.create_table(
        "rollups_hourly",
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("worker_id", sa.String(64), nullable=False),
        sa.Column("hour_us", sa.BigInteger(), nullable=False),
        sa.Column("workstation_id", sa.String(64), nullable=False),
        sa.Column("working_us", sa.BigInteger(), nullable=False),
        sa.Column("idle_us", sa.BigInteger(), nullable=False),
        sa.Column("absent_us", sa.BigInteger(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "site_id", "worker_id", "hour_us", "workstation_id", name=op.f("pk_rollups_hourly")
        ),
    )
    op.create_index("ix_rollups_hourly_site_id_hour_us", "rollups_hourly", ["site_id", "hour_us"])
    # The rollups are derived: with the basis gone, the next start rebuilds every hour.
    op.execute("DELETE FROM rollups_basis")
