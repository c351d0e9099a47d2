"""Logistic: articles, clusters, FBO stock snapshots and cache, sales velocity, the 1C extract
(``brain_*``), the internal warehouse's stock, history and unmapped codes, supply tasks, stock
alerts (why each column and index: logistic_tables.py).

Revision ID: 0008_logistic
Revises: 0007_watcher_price_indexes
Create Date: 2026-12-20
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008_logistic"
down_revision = "0007_watcher_price_indexes"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)
Rate = sa.Numeric(12, 2)
Days = sa.Numeric(10, 1)
Brand = sa.String(64)
OPEN = sa.text("open")

BRAIN_TABLES = ["brain_stock_balance", "brain_customer_orders", "brain_supplier_orders", "brain_goods_receipts"]

# (table, index, columns), created after their tables and dropped before them.
INDEXES = [
    ("logistic_articles", "ix_logistic_articles_brand", ["brand"]),
    (
        "logistic_fbo_stock",
        "ix_logistic_fbo_stock_article_cluster_observed",
        ["article_id", "cluster_id", "observed_at"],
    ),
    ("logistic_fbo_stock", "ix_logistic_fbo_stock_observed_at", ["observed_at"]),
    *((table, f"ix_{table}_loaded_at", ["loaded_at"]) for table in BRAIN_TABLES),
    ("logistic_warehouse_history", "ix_logistic_warehouse_history_article_recorded", ["article_id", "recorded_at"]),
    ("logistic_warehouse_history", "ix_logistic_warehouse_history_recorded_at", ["recorded_at"]),
    ("logistic_supply_tasks", "ix_logistic_supply_tasks_status_created", ["status", "created_at"]),
    ("logistic_alerts", "ix_logistic_alerts_created_at", ["created_at"]),
]
OPEN_ALERTS = ("logistic_alerts", "ix_logistic_alerts_open_article_cluster_kind", ["article_id", "cluster_id", "kind"])

TABLES = [
    "logistic_articles",
    "logistic_clusters",
    "logistic_fbo_stock",
    "logistic_stock_cache",
    "logistic_sales_velocity",
    *BRAIN_TABLES,
    "logistic_warehouse_stock",
    "logistic_warehouse_history",
    "logistic_unmapped_codes",
    "logistic_supply_tasks",
    "logistic_alerts",
]


def _article(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["article_id"], ["logistic_articles.id"], name=f"fk_{table}_article_id", ondelete="CASCADE"
    )


def _cluster(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["cluster_id"], ["logistic_clusters.id"], name=f"fk_{table}_cluster_id", ondelete="CASCADE"
    )


def _stock(table: str) -> list[sa.SchemaItem]:
    """What /v1/analytics/stocks reports per SKU × cluster, with its CHECKs."""
    return [
        sa.Column("available", sa.Integer, nullable=False),
        sa.Column("in_transit", sa.Integer, nullable=False),
        sa.Column("requested", sa.Integer, nullable=False),
        sa.Column("avg_daily_sales", Rate, nullable=False),
        sa.Column("days_left", Days, nullable=True),
        sa.Column("turnover_grade", sa.String(32), nullable=True),
        sa.Column("observed_at", TS, nullable=False),
        sa.CheckConstraint("available >= 0", name=op.f(f"ck_{table}_available_non_negative")),
        sa.CheckConstraint("in_transit >= 0", name=op.f(f"ck_{table}_in_transit_non_negative")),
        sa.CheckConstraint("requested >= 0", name=op.f(f"ck_{table}_requested_non_negative")),
        sa.CheckConstraint("avg_daily_sales >= 0", name=op.f(f"ck_{table}_avg_daily_sales_non_negative")),
        sa.CheckConstraint("days_left >= 0", name=op.f(f"ck_{table}_days_left_non_negative")),
    ]


def _brain(table: str, *columns: sa.Column[Any]) -> None:
    op.create_table(
        table,
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("line", sa.Integer, nullable=True),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=True),
        *columns,
        sa.Column("quantity", sa.Text, nullable=True),
        sa.Column("loaded_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    )


def upgrade() -> None:
    # New tables only: plain CREATE TABLE (constraints inline) on SQLite and PostgreSQL alike.
    # CHECK names are final (op.f), not run through the metadata's naming convention again.
    op.create_table(
        "logistic_articles",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("brand", Brand, nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("ozon_sku", sa.BigInteger, nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_logistic_articles"),
        sa.CheckConstraint("ozon_sku > 0", name=op.f("ck_logistic_articles_ozon_sku_positive")),
        sa.UniqueConstraint("code", name="uq_logistic_articles_code"),
        sa.UniqueConstraint("ozon_sku", name="uq_logistic_articles_ozon_sku"),
    )
    op.create_table(
        "logistic_clusters",
        sa.Column("id", Id, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_logistic_clusters"),
    )
    op.create_table(
        "logistic_fbo_stock",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("article_id", Id, nullable=False),
        sa.Column("cluster_id", Id, nullable=False),
        *_stock("logistic_fbo_stock"),
        sa.PrimaryKeyConstraint("id", name="pk_logistic_fbo_stock"),
        _article("logistic_fbo_stock"),
        _cluster("logistic_fbo_stock"),
    )
    op.create_table(
        "logistic_stock_cache",
        sa.Column("article_id", Id, nullable=False),
        sa.Column("cluster_id", Id, nullable=False),
        *_stock("logistic_stock_cache"),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("article_id", "cluster_id", name="pk_logistic_stock_cache"),
        _article("logistic_stock_cache"),
        _cluster("logistic_stock_cache"),
    )
    op.create_table(
        "logistic_sales_velocity",
        sa.Column("article_id", Id, nullable=False, autoincrement=False),
        sa.Column("ordered_units_28d", sa.Integer, nullable=False),
        sa.Column("avg_daily_sales", Rate, nullable=False),
        sa.Column("computed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("article_id", name="pk_logistic_sales_velocity"),
        _article("logistic_sales_velocity"),
        sa.CheckConstraint(
            "ordered_units_28d >= 0", name=op.f("ck_logistic_sales_velocity_ordered_units_non_negative")
        ),
        sa.CheckConstraint(
            "avg_daily_sales >= 0", name=op.f("ck_logistic_sales_velocity_avg_daily_sales_non_negative")
        ),
    )
    _brain("brain_stock_balance", sa.Column("warehouse", sa.Text, nullable=True))
    for table in BRAIN_TABLES[1:]:
        _brain(
            table,
            sa.Column("document_date", sa.Date, nullable=True),
            sa.Column("document_number", sa.Text, nullable=True),
        )
    op.create_table(
        "logistic_warehouse_stock",
        sa.Column("article_id", Id, nullable=False, autoincrement=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("article_id", name="pk_logistic_warehouse_stock"),
        _article("logistic_warehouse_stock"),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_logistic_warehouse_stock_quantity_non_negative")),
    )
    op.create_table(
        "logistic_warehouse_history",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("article_id", Id, nullable=False),
        sa.Column("quantity", sa.BigInteger, nullable=False),
        sa.Column("classification", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("recorded_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_logistic_warehouse_history"),
        _article("logistic_warehouse_history"),
        sa.CheckConstraint(
            "classification IN ('validated', 'anomaly')", name=op.f("ck_logistic_warehouse_history_classification")
        ),
    )
    op.create_table(
        "logistic_unmapped_codes",
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=True),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.Column("times", sa.Integer, nullable=False, server_default=sa.text("1")),
        sa.PrimaryKeyConstraint("code", name="pk_logistic_unmapped_codes"),
        sa.CheckConstraint("times >= 1", name=op.f("ck_logistic_unmapped_codes_times_positive")),
    )
    op.create_table(
        "logistic_supply_tasks",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("article_id", Id, nullable=False),
        sa.Column("cluster_id", Id, nullable=False),
        sa.Column("brand", Brand, nullable=False),
        sa.Column("task_date", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("coverage", sa.String(16), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("allocated", sa.Integer, nullable=False),
        sa.Column("days_of_cover", Days, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("accepted_at", TS, nullable=True),
        sa.Column("shipped_at", TS, nullable=True),
        sa.Column("cancelled_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_logistic_supply_tasks"),
        _article("logistic_supply_tasks"),
        _cluster("logistic_supply_tasks"),
        sa.CheckConstraint(
            "status IN ('new', 'accepted', 'shipped', 'cancelled')", name=op.f("ck_logistic_supply_tasks_status")
        ),
        sa.CheckConstraint(
            "priority IN ('urgent', 'planned', 'recommended')", name=op.f("ck_logistic_supply_tasks_priority")
        ),
        sa.CheckConstraint("coverage IN ('full', 'partial', 'none')", name=op.f("ck_logistic_supply_tasks_coverage")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_logistic_supply_tasks_quantity_positive")),
        sa.CheckConstraint(
            "allocated >= 0 AND allocated <= quantity", name=op.f("ck_logistic_supply_tasks_allocated_range")
        ),
        sa.CheckConstraint(
            "(coverage = 'full' AND allocated = quantity)"
            " OR (coverage = 'partial' AND allocated > 0 AND allocated < quantity)"
            " OR (coverage = 'none' AND allocated = 0)",
            name=op.f("ck_logistic_supply_tasks_coverage_agrees"),
        ),
        sa.CheckConstraint("days_of_cover >= 0", name=op.f("ck_logistic_supply_tasks_days_of_cover_non_negative")),
        sa.UniqueConstraint(
            "task_date", "article_id", "cluster_id", name="uq_logistic_supply_tasks_day_article_cluster"
        ),
    )
    op.create_table(
        "logistic_alerts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("brand", Brand, nullable=True),
        sa.Column("article_id", Id, nullable=True),
        sa.Column("cluster_id", Id, nullable=True),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=True),
        sa.Column("open", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("resolved_at", TS, nullable=True),
        sa.Column("read_at", TS, nullable=True),
        sa.Column("notified_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_logistic_alerts"),
        sa.UniqueConstraint("dedupe_key", name="uq_logistic_alerts_dedupe_key"),
    )
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns)
    table, name, columns = OPEN_ALERTS
    op.create_index(name, table, columns, postgresql_where=OPEN, sqlite_where=OPEN)


def downgrade() -> None:
    table, name, _columns = OPEN_ALERTS
    op.drop_index(name, table_name=table)
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    for table in reversed(TABLES):
        op.drop_table(table)
