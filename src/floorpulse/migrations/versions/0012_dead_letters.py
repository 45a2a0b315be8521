"""Dead letters: what arrived over MQTT and could not be stored, with the reason.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    row_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "dead_letters",
        sa.Column("id", row_id, primary_key=True, autoincrement=True),
        sa.Column("received_us", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(256), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
    )
    op.create_index("ix_dead_letters_received_us", "dead_letters", ["received_us"])


def downgrade() -> None:
    op.drop_index("ix_dead_letters_received_us", table_name="dead_letters")
    op.drop_table("dead_letters")
