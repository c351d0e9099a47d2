"""Watcher: our products, competitors and their products, subscriptions, price observations,
parsing tasks, agents, agent events, alerts (why each column and index: watcher_tables.py).

Revision ID: 0006_watcher
Revises: 0005_bid_constraints
Create Date: 2026-12-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_watcher"
down_revision = "0005_bid_constraints"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
Price = sa.Numeric(12, 2)
Percent = sa.Numeric(5, 2)
Marketplace = sa.String(8)
AgentId = sa.String(64)

# (table, index, columns), created after their tables and dropped before them.
INDEXES = [
    ("watcher_competitor_products", "ix_watcher_competitor_products_competitor_id", ["competitor_id"]),
    ("watcher_competitor_products", "ix_watcher_competitor_products_our_product_id", ["our_product_id"]),
    ("watcher_subscriptions", "ix_watcher_subscriptions_competitor_product_id", ["competitor_product_id"]),
    ("watcher_prices", "ix_watcher_prices_product_observed", ["competitor_product_id", "observed_at"]),
    ("watcher_prices", "ix_watcher_prices_observed_at", ["observed_at"]),
    ("watcher_parsing_tasks", "ix_watcher_parsing_tasks_date_status_mp", ["task_date", "status", "marketplace"]),
    ("watcher_parsing_tasks", "ix_watcher_parsing_tasks_agent_status", ["agent_id", "status"]),
    ("watcher_parsing_tasks", "ix_watcher_parsing_tasks_status_lease", ["status", "lease_until"]),
    ("watcher_agent_events", "ix_watcher_agent_events_created_at", ["created_at"]),
    ("watcher_alerts", "ix_watcher_alerts_created_at", ["created_at"]),
    ("watcher_alerts", "ix_watcher_alerts_kind_created", ["kind", "created_at"]),
    ("watcher_alerts", "ix_watcher_alerts_product_kind_created", ["competitor_product_id", "kind", "created_at"]),
]

TABLES = [
    "watcher_products",
    "watcher_competitors",
    "watcher_competitor_products",
    "watcher_subscriptions",
    "watcher_prices",
    "watcher_agents",
    "watcher_parsing_tasks",
    "watcher_agent_events",
    "watcher_alerts",
]


def _fk(column: str, table: str, name: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{table}.id"], name=name, ondelete=ondelete)


def upgrade() -> None:
    # New tables only: plain CREATE TABLE (constraints inline) on SQLite and PostgreSQL alike.
    # CHECK names are final (op.f), not run through the metadata's naming convention again.
    op.create_table(
        "watcher_products",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("brand", sa.String(64), nullable=False),
        sa.Column("marketplace", Marketplace, nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("price", Price, nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_watcher_products"),
        sa.UniqueConstraint("marketplace", "sku", name="uq_watcher_products_marketplace_sku"),
    )
    op.create_table(
        "watcher_competitors",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("marketplace", Marketplace, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_watcher_competitors"),
    )
    op.create_table(
        "watcher_competitor_products",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("competitor_id", Id, nullable=False),
        sa.Column("marketplace", Marketplace, nullable=False),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("url", sa.Text, nullable=True),
        sa.Column("name", sa.String(255), nullable=True),
        sa.Column("our_product_id", Id, nullable=True),
        sa.Column("priority", sa.Integer, nullable=False, server_default=sa.text("50")),
        sa.Column("priority_updated_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_watcher_competitor_products"),
        _fk("competitor_id", "watcher_competitors", "fk_watcher_competitor_products_competitor_id", "CASCADE"),
        _fk("our_product_id", "watcher_products", "fk_watcher_competitor_products_our_product_id", "SET NULL"),
        sa.UniqueConstraint(
            "marketplace", "external_id", name="uq_watcher_competitor_products_marketplace_external_id"
        ),
        sa.CheckConstraint(
            "priority >= 0 AND priority <= 100", name=op.f("ck_watcher_competitor_products_priority_range")
        ),
        postgresql_with={"fillfactor": 50},  # room for HOT priority updates (watcher_tables.py)
    )
    op.create_table(
        "watcher_subscriptions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("our_product_id", Id, nullable=False),
        sa.Column("competitor_product_id", Id, nullable=False),
        sa.Column("marketplace", Marketplace, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_watcher_subscriptions"),
        _fk("our_product_id", "watcher_products", "fk_watcher_subscriptions_our_product_id", "CASCADE"),
        _fk(
            "competitor_product_id",
            "watcher_competitor_products",
            "fk_watcher_subscriptions_competitor_product_id",
            "CASCADE",
        ),
        sa.UniqueConstraint(
            "our_product_id", "competitor_product_id", "marketplace", name="uq_watcher_subscriptions_product_pair"
        ),
    )
    op.create_table(
        "watcher_prices",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("competitor_product_id", Id, nullable=False),
        sa.Column("price", Price, nullable=True),
        sa.Column("old_price", Price, nullable=True),
        sa.Column("discount_percent", Percent, nullable=True),
        sa.Column("in_stock", sa.Boolean, nullable=False),
        sa.Column("observed_at", TS, nullable=False),
        sa.Column("agent_id", AgentId, nullable=True),
        sa.Column("task_id", Id, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_watcher_prices"),
        _fk(
            "competitor_product_id", "watcher_competitor_products", "fk_watcher_prices_competitor_product_id", "CASCADE"
        ),
        sa.CheckConstraint("price > 0", name=op.f("ck_watcher_prices_price_positive")),
        sa.CheckConstraint("old_price > 0", name=op.f("ck_watcher_prices_old_price_positive")),
        sa.CheckConstraint(
            "discount_percent >= 0 AND discount_percent <= 100", name=op.f("ck_watcher_prices_discount_range")
        ),
    )
    op.create_table(
        "watcher_agents",
        sa.Column("id", AgentId, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("marketplace", Marketplace, nullable=True),
        sa.Column("ip", sa.String(45), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("cookies_valid", sa.Boolean, nullable=False),
        sa.Column("last_heartbeat", TS, nullable=True),
        sa.Column("token_hash", sa.String(128), nullable=True),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_watcher_agents"),
        sa.CheckConstraint("status IN ('online', 'offline', 'panic')", name=op.f("ck_watcher_agents_status")),
        sa.UniqueConstraint("token_hash", name="uq_watcher_agents_token_hash"),
    )
    op.create_table(
        "watcher_parsing_tasks",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("subscription_id", Id, nullable=False),
        sa.Column("competitor_product_id", Id, nullable=False),
        sa.Column("marketplace", Marketplace, nullable=False),
        sa.Column("task_date", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("retry_count", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("agent_id", AgentId, nullable=True),
        sa.Column("lease_until", TS, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("completed_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_watcher_parsing_tasks"),
        _fk("subscription_id", "watcher_subscriptions", "fk_watcher_parsing_tasks_subscription_id", "CASCADE"),
        _fk("agent_id", "watcher_agents", "fk_watcher_parsing_tasks_agent_id", "SET NULL"),
        sa.CheckConstraint(
            "status IN ('pending', 'in_progress', 'done', 'failed')", name=op.f("ck_watcher_parsing_tasks_status")
        ),
        sa.CheckConstraint("retry_count >= 0", name=op.f("ck_watcher_parsing_tasks_retry_count_non_negative")),
        sa.UniqueConstraint("subscription_id", "task_date", name="uq_watcher_parsing_tasks_subscription_id_task_date"),
    )
    op.create_table(
        "watcher_agent_events",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("agent_id", AgentId, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False, server_default="info"),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_watcher_agent_events"),
    )
    op.create_table(
        "watcher_alerts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("competitor_product_id", Id, nullable=False),
        sa.Column("our_product_id", Id, nullable=True),
        sa.Column("brand", sa.String(64), nullable=True),
        sa.Column("marketplace", Marketplace, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=True),
        sa.Column("resolved", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("resolved_at", TS, nullable=True),
        sa.Column("notified_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_watcher_alerts"),
        sa.UniqueConstraint("dedupe_key", name="uq_watcher_alerts_dedupe_key"),
    )
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    for table in reversed(TABLES):
        op.drop_table(table)
