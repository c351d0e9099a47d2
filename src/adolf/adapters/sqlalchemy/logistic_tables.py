"""Logistic's tables (SPEC §3 Logistic, §4.4, §6 "FBO stock per cluster"), on the same
``metadata`` as ``tables.py`` (which imports this module, so the metadata Alembic compares is
complete). Migration ``0008_logistic`` creates them.

The seed (``003_*.txt``) names the tasks and what they read and write, not the columns; the
columns here are this project's choice unless said otherwise:

- articles (``logistic_articles``): an article per brand, its 1C ``code`` (unique: the 1C
  extract is matched on it) and its Ozon ``ozon_sku`` (unique when known; Ozon SKUs pass
  2**31, hence BIGINT). Clusters (``logistic_clusters``) keep Ozon's own cluster id
  (``/v1/cluster/list``); a sync upserts them and never deletes one.
- FBO stock (``logistic_fbo_stock``): one snapshot per article × cluster per
  ``sync_ozon_stocks`` (every 30 min), with ``/v1/analytics/stocks``' fields: available,
  in transit, requested, ``ads`` as ``avg_daily_sales``, ``idc`` as ``days_left`` (NULL when
  Ozon gives none), ``turnover_grade``. ``logistic_stock_cache`` is the latest of them, one row
  per article × cluster (the seed keeps it in Redis; here a table, read by the deficits and
  the alerts in one statement).
- velocity (``logistic_sales_velocity``): **per article**, not per cluster (choice):
  ``/v1/analytics/data`` reports ordered units per SKU for the 28 days, without clusters;
  the per-cluster rate is Ozon's ``ads`` in the snapshots.
- the 1C extract (``brain_*``): the four tables the seed's freshness check names, as a
  seller's 1C export lands them — text columns (a quantity may hold junk: ``sync_brain_stocks``
  classifies it, the loader does not reject it), the row's ``line`` in the source file (NULL when
  an extractor wrote it), and ``loaded_at`` (one stamp per load: a load replaces the table, see
  ``logistic_brain_load.py``). Orders and receipts carry a document's ``document_date`` and
  ``document_number`` (the seed is silent on their columns).
- the internal warehouse: ``logistic_warehouse_stock`` (the last validated quantity per
  article), ``logistic_warehouse_history`` (every classified row: ``validated`` or ``anomaly``,
  an anomaly kept aside with its reason and not applied; a quantity may be negative or huge there,
  hence BIGINT and no sign check), ``logistic_unmapped_codes`` (1C codes unknown to us, for a
  person to map: first and last seen, how many loads showed it).
- supply tasks (``logistic_supply_tasks``): one per article × cluster × day, with the deficit as
  ``quantity`` (> 0: a task exists only for a deficit), the units ``allocated`` from the
  warehouse, and ``coverage`` that agrees with them (full: all, partial: some, none: zero).
- stock alerts (``logistic_alerts``): a log like Watcher's (no foreign key: kept when an article
  goes), one open alert per (article, cluster, kind) found through a partial index, a unique
  ``dedupe_key`` so a retried task cannot raise one alert twice, ``read_at`` (the seed's cleanup
  removes *read* alerts) and ``notified_at`` (routing, as the other modules).

Keys: snapshots, cache, velocity, warehouse stock and history, supply tasks go with their
article (ON DELETE CASCADE), and with their cluster. CHECKs back the domain's rules (units and
rates ≥ 0, statuses, priorities, coverage); the domain refuses bad values first, with a message.

Indexes, by the query each serves:
- fbo_stock (article_id, cluster_id, observed_at): an article × cluster's snapshots in time
  order (its latest, its history); (observed_at): deletes by age (``cleanup_old_data``).
- warehouse_history (article_id, recorded_at): an article's recent quantities (the anomaly
  check's "jump beyond a factor of the recent history"); (recorded_at): ``cleanup_stock_history``.
- supply_tasks unique (task_date, article_id, cluster_id): generating a day twice inserts
  nothing twice (INSERT … ON CONFLICT DO NOTHING) and reads one day's tasks; (status,
  created_at): ``auto_cancel_expired`` (still ``new`` after 48 h), listings by status, cleanup of
  finished tasks by age.
- alerts (article_id, cluster_id, kind) WHERE open: the open alert of a kind for an article ×
  cluster (dedupe and ``STOCK_RECOVERED``); (created_at): listings and cleanup by age.
- brain_* (loaded_at): ``check_brain_freshness``' MAX(loaded_at) per table without a scan.
- articles (brand): one brand's articles (every task takes ``brand``).
An article's rows are found through keys led by ``article_id`` when it is deleted (its cascade),
except its supply tasks (their key leads with the day; deleting an article is a person's rare
act). Clusters are never deleted by a sync, so the cluster keys have no index of their own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
    true,
)

from adolf.adapters.sqlalchemy.tables import Id, metadata

TS = DateTime(timezone=True)  # always UTC; read back through timestamps.as_utc (SQLite drops the offset)
Rate = Numeric(12, 2)  # units a day (Ozon's ``ads``, the 28-day average)
Days = Numeric(10, 1)  # days of cover (Ozon's ``idc``, the domain's days_of_cover: 1 place)
Brand = String(64)
Code = String(64)  # a 1C code once it is ours (brain_* keep whatever 1C wrote, as text)

TASK_STATUSES = ("new", "accepted", "shipped", "cancelled")
PRIORITIES = ("urgent", "planned", "recommended")
COVERAGES = ("full", "partial", "none")
CLASSIFICATIONS = ("validated", "anomaly")
BRAIN_TABLES = ("brain_stock_balance", "brain_customer_orders", "brain_supplier_orders", "brain_goods_receipts")
OPEN = text("open")  # the partial index's predicate: open alerts only


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _article(table: str) -> Column[Any]:
    return Column(
        "article_id",
        Id,
        ForeignKey("logistic_articles.id", name=f"fk_{table}_article_id", ondelete="CASCADE"),
        nullable=False,
    )


def _cluster(table: str) -> Column[Any]:
    return Column(
        "cluster_id",
        Id,
        ForeignKey("logistic_clusters.id", name=f"fk_{table}_cluster_id", ondelete="CASCADE"),
        nullable=False,
    )


def _stock_columns() -> list[Column[Any]]:
    """What ``/v1/analytics/stocks`` reports per SKU × cluster (SPEC §6)."""
    return [
        Column("available", Integer, nullable=False),
        Column("in_transit", Integer, nullable=False),
        Column("requested", Integer, nullable=False),
        Column("avg_daily_sales", Rate, nullable=False),  # Ozon's ads
        Column("days_left", Days, nullable=True),  # Ozon's idc; NULL when Ozon gives none
        Column("turnover_grade", String(32), nullable=True),
        Column("observed_at", TS, nullable=False),
    ]


def _stock_checks() -> list[CheckConstraint]:
    return [
        CheckConstraint("available >= 0", name="available_non_negative"),
        CheckConstraint("in_transit >= 0", name="in_transit_non_negative"),
        CheckConstraint("requested >= 0", name="requested_non_negative"),
        CheckConstraint("avg_daily_sales >= 0", name="avg_daily_sales_non_negative"),
        CheckConstraint("days_left >= 0", name="days_left_non_negative"),
    ]


logistic_articles = Table(
    "logistic_articles",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("brand", Brand, nullable=False),
    Column("code", Code, nullable=False),  # the 1C code
    Column("name", String(255), nullable=False),
    Column("ozon_sku", BigInteger, nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", TS, nullable=False),
    CheckConstraint("ozon_sku > 0", name="ozon_sku_positive"),
    UniqueConstraint("code", name="uq_logistic_articles_code"),
    UniqueConstraint("ozon_sku", name="uq_logistic_articles_ozon_sku"),
    Index("ix_logistic_articles_brand", "brand"),
)

logistic_clusters = Table(
    "logistic_clusters",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=False),  # Ozon's cluster id
    Column("name", String(255), nullable=False),
    Column("updated_at", TS, nullable=False),
)

logistic_fbo_stock = Table(
    "logistic_fbo_stock",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _article("logistic_fbo_stock"),
    _cluster("logistic_fbo_stock"),
    *_stock_columns(),
    *_stock_checks(),
    Index("ix_logistic_fbo_stock_article_cluster_observed", "article_id", "cluster_id", "observed_at"),
    Index("ix_logistic_fbo_stock_observed_at", "observed_at"),
)

logistic_stock_cache = Table(
    "logistic_stock_cache",
    metadata,
    _article("logistic_stock_cache"),
    _cluster("logistic_stock_cache"),
    *_stock_columns(),
    Column("updated_at", TS, nullable=False),
    PrimaryKeyConstraint("article_id", "cluster_id", name="pk_logistic_stock_cache"),
    *_stock_checks(),
)

logistic_sales_velocity = Table(
    "logistic_sales_velocity",
    metadata,
    Column(
        "article_id",
        Id,
        ForeignKey("logistic_articles.id", name="fk_logistic_sales_velocity_article_id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("ordered_units_28d", Integer, nullable=False),
    Column("avg_daily_sales", Rate, nullable=False),
    Column("computed_at", TS, nullable=False),
    CheckConstraint("ordered_units_28d >= 0", name="ordered_units_non_negative"),
    CheckConstraint("avg_daily_sales >= 0", name="avg_daily_sales_non_negative"),
)


def _brain(name: str, *columns: Column[Any]) -> Table:
    return Table(
        name,
        metadata,
        Column("id", Id, primary_key=True, autoincrement=True),
        Column("line", Integer, nullable=True),  # in the source file; NULL when an extractor wrote the row
        Column("code", Text, nullable=False),
        Column("name", Text, nullable=True),
        *columns,
        Column("quantity", Text, nullable=True),  # as 1C wrote it: classified by the import
        Column("loaded_at", TS, nullable=False),
        Index(f"ix_{name}_loaded_at", "loaded_at"),
    )


def _document() -> list[Column[Any]]:
    return [Column("document_date", Date, nullable=True), Column("document_number", Text, nullable=True)]


brain_stock_balance = _brain("brain_stock_balance", Column("warehouse", Text, nullable=True))
brain_customer_orders = _brain("brain_customer_orders", *_document())
brain_supplier_orders = _brain("brain_supplier_orders", *_document())
brain_goods_receipts = _brain("brain_goods_receipts", *_document())

logistic_warehouse_stock = Table(
    "logistic_warehouse_stock",
    metadata,
    Column(
        "article_id",
        Id,
        ForeignKey("logistic_articles.id", name="fk_logistic_warehouse_stock_article_id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("quantity", Integer, nullable=False),
    Column("updated_at", TS, nullable=False),
    CheckConstraint("quantity >= 0", name="quantity_non_negative"),
)

logistic_warehouse_history = Table(
    "logistic_warehouse_history",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _article("logistic_warehouse_history"),
    Column("quantity", BigInteger, nullable=False),  # an anomaly's may be negative or huge
    Column("classification", String(16), nullable=False),
    Column("reason", Text, nullable=True),  # an anomaly's
    Column("recorded_at", TS, nullable=False),
    CheckConstraint(_one_of("classification", CLASSIFICATIONS), name="classification"),
    Index("ix_logistic_warehouse_history_article_recorded", "article_id", "recorded_at"),
    Index("ix_logistic_warehouse_history_recorded_at", "recorded_at"),
)

logistic_unmapped_codes = Table(
    "logistic_unmapped_codes",
    metadata,
    Column("code", Text, primary_key=True),  # as 1C wrote it
    Column("name", Text, nullable=True),  # 1C's name for it, to help a person map it
    Column("first_seen", TS, nullable=False),
    Column("last_seen", TS, nullable=False),
    Column("times", Integer, nullable=False, server_default=text("1")),
    CheckConstraint("times >= 1", name="times_positive"),
)

logistic_supply_tasks = Table(
    "logistic_supply_tasks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _article("logistic_supply_tasks"),
    _cluster("logistic_supply_tasks"),
    Column("brand", Brand, nullable=False),
    Column("task_date", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("coverage", String(16), nullable=False),
    Column("quantity", Integer, nullable=False),  # the deficit
    Column("allocated", Integer, nullable=False),  # units from the internal warehouse
    Column("days_of_cover", Days, nullable=True),  # NULL: no sales, cover without end
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("accepted_at", TS, nullable=True),
    Column("shipped_at", TS, nullable=True),
    Column("cancelled_at", TS, nullable=True),
    CheckConstraint(_one_of("status", TASK_STATUSES), name="status"),
    CheckConstraint(_one_of("priority", PRIORITIES), name="priority"),
    CheckConstraint(_one_of("coverage", COVERAGES), name="coverage"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint("allocated >= 0 AND allocated <= quantity", name="allocated_range"),
    CheckConstraint(
        "(coverage = 'full' AND allocated = quantity)"
        " OR (coverage = 'partial' AND allocated > 0 AND allocated < quantity)"
        " OR (coverage = 'none' AND allocated = 0)",
        name="coverage_agrees",
    ),
    CheckConstraint("days_of_cover >= 0", name="days_of_cover_non_negative"),
    UniqueConstraint("task_date", "article_id", "cluster_id", name="uq_logistic_supply_tasks_day_article_cluster"),
    Index("ix_logistic_supply_tasks_status_created", "status", "created_at"),
)

logistic_alerts = Table(
    "logistic_alerts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),  # domain.logistic.alerts.StockAlertKind: OUT_OF_STOCK, …
    Column("severity", String(16), nullable=False),
    Column("brand", Brand, nullable=True),  # NULL: not a brand's (DATA_STALE)
    Column("article_id", Id, nullable=True),
    Column("cluster_id", Id, nullable=True),
    Column("message", Text, nullable=False),
    Column("details", JSON, nullable=False),
    Column("dedupe_key", String(200), nullable=True),
    Column("open", Boolean, nullable=False, server_default=true()),
    Column("created_at", TS, nullable=False),
    Column("resolved_at", TS, nullable=True),
    Column("read_at", TS, nullable=True),
    Column("notified_at", TS, nullable=True),
    UniqueConstraint("dedupe_key", name="uq_logistic_alerts_dedupe_key"),
    Index(
        "ix_logistic_alerts_open_article_cluster_kind",
        "article_id",
        "cluster_id",
        "kind",
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    ),
    Index("ix_logistic_alerts_created_at", "created_at"),
)
