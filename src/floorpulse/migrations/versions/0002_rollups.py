"""Hourly rollups of state time and units, the hours awaiting a rebuild, and their basis.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
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
    op.create_table(
        "rollups_stale",
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("worker_id", sa.String(64), nullable=False),
        sa.Column("hour_us", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("marked_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("site_id", "worker_id", "hour_us", name=op.f("pk_rollups_stale")),
    )
    # No basis row yet: the first start marks every hour with events stale and builds them all.
    op.create_table(
        "rollups_basis",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_rollups_basis")),
    )


def downgrade() -> None:
    op.drop_table("rollups_basis")
    op.drop_table("rollups_stale")
    op.drop_table("rollups_hourly")
