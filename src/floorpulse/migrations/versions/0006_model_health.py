"""Model health: detections per model version, camera and type of each worker's hour, and when
each version was first and last seen on each camera.

The sightings are filled from the events already stored (one pass over the table: about 10 s
for 10 million events). The hourly counts are built by the rollup keeper, which sees its basis
changed and rebuilds every hour; until then they are read from raw events.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = ["site_id", "hour_us", "worker_id", "model_version", "camera_id", "event_type"]


def upgrade() -> None:
    op.create_table(
        "model_hourly",
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("hour_us", sa.BigInteger(), nullable=False),
        sa.Column("worker_id", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(16), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("confidence_sum", sa.Double(), nullable=False),
        sa.Column("low_confidence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, name=op.f("pk_model_hourly")),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_model_hourly_site_id_worker_id_hour_us",
        "model_hourly",
        ["site_id", "worker_id", "hour_us"],
    )
    op.create_table(
        "model_sightings",
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("first_us", sa.BigInteger(), nullable=False),
        sa.Column("last_us", sa.BigInteger(), nullable=False),
        sa.Column("last_received_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "site_id", "model_version", "camera_id", name=op.f("pk_model_sightings")
        ),
    )
    op.execute(
        "INSERT INTO model_sightings"
        " (site_id, model_version, camera_id, first_us, last_us, last_received_us)"
        " SELECT site_id, COALESCE(model_version, ''), COALESCE(camera_id, ''),"
        " MIN(ts_us), MAX(ts_us), MAX(received_us)"
        " FROM events GROUP BY site_id, COALESCE(model_version, ''), COALESCE(camera_id, '')"
    )


def downgrade() -> None:
    op.drop_table("model_sightings")
    op.drop_index("ix_model_hourly_site_id_worker_id_hour_us", "model_hourly")
    op.drop_table("model_hourly")
