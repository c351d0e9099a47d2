"""Table definitions (SQLAlchemy Core). Alembic migrations are the source of the schema in
a deployment; this metadata mirrors them and is used by the repositories and tests."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# BigInteger ids that still autoincrement on SQLite (which only does so for INTEGER).
Id = BigInteger().with_variant(Integer(), "sqlite")

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("task_id", String(64), nullable=False),
    Column("task_name", String(128), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("exception", Text, nullable=False),
    Column("traceback", Text, nullable=False),
    Column("failed_at", DateTime(timezone=True), nullable=False),
    Column("runtime", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("retried_at", DateTime(timezone=True), nullable=True),
    Index("ix_dead_letters_failed_at", "failed_at"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("module", String(32), nullable=False),
    Column("type", String(64), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("message", Text, nullable=False),
    Column("brand", String(64), nullable=True),
    Column("campaign_id", String(64), nullable=True),
    Column("details", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("dedupe_key", String(200), nullable=True),
    Column("notified_at", DateTime(timezone=True), nullable=True),
    Index("ix_alerts_module_created", "module", "created_at"),
    UniqueConstraint("dedupe_key", name="uq_alerts_dedupe_key"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False),
    Column("task", String(128), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    UniqueConstraint("key", name="uq_outbox_key"),
    Index("ix_outbox_task_status", "task", "status", "id"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("task_name", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

task_runs = Table(
    "task_runs",
    metadata,
    Column("task_id", String(64), primary_key=True),
    Column("task_name", String(128), nullable=False),
    Column("state", String(16), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("result", JSON, nullable=True),
    Column("error", Text, nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# --- Marketing (SPEC §3 Marketing, §4.1) -------------------------------------------------
# Money is Numeric(14, 2), bids Numeric(12, 2): exact on PostgreSQL; on SQLite SQLAlchemy
# quantizes the stored REAL back to two places, exact for these widths.
# History, snapshots and aggregates carry no foreign keys on purpose: they are logs that
# outlive what they describe, and a per-row FK check would slow the 500 000-row writes of a
# bid cycle. Only keywords → campaigns is enforced.
Money = Numeric(14, 2)
Bid = Numeric(12, 2)
Rank = Numeric(8, 2)  # positions and percentages

users = Table(
    "users",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("brand", String(64), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("contacts", JSON, nullable=False),  # [{"channel": ..., "address": ...}]
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("marketplace", String(8), nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("name", String(255), nullable=False),
    Column("brand", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("pause_reason", Text, nullable=True),
    Column("strategy", String(32), nullable=False),
    Column("min_bid", Bid, nullable=False),
    Column("max_bid", Bid, nullable=False),
    Column("daily_budget", Money, nullable=True),
    Column("target_position", Rank, nullable=True),
    Column("target_drr", Rank, nullable=True),
    Column("target_cpo", Money, nullable=True),
    Column("safety_overrides", JSON, nullable=False),  # {threshold name: value as a string}
    Column("kill_switch", Boolean, nullable=False),
    Column("dry_run", Boolean, nullable=False),
    Column("binding_constraint", String(32), nullable=True),  # what bound its last bid-cycle plan
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("marketplace", "external_id", name="uq_campaigns_marketplace_external_id"),
)

# The unique (campaign_id, external_id) index also serves lookups by campaign_id (its leading
# column), so there is no separate campaign_id index to maintain on every insert.
keywords = Table(
    "keywords",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "campaign_id",
        Id,
        ForeignKey("campaigns.id", name="fk_keywords_campaign_id_campaigns", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("external_id", String(64), nullable=False),
    Column("phrase", Text, nullable=False),
    Column("bid", Bid, nullable=False),
    Column("status", String(16), nullable=False),
    Column("pause_reason", Text, nullable=True),
    Column("marketplace_min_bid", Bid, nullable=True),
    UniqueConstraint("campaign_id", "external_id", name="uq_keywords_campaign_id_external_id"),
)

bid_history = Table(
    "bid_history",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("keyword_id", Id, nullable=False),
    Column("campaign_id", Id, nullable=False),
    Column("old_bid", Bid, nullable=False),
    Column("new_bid", Bid, nullable=False),
    Column("source", String(16), nullable=False),
    Column("strategy", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("idempotency_key", String(200), nullable=True),
    Column("binding_constraint", String(32), nullable=True),
    Index("ix_bid_history_created_at", "created_at"),
    Index("ix_bid_history_campaign_created", "campaign_id", "created_at"),
)

stats_snapshots = Table(
    "stats_snapshots",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("campaign_id", Id, nullable=False),
    Column("keyword_id", Id, nullable=True),  # None: the campaign's own totals
    Column("day", Date, nullable=False),
    Column("captured_at", DateTime(timezone=True), nullable=False),
    Column("views", BigInteger, nullable=False),
    Column("clicks", BigInteger, nullable=False),
    Column("orders", BigInteger, nullable=False),
    Column("spent", Money, nullable=False),
    Column("revenue", Money, nullable=False),
    Column("avg_position", Rank, nullable=True),
    Index("ix_stats_snapshots_day_campaign_captured", "day", "campaign_id", "captured_at"),
)

daily_stats = Table(
    "daily_stats",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("campaign_id", Id, nullable=False),
    Column("day", Date, nullable=False),
    Column("views", BigInteger, nullable=False),
    Column("clicks", BigInteger, nullable=False),
    Column("orders", BigInteger, nullable=False),
    Column("spent", Money, nullable=False),
    Column("revenue", Money, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("campaign_id", "day", name="uq_daily_stats_campaign_id_day"),
    Index("ix_daily_stats_day", "day"),
)

# Whole-day totals of each keyword, as the marketplace reports the closed day; the bid engine
# sums them over its judging windows (``keyword_windows``). Unlike the logs above these rows
# mean nothing without their keyword: they go with it (ON DELETE CASCADE). Written once a day
# (00:30), so the FK checks cost nothing a bid cycle would feel. The (campaign_id, day) index
# serves the windows' query (campaigns of a chunk, days since the longest span).
keyword_daily_stats = Table(
    "keyword_daily_stats",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "keyword_id",
        Id,
        ForeignKey("keywords.id", name="fk_keyword_daily_stats_keyword_id_keywords", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "campaign_id",
        Id,
        ForeignKey("campaigns.id", name="fk_keyword_daily_stats_campaign_id_campaigns", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("day", Date, nullable=False),
    Column("views", BigInteger, nullable=False),
    Column("clicks", BigInteger, nullable=False),
    Column("orders", BigInteger, nullable=False),
    Column("spent", Money, nullable=False),
    Column("revenue", Money, nullable=False),
    UniqueConstraint("keyword_id", "day", name="uq_keyword_daily_stats_keyword_id_day"),
    Index("ix_keyword_daily_stats_campaign_day", "campaign_id", "day"),
)

monthly_stats = Table(
    "monthly_stats",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("campaign_id", Id, nullable=False),
    Column("year", Integer, nullable=False),
    Column("month", Integer, nullable=False),
    Column("views", BigInteger, nullable=False),
    Column("clicks", BigInteger, nullable=False),
    Column("orders", BigInteger, nullable=False),
    Column("spent", Money, nullable=False),
    Column("revenue", Money, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("campaign_id", "year", "month", name="uq_monthly_stats_campaign_id_year_month"),
    Index("ix_monthly_stats_year_month", "year", "month"),
)

competitor_bids = Table(
    "competitor_bids",
    metadata,
    Column("marketplace", String(8), primary_key=True),
    Column("keyword_external_id", String(64), primary_key=True),
    Column("bids", JSON, nullable=False),  # ["123.45", ...] strings: JSON numbers would be floats
    Column("observed_at", DateTime(timezone=True), nullable=False),
)

recommendations = Table(
    "recommendations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("campaign_id", Id, nullable=False),
    Column("day", Date, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("message", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_recommendations_day", "day"),
)

from adolf.adapters.sqlalchemy import logistic_tables as _logistic_tables  # noqa: E402, F401  Logistic's tables join this metadata
from adolf.adapters.sqlalchemy import reputation_tables as _reputation_tables  # noqa: E402, F401  Reputation's tables join this metadata
from adolf.adapters.sqlalchemy import watcher_tables as _watcher_tables  # noqa: E402, F401  Watcher's tables join this metadata
