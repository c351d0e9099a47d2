"""Marketing: users, campaigns, keywords, bid history, stats, competitor bids, recommendations.

Revision ID: 0002_marketing
Revises: 0001_runtime
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_marketing"
down_revision = "0001_runtime"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
Money = sa.Numeric(14, 2)
Bid = sa.Numeric(12, 2)
Rank = sa.Numeric(8, 2)


def _totals() -> list[sa.Column[object]]:
    return [
        sa.Column("views", sa.BigInteger, nullable=False),
        sa.Column("clicks", sa.BigInteger, nullable=False),
        sa.Column("orders", sa.BigInteger, nullable=False),
        sa.Column("spent", Money, nullable=False),
        sa.Column("revenue", Money, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("brand", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("contacts", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("marketplace", sa.String(8), nullable=False),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("brand", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("pause_reason", sa.Text, nullable=True),
        sa.Column("strategy", sa.String(32), nullable=False),
        sa.Column("min_bid", Bid, nullable=False),
        sa.Column("max_bid", Bid, nullable=False),
        sa.Column("daily_budget", Money, nullable=True),
        sa.Column("target_position", Rank, nullable=True),
        sa.Column("target_drr", Rank, nullable=True),
        sa.Column("target_cpo", Money, nullable=True),
        sa.Column("safety_overrides", sa.JSON, nullable=False),
        sa.Column("kill_switch", sa.Boolean, nullable=False),
        sa.Column("dry_run", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_campaigns"),
        sa.UniqueConstraint("marketplace", "external_id", name="uq_campaigns_marketplace_external_id"),
    )
    op.create_table(
        "keywords",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("campaign_id", Id, nullable=False),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("phrase", sa.Text, nullable=False),
        sa.Column("bid", Bid, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("pause_reason", sa.Text, nullable=True),
        sa.Column("marketplace_min_bid", Bid, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_keywords"),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name="fk_keywords_campaign_id_campaigns", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("campaign_id", "external_id", name="uq_keywords_campaign_id_external_id"),
    )
    op.create_table(
        "bid_history",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("keyword_id", Id, nullable=False),
        sa.Column("campaign_id", Id, nullable=False),
        sa.Column("old_bid", Bid, nullable=False),
        sa.Column("new_bid", Bid, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("strategy", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_bid_history"),
    )
    op.create_index("ix_bid_history_created_at", "bid_history", ["created_at"])
    op.create_index("ix_bid_history_campaign_created", "bid_history", ["campaign_id", "created_at"])
    op.create_table(
        "stats_snapshots",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("campaign_id", Id, nullable=False),
        sa.Column("keyword_id", Id, nullable=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("captured_at", TS, nullable=False),
        *_totals(),
        sa.Column("avg_position", Rank, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_stats_snapshots"),
    )
    op.create_index(
        "ix_stats_snapshots_day_campaign_captured", "stats_snapshots", ["day", "campaign_id", "captured_at"]
    )
    op.create_table(
        "daily_stats",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("campaign_id", Id, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        *_totals(),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_daily_stats"),
        sa.UniqueConstraint("campaign_id", "day", name="uq_daily_stats_campaign_id_day"),
    )
    op.create_index("ix_daily_stats_day", "daily_stats", ["day"])
    op.create_table(
        "monthly_stats",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("campaign_id", Id, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("month", sa.Integer, nullable=False),
        *_totals(),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_monthly_stats"),
        sa.UniqueConstraint("campaign_id", "year", "month", name="uq_monthly_stats_campaign_id_year_month"),
    )
    op.create_index("ix_monthly_stats_year_month", "monthly_stats", ["year", "month"])
    op.create_table(
        "competitor_bids",
        sa.Column("marketplace", sa.String(8), nullable=False),
        sa.Column("keyword_external_id", sa.String(64), nullable=False),
        sa.Column("bids", sa.JSON, nullable=False),
        sa.Column("observed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("marketplace", "keyword_external_id", name="pk_competitor_bids"),
    )
    op.create_table(
        "recommendations",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("campaign_id", Id, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_recommendations"),
    )
    op.create_index("ix_recommendations_day", "recommendations", ["day"])


def downgrade() -> None:
    op.drop_index("ix_recommendations_day", table_name="recommendations")
    op.drop_table("recommendations")
    op.drop_table("competitor_bids")
    op.drop_index("ix_monthly_stats_year_month", table_name="monthly_stats")
    op.drop_table("monthly_stats")
    op.drop_index("ix_daily_stats_day", table_name="daily_stats")
    op.drop_table("daily_stats")
    op.drop_index("ix_stats_snapshots_day_campaign_captured", table_name="stats_snapshots")
    op.drop_table("stats_snapshots")
    op.drop_index("ix_bid_history_campaign_created", table_name="bid_history")
    op.drop_index("ix_bid_history_created_at", table_name="bid_history")
    op.drop_table("bid_history")
    op.drop_table("keywords")
    op.drop_table("campaigns")
    op.drop_table("users")
