"""What bound each bid decision, and each campaign's last plan.

Revision ID: 0005_bid_constraints
Revises: 0004_keyword_daily
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_bid_constraints"
down_revision = "0004_keyword_daily"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("binding_constraint", sa.String(32), nullable=True))
    with op.batch_alter_table("bid_history") as batch:
        batch.add_column(sa.Column("binding_constraint", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bid_history") as batch:
        batch.drop_column("binding_constraint")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("binding_constraint")
