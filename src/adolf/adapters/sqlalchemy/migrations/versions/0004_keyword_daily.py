"""Keyword daily rows: each keyword's whole-day totals, for the bid engine's judging windows.

Revision ID: 0004_keyword_daily
Revises: 0003_outbox
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_keyword_daily"
down_revision = "0003_outbox"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Money = sa.Numeric(14, 2)


def upgrade() -> None:
    # A new table only: plain CREATE TABLE (foreign keys inline) works on SQLite and PostgreSQL
    # alike, no batch mode needed.
    op.create_table(
        "keyword_daily_stats",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("keyword_id", Id, nullable=False),
        sa.Column("campaign_id", Id, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("views", sa.BigInteger, nullable=False),
        sa.Column("clicks", sa.BigInteger, nullable=False),
        sa.Column("orders", sa.BigInteger, nullable=False),
        sa.Column("spent", Money, nullable=False),
        sa.Column("revenue", Money, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_keyword_daily_stats"),
        sa.ForeignKeyConstraint(
            ["keyword_id"], ["keywords.id"], name="fk_keyword_daily_stats_keyword_id_keywords", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name="fk_keyword_daily_stats_campaign_id_campaigns",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("keyword_id", "day", name="uq_keyword_daily_stats_keyword_id_day"),
    )
    op.create_index("ix_keyword_daily_stats_campaign_day", "keyword_daily_stats", ["campaign_id", "day"])


def downgrade() -> None:
    op.drop_index("ix_keyword_daily_stats_campaign_day", table_name="keyword_daily_stats")
    op.drop_table("keyword_daily_stats")
