"""Reputation: reviews and questions, their analyses and answers, daily analytics per platform ×
brand, the archive (why each column and index: reputation_tables.py).

Revision ID: 0009_reputation
Revises: 0008_logistic
Create Date: 2026-12-04
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009_reputation"
down_revision = "0008_logistic"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
Brand = sa.String(64)
Platform = sa.String(8)

PLATFORMS = "platform IN ('wb', 'ozon', 'ym')"
RATED = "(item_type = 'review' AND rating IS NOT NULL AND rating BETWEEN 1 AND 5) OR (item_type = 'question' AND rating IS NULL)"
COUNTS = ("total", "reviews", "questions", "positive", "negative", "published")
KEY = ["platform", "item_type", "external_id"]

# (table, index, columns), created after their tables and dropped before them.
INDEXES = [
    ("reputation_items", "ix_reputation_items_status_created", ["status", "created_at"]),
    ("reputation_items", "ix_reputation_items_created_at", ["created_at"]),
    ("reputation_responses", "ix_reputation_responses_status_created", ["status", "created_at"]),
    ("reputation_responses", "ix_reputation_responses_published_at", ["published_at"]),
]

TABLES = [
    "reputation_items",
    "reputation_analyses",
    "reputation_responses",
    "reputation_daily_analytics",
    "reputation_items_archive",
]


def _item_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("platform", Platform, nullable=False),
        sa.Column("item_type", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("brand", Brand, nullable=False),
        sa.Column("product_id", sa.String(64), nullable=False),
        sa.Column("product_name", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("rating", sa.SmallInteger, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("fetched_at", TS, nullable=False),
        sa.Column("status_changed_at", TS, nullable=False),
    ]


def _item(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("item_id", Id, nullable=False, autoincrement=False),
        sa.PrimaryKeyConstraint("item_id", name=f"pk_{table}"),
        sa.ForeignKeyConstraint(["item_id"], ["reputation_items.id"], name=f"fk_{table}_item_id", ondelete="CASCADE"),
    ]


def upgrade() -> None:
    # New tables only: plain CREATE TABLE (constraints inline) on SQLite and PostgreSQL alike.
    # CHECK names are final (op.f), not run through the metadata's naming convention again.
    op.create_table(
        "reputation_items",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        *_item_columns(),
        sa.PrimaryKeyConstraint("id", name="pk_reputation_items"),
        sa.CheckConstraint(PLATFORMS, name=op.f("ck_reputation_items_platform")),
        sa.CheckConstraint("item_type IN ('review', 'question')", name=op.f("ck_reputation_items_item_type")),
        sa.CheckConstraint(
            "status IN ('new', 'analyzed', 'pending_review', 'approved', 'published', 'failed', 'skipped')",
            name=op.f("ck_reputation_items_status"),
        ),
        sa.CheckConstraint(RATED, name=op.f("ck_reputation_items_rating")),
        sa.UniqueConstraint(*KEY, name="uq_reputation_items_platform_type_external_id"),
    )
    op.create_table(
        "reputation_analyses",
        *_item("reputation_analyses"),
        sa.Column("sentiment", sa.String(16), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("topics", sa.Text, nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("analyzed_at", TS, nullable=False),
        sa.CheckConstraint(
            "sentiment IN ('positive', 'neutral', 'negative')", name=op.f("ck_reputation_analyses_sentiment")
        ),
        sa.CheckConstraint("urgency IN ('low', 'medium', 'high')", name=op.f("ck_reputation_analyses_urgency")),
    )
    op.create_table(
        "reputation_responses",
        *_item("reputation_responses"),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("published_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("instructions", sa.Text, nullable=True),
        sa.CheckConstraint("source IN ('model', 'manager')", name=op.f("ck_reputation_responses_source")),
        sa.CheckConstraint(
            "status IN ('draft', 'approved', 'published', 'failed')", name=op.f("ck_reputation_responses_status")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_reputation_responses_attempts_non_negative")),
        sa.CheckConstraint(
            "status <> 'published' OR published_at IS NOT NULL",
            name=op.f("ck_reputation_responses_published_has_time"),
        ),
    )
    op.create_table(
        "reputation_daily_analytics",
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("platform", Platform, nullable=False),
        sa.Column("brand", Brand, nullable=False),
        *(sa.Column(name, sa.Integer, nullable=False) for name in COUNTS),
        sa.Column("avg_rating", sa.Numeric(3, 2), nullable=True),
        sa.PrimaryKeyConstraint("day", "platform", "brand", name="pk_reputation_daily_analytics"),
        sa.CheckConstraint(PLATFORMS, name=op.f("ck_reputation_daily_analytics_platform")),
        *(
            sa.CheckConstraint(f"{name} >= 0", name=op.f(f"ck_reputation_daily_analytics_{name}_non_negative"))
            for name in COUNTS
        ),
        sa.CheckConstraint("reviews + questions = total", name=op.f("ck_reputation_daily_analytics_total_agrees")),
        sa.CheckConstraint("avg_rating BETWEEN 1 AND 5", name=op.f("ck_reputation_daily_analytics_avg_rating_range")),
    )
    op.create_table(
        "reputation_items_archive",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("item_id", Id, nullable=False),
        *_item_columns(),
        sa.Column("sentiment", sa.String(16), nullable=True),
        sa.Column("urgency", sa.String(16), nullable=True),
        sa.Column("topics", sa.Text, nullable=True),
        sa.Column("model", sa.String(128), nullable=True),
        sa.Column("analyzed_at", TS, nullable=True),
        sa.Column("response_text", sa.Text, nullable=True),
        sa.Column("response_source", sa.String(16), nullable=True),
        sa.Column("response_status", sa.String(16), nullable=True),
        sa.Column("response_attempts", sa.Integer, nullable=True),
        sa.Column("response_last_error", sa.Text, nullable=True),
        sa.Column("response_published_at", TS, nullable=True),
        sa.Column("response_created_at", TS, nullable=True),
        sa.Column("response_instructions", sa.Text, nullable=True),
        sa.Column("archived_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reputation_items_archive"),
        sa.UniqueConstraint(*KEY, name="uq_reputation_items_archive_platform_type_external_id"),
    )
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    for table in reversed(TABLES):
        op.drop_table(table)
