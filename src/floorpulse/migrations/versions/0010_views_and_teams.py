"""What each key sees of individuals (its view), workers' teams, and this install's secret.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("view", sa.String(16), nullable=False, server_default="named"))
        batch.create_check_constraint("view", "view IN ('named', 'pseudonymous', 'process')")
    with op.batch_alter_table("workers") as batch:
        batch.add_column(sa.Column("team", sa.String(64), nullable=True))
    secrets_table = op.create_table(
        "install_secrets",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("value", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_install_secrets")),
    )
    # Drawn here, once per install: every process of the server then shows the same pseudonyms.
    op.bulk_insert(secrets_table, [{"name": "pseudonyms", "value": secrets.token_hex(32)}])


def downgrade() -> None:
    op.drop_table("install_secrets")
    with op.batch_alter_table("workers") as batch:
        batch.drop_column("team")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_constraint(op.f("ck_api_keys_view"), type_="check")
        batch.drop_column("view")
