"""Watcher's tables (SPEC §3 Watcher, §4.2, §4.3), on the same ``metadata`` as ``tables.py``
(which imports this module, so the metadata Alembic compares is complete). Migration
``0006_watcher`` creates them.

From the seed (``000_*.txt``), besides the issue's list: a parsing task's ``started_at``
(the seed's daily stats average each task's execution time: ``completed_at - started_at``);
an agent event's ``severity`` (the seed logs a panic as ``error``; ``info`` unless given);
an alert's ``marketplace`` (its notification carries it). Not from the seed: an alert's
unique ``dedupe_key`` (as the runtime ``alerts`` table has, so a retried ``check_alerts``
cannot raise one alert twice) and a price's ``task_id`` (which parsing task observed it; no
FK, tasks are deleted after 90 days). The seed keeps our own prices as observations with no
competitor; here our price is a column of ``watcher_products`` (NULL while unknown, as the
seed's scoring allows). An agent's ``marketplace`` is NULL when it parses any (as
``domain.watcher.agents.Agent`` allows). The seed's ``scheduled_date`` is ``task_date``.

Keys: parsing tasks, prices, subscriptions and competitor products go with what they
belong to (ON DELETE CASCADE); agent events, alerts and prices' ``agent_id`` are logs with no
foreign key, kept when an agent or product is removed; a task's agent becomes NULL. CHECKs
back the domain's rules (statuses, price > 0, discount 0-100, priority 0-100); the domain
refuses bad values first, with a message. ``watcher_prices.price`` is NULL when the page
showed none (out of stock); the seed's scoring skips such rows.

Indexes, by the query each serves (all set-based, over every competitor at once):
- prices (competitor_product_id, observed_at, id): price changes in 30 days (LAG over each
  product's priced observations in ``(observed_at, id)`` order, read in index order with no
  sort), the average discount, the latest price per product (each product's newest row);
  each competitor product is scored on its own (its ``priority``, the seed's
  per-"competitor" score: the seed's competitor is one listing). Migration 0007 added ``id``.
- prices (observed_at) WHERE price IS NULL: the discounts of out-of-stock observations
  (a few percent of rows), added to the scoring pass's (migration 0007).
- prices (observed_at): ``check_alerts``' "observed in the last 20 minutes" without reading
  every product's history, and deletes by age.
- alerts (kind, created_at): dumping alerts in 30 days, counted per competitor product;
  alerts (competitor_product_id, kind, created_at): one product's recent alerts of a kind
  (an alert condition's repeat check); alerts (created_at): daily stats, listings, cleanup.
- parsing tasks (task_date, status, marketplace): a night's counts by status and marketplace,
  ``regenerate_failed_tasks(date)``, cleanup by date; (agent_id, status): an agent's tasks
  to redistribute, tasks done per agent; (status, lease_until): expired leases, every minute.
- agent events (created_at): cleanup by age.
Cleanup deletes in bounded batches (``id IN (SELECT id … WHERE <age> < :cutoff LIMIT :n)``),
each batch found through the age index.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

from adolf.adapters.sqlalchemy.tables import Id, metadata

TS = DateTime(timezone=True)  # always UTC; read back through timestamps.as_utc (SQLite drops the offset)
Price = Numeric(12, 2)
Percent = Numeric(5, 2)
Marketplace = String(8)  # domain.marketplace codes: wb, ozon, ym
AgentId = String(64)

TASK_STATUSES = ("pending", "in_progress", "done", "failed")
AGENT_STATUSES = ("online", "offline", "panic")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


watcher_products = Table(
    "watcher_products",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("brand", String(64), nullable=False),
    Column("marketplace", Marketplace, nullable=False),
    Column("sku", String(64), nullable=False),
    Column("name", String(255), nullable=False),
    Column("price", Price, nullable=True),  # our current price; NULL while unknown
    Column("active", Boolean, nullable=False),
    Column("created_at", TS, nullable=False),
    UniqueConstraint("marketplace", "sku", name="uq_watcher_products_marketplace_sku"),
)

watcher_competitors = Table(
    "watcher_competitors",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False),
    Column("marketplace", Marketplace, nullable=False),
    Column("active", Boolean, nullable=False),
)

watcher_competitor_products = Table(
    "watcher_competitor_products",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "competitor_id",
        Id,
        ForeignKey("watcher_competitors.id", name="fk_watcher_competitor_products_competitor_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("marketplace", Marketplace, nullable=False),
    Column("external_id", String(64), nullable=False),  # the marketplace's article (nmID, SKU, offer)
    Column("url", Text, nullable=True),
    Column("name", String(255), nullable=True),  # known once parsed
    Column(
        "our_product_id",
        Id,
        ForeignKey("watcher_products.id", name="fk_watcher_competitor_products_our_product_id", ondelete="SET NULL"),
        nullable=True,
    ),
    # Monitoring priority (SPEC §4.3), per listing: see domain.watcher.catalog.
    Column("priority", Integer, nullable=False, server_default=text("50")),
    Column("priority_updated_at", TS, nullable=True),
    CheckConstraint("priority >= 0 AND priority <= 100", name="priority_range"),
    UniqueConstraint("marketplace", "external_id", name="uq_watcher_competitor_products_marketplace_external_id"),
    Index("ix_watcher_competitor_products_competitor_id", "competitor_id"),
    Index("ix_watcher_competitor_products_our_product_id", "our_product_id"),
    # Half of each page left free on PostgreSQL: calculate_priorities rewrites up to every row's
    # priority in one statement, and with room on the page each new row version is a HOT update
    # (no indexed column changes) — no entry in the table's four indexes. Measured on 100 000
    # rows: 1.3 s at the default fillfactor (100), 0.4 s at 50. The table is small (a listing a row).
    postgresql_with={"fillfactor": 50},
)

# The unique index leads with our_product_id, so it serves that foreign key too.
watcher_subscriptions = Table(
    "watcher_subscriptions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "our_product_id",
        Id,
        ForeignKey("watcher_products.id", name="fk_watcher_subscriptions_our_product_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "competitor_product_id",
        Id,
        ForeignKey(
            "watcher_competitor_products.id", name="fk_watcher_subscriptions_competitor_product_id", ondelete="CASCADE"
        ),
        nullable=False,
    ),
    Column("marketplace", Marketplace, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", TS, nullable=False),
    UniqueConstraint(
        "our_product_id", "competitor_product_id", "marketplace", name="uq_watcher_subscriptions_product_pair"
    ),
    Index("ix_watcher_subscriptions_competitor_product_id", "competitor_product_id"),
)

watcher_prices = Table(
    "watcher_prices",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "competitor_product_id",
        Id,
        ForeignKey(
            "watcher_competitor_products.id", name="fk_watcher_prices_competitor_product_id", ondelete="CASCADE"
        ),
        nullable=False,
    ),
    Column("price", Price, nullable=True),  # NULL: the page showed no price
    Column("old_price", Price, nullable=True),  # the crossed-out price, if any
    Column("discount_percent", Percent, nullable=True),
    Column("in_stock", Boolean, nullable=False),
    Column("observed_at", TS, nullable=False),
    Column("agent_id", AgentId, nullable=True),
    Column("task_id", Id, nullable=True),
    CheckConstraint("price > 0", name="price_positive"),
    CheckConstraint("old_price > 0", name="old_price_positive"),
    CheckConstraint("discount_percent >= 0 AND discount_percent <= 100", name="discount_range"),
    Index("ix_watcher_prices_product_observed", "competitor_product_id", "observed_at", "id"),
    Index("ix_watcher_prices_observed_at", "observed_at"),
    Index(
        "ix_watcher_prices_unpriced",
        "observed_at",
        postgresql_where=text("price IS NULL"),
        sqlite_where=text("price IS NULL"),
    ),
)

watcher_agents = Table(
    "watcher_agents",
    metadata,
    Column("id", AgentId, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("marketplace", Marketplace, nullable=True),  # the one it parses; NULL: any
    Column("ip", String(45), nullable=True),  # an IPv6 address in text is at most 45 characters
    Column("status", String(16), nullable=False),
    Column("cookies_valid", Boolean, nullable=False),
    Column("last_heartbeat", TS, nullable=True),
    # A hash of the agent's API token, never the token; NULL: no token issued (or revoked).
    # Unique, so a presented token finds its one agent.
    Column("token_hash", String(128), nullable=True),
    Column("metrics", JSON, nullable=False),  # the last heartbeat's metrics
    Column("created_at", TS, nullable=False),
    CheckConstraint(_one_of("status", AGENT_STATUSES), name="status"),
    UniqueConstraint("token_hash", name="uq_watcher_agents_token_hash"),
)

watcher_parsing_tasks = Table(
    "watcher_parsing_tasks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "subscription_id",
        Id,
        ForeignKey("watcher_subscriptions.id", name="fk_watcher_parsing_tasks_subscription_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("competitor_product_id", Id, nullable=False),  # the subscription's, copied for the agent
    Column("marketplace", Marketplace, nullable=False),
    Column("task_date", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("retry_count", Integer, nullable=False, server_default=text("0")),
    Column(
        "agent_id",
        AgentId,
        ForeignKey("watcher_agents.id", name="fk_watcher_parsing_tasks_agent_id", ondelete="SET NULL"),
        nullable=True,
    ),
    Column("lease_until", TS, nullable=True),
    Column("error", Text, nullable=True),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("started_at", TS, nullable=True),
    Column("completed_at", TS, nullable=True),
    CheckConstraint(_one_of("status", TASK_STATUSES), name="status"),
    CheckConstraint("retry_count >= 0", name="retry_count_non_negative"),
    # Generating a night twice queues each task once (INSERT … ON CONFLICT DO NOTHING).
    UniqueConstraint("subscription_id", "task_date", name="uq_watcher_parsing_tasks_subscription_id_task_date"),
    Index("ix_watcher_parsing_tasks_date_status_mp", "task_date", "status", "marketplace"),
    Index("ix_watcher_parsing_tasks_agent_status", "agent_id", "status"),
    Index("ix_watcher_parsing_tasks_status_lease", "status", "lease_until"),
)

watcher_agent_events = Table(
    "watcher_agent_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("agent_id", AgentId, nullable=False),
    Column("kind", String(32), nullable=False),  # the seed's event_type: panic, offline, …
    Column("severity", String(16), nullable=False, server_default="info"),
    Column("message", Text, nullable=False),
    Column("details", JSON, nullable=False),
    Column("created_at", TS, nullable=False),
    Index("ix_watcher_agent_events_created_at", "created_at"),
)

watcher_alerts = Table(
    "watcher_alerts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(64), nullable=False),  # dumping_detected, price_drop, price_rise, out_of_stock
    Column("severity", String(16), nullable=False),
    Column("competitor_product_id", Id, nullable=False),
    Column("our_product_id", Id, nullable=True),
    Column("brand", String(64), nullable=True),
    Column("marketplace", Marketplace, nullable=False),
    Column("message", Text, nullable=False),
    Column("details", JSON, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("dedupe_key", String(200), nullable=True),
    Column("resolved", Boolean, nullable=False, server_default=false()),
    Column("resolved_at", TS, nullable=True),
    Column("notified_at", TS, nullable=True),
    UniqueConstraint("dedupe_key", name="uq_watcher_alerts_dedupe_key"),
    Index("ix_watcher_alerts_created_at", "created_at"),
    Index("ix_watcher_alerts_kind_created", "kind", "created_at"),
    Index("ix_watcher_alerts_product_kind_created", "competitor_product_id", "kind", "created_at"),
)
