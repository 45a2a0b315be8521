"""An event_id names one event at one instant: its unique key takes the event time in.

A table partitioned by time (PostgreSQL's declarative partitions, TimescaleDB's hypertables)
can only enforce unique keys that include the time, and SQLite takes the same key so that both
engines keep one meaning. A retry repeats both, so it is still a duplicate. Rebuilding the index
takes a while on a large table (about 15 s per 10 million events).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("uq_events_event_id", "events")
    op.create_index("uq_events_event_id", "events", ["event_id", "ts_us"], unique=True)


def downgrade() -> None:
    # Fails, naming the index, if one id was stored at two instants meanwhile.
    op.drop_index("uq_events_event_id", "events")
    op.create_index("uq_events_event_id", "events", ["event_id"], unique=True)
