"""Effects claimed before they are sent: the outbox, and alerts unique by their key.

Revision ID: 0003_outbox
Revises: 0002_marketing
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_outbox"
down_revision = "0002_marketing"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("dedupe_key", sa.String(200), nullable=True))
        batch.add_column(sa.Column("notified_at", TS, nullable=True))
        batch.create_unique_constraint("uq_alerts_dedupe_key", ["dedupe_key"])
    op.create_table(
        "outbox",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("task", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.UniqueConstraint("key", name="uq_outbox_key"),
    )
    op.create_index("ix_outbox_task_status", "outbox", ["task", "status", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_task_status", table_name="outbox")
    op.drop_table("outbox")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint("uq_alerts_dedupe_key", type_="unique")
        batch.drop_column("notified_at")
        batch.drop_column("dedupe_key")
