"""Ports the Logistic use cases need (besides the shared ones in ``application/ports`` and the
Ozon FBO port in ``ozon_fbo``).

Repositories speak domain rows (``adolf.domain.logistic``). Every call is set-based: what a
use case needs over all articles or all article × cluster pairs is *one* call here, whose
number of statements does not grow with the number of rows (``generate_supply_tasks`` runs over
10 000 articles × 30 clusters). Deletes go in bounded batches (``limit`` rows a call, the
caller calls again until 0: short transactions). Timestamps are UTC and tz-aware both ways.

"Brand" filters take a brand name or None for every brand (the use cases turn the payload's
``"all"`` into None).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol, runtime_checkable

from adolf.application.logistic.ozon_fbo import OzonFbo
from adolf.application.marketing.calendar import Calendar
from adolf.application.ports.maintenance import DatabaseMaintenance
from adolf.application.ports.services import Services, SystemUnitOfWork
from adolf.application.ports.status_board import StatusBoard
from adolf.domain.alerts.severity import Severity
from adolf.domain.alerts.users import User
from adolf.domain.logistic.alerts import StockAlertKind
from adolf.domain.logistic.allocation import Coverage
from adolf.domain.logistic.articles import Article, Cluster
from adolf.domain.logistic.brain_import import Anomaly
from adolf.domain.logistic.deficit import SupplyPriority
from adolf.domain.logistic.policy import SupplyPolicy
from adolf.domain.logistic.stock import FboStock
from adolf.domain.logistic.supply_tasks import SupplyTask, SupplyTaskStatus

# --- rows the ports carry besides the domain's -------------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleVelocity:
    """An article's sales over the last 28 days (``/v1/analytics/data``, all clusters)."""

    article_id: int
    ordered_units: int
    avg_daily_sales: Decimal  # units a day, 2 places


@dataclass(frozen=True, slots=True)
class BalanceLine:
    """A row of ``brain_stock_balance`` as 1C landed it: text, possibly junk."""

    line: int  # the row's line in the source file; its id when an extractor wrote it
    code: str
    quantity: str | None
    name: str | None = None
    warehouse: str | None = None


@dataclass(frozen=True, slots=True)
class UnmappedCode:
    code: str
    name: str | None
    first_seen: datetime
    last_seen: datetime
    times: int


@dataclass(frozen=True, slots=True)
class NewSupplyTask:
    """A supply task to create (status ``new``): one article × cluster × day."""

    article_id: int
    cluster_id: int
    brand: str
    task_date: date
    quantity: int  # the deficit, > 0
    allocated: int  # units from the internal warehouse, 0 … quantity
    priority: SupplyPriority
    coverage: Coverage
    days_of_cover: Decimal | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewLogisticAlert:
    """An alert to store. ``open`` alerts (the stock alerts OUT_OF_STOCK, URGENT_STOCK,
    LOW_STOCK, OZON_URGENT, and STOCK_RECOVERED) stay open until resolved; the others are
    events, stored closed."""

    kind: StockAlertKind
    severity: Severity
    message: str
    created_at: datetime
    dedupe_key: str
    brand: str | None = None
    article_id: int | None = None
    cluster_id: int | None = None
    details: Mapping[str, str] = field(default_factory=dict)
    open: bool = False


@dataclass(frozen=True, slots=True)
class LogisticAlert:
    """A stored alert."""

    id: int
    kind: StockAlertKind
    severity: Severity
    message: str
    created_at: datetime
    dedupe_key: str | None
    brand: str | None
    article_id: int | None
    cluster_id: int | None
    details: Mapping[str, str]
    open: bool
    resolved_at: datetime | None = None
    read_at: datetime | None = None
    notified_at: datetime | None = None


#: (article id, cluster id)
Pair = tuple[int, int]


# --- repositories ----------------------------------------------------------------------------


class ArticleRepository(Protocol):
    """Our articles: brand, 1C code, Ozon SKU (``logistic_articles``)."""

    def add(self, articles: Sequence[Article], at: datetime) -> list[int]:
        """Upsert by 1C ``code`` (brand, name, ozon_sku, active replaced; the ``id`` given is
        ignored; ``created_at`` = ``at`` for new rows) in one statement per chunk; the stored
        ids in the order given."""

    def all(self, brand: str | None = None, active_only: bool = True) -> list[Article]:
        """Every article (of ``brand``; active ones only unless told), by id: one query."""

    def by_ids(self, ids: Sequence[int]) -> dict[int, Article]:
        """Articles by id, one query (chunked by the adapter if the database limits parameters)."""

    def by_skus(self, skus: Sequence[int]) -> dict[int, Article]:
        """Articles by Ozon SKU (sku → article), one query (chunked likewise)."""

    def by_codes(self, codes: Sequence[str]) -> dict[str, Article]:
        """Articles by 1C code (code → article), one query (chunked likewise)."""

    def ids_by_code(self) -> dict[str, int]:
        """Every article's 1C code → id, active or not (the 1C import's map): one query."""

    def brands(self) -> list[str]:
        """The distinct brands of active articles, sorted: one query."""


class ClusterRepository(Protocol):
    """Ozon FBO clusters (``logistic_clusters``), keyed by Ozon's own cluster id."""

    def upsert(self, clusters: Sequence[Cluster], at: datetime) -> int:
        """Insert new clusters and rename known ones (``updated_at`` = ``at``), one statement;
        a cluster missing from the list is kept (stock rows refer to it). How many given."""

    def all(self) -> list[Cluster]:
        """Every cluster, by id."""


class FboStockRepository(Protocol):
    """FBO stock: snapshots (``logistic_fbo_stock``) and the current cache
    (``logistic_stock_cache``, one row per article × cluster)."""

    def record(self, stocks: Sequence[FboStock], at: datetime) -> int:
        """Insert every row as a snapshot and upsert it into the cache (cache ``updated_at``
        = ``at``): a bulk INSERT and a bulk upsert (ON CONFLICT (article_id, cluster_id)),
        chunked; never a statement per row. How many rows recorded."""

    def current(self, brand: str | None = None, selling_only: bool = False) -> list[FboStock]:
        """The cache of active articles (of ``brand``), by (article id, cluster id): one
        query (a join on articles for the brand and ``active``). ``selling_only``: only the
        cells with ``avg_daily_sales`` > 0 (a cell that sells nothing has no target, so no
        deficit: planning skips a fifth of the cells unread)."""

    def delete_snapshots_before(self, cutoff: datetime, limit: int) -> int:
        """Delete at most ``limit`` snapshots observed before ``cutoff``; how many went."""


class VelocityRepository(Protocol):
    """Sales velocity per article (``logistic_sales_velocity``)."""

    def replace(self, rows: Sequence[ArticleVelocity], at: datetime) -> int:
        """The table holds exactly ``rows`` afterwards (``computed_at`` = ``at``): one DELETE
        and one bulk INSERT (chunked), in the caller's transaction. How many stored."""

    def all(self) -> dict[int, ArticleVelocity]:
        """article id → velocity, one query."""


class BrainRepository(Protocol):
    """The 1C extract (``brain_*`` tables) as 1C landed it."""

    def stock_balance(self) -> list[BalanceLine]:
        """Every row of ``brain_stock_balance``, by line: one query."""

    def loaded_at(self) -> dict[str, datetime | None]:
        """For each of ``domain.logistic.freshness.BRAIN_TABLES``: its latest ``loaded_at``
        (None when the table is empty), in one query (MAX per table, UNION ALL)."""


class WarehouseRepository(Protocol):
    """The internal (1C) warehouse: current stock, history, unmapped codes."""

    def quantities(self, brand: str | None = None) -> dict[int, int]:
        """article id → the last validated quantity (``logistic_warehouse_stock``; of
        ``brand``'s articles when given): one query. Both the import's "previous" and the
        units available to allocate."""

    def apply(self, validated: Mapping[int, int], anomalies: Sequence[Anomaly], at: datetime) -> None:
        """Upsert ``validated`` (article id → quantity ≥ 0) into the current stock, and add a
        history row for each (``validated``) and for each anomaly with an article
        (``anomaly``, its quantity and reason; the current stock untouched): one bulk upsert
        and one bulk INSERT (chunked)."""

    def note_unmapped(self, codes: Mapping[str, str | None], at: datetime) -> int:
        """Upsert 1C codes unknown to us (code → 1C's name): new ones first_seen = last_seen =
        ``at``, times 1; known ones last_seen = ``at``, times + 1. One statement. How many."""

    def unmapped(self, limit: int = 100) -> list[UnmappedCode]:
        """The unmapped codes, most recently seen first."""

    def delete_history_before(self, cutoff: datetime, limit: int) -> int:
        """Delete at most ``limit`` history rows recorded before ``cutoff``; how many went."""


class SupplyTaskRepository(Protocol):
    """Supply tasks (``logistic_supply_tasks``), one per article × cluster × day."""

    def create_many(self, tasks: Sequence[NewSupplyTask]) -> dict[int, NewSupplyTask]:
        """Insert the tasks as ``new`` (``updated_at`` = ``created_at``), skipping any whose
        (task_date, article_id, cluster_id) exists (ON CONFLICT DO NOTHING; a key given twice:
        the first): one statement per chunk. What was inserted now: id → the task as given, in
        the order given (the caller counts what it created without reading it back)."""

    def get(self, task_id: int) -> SupplyTask | None: ...

    def get_many(self, task_ids: Sequence[int]) -> dict[int, SupplyTask]:
        """Tasks by id, one query."""

    def save(self, task: SupplyTask, at: datetime) -> None:
        """Store the task's status, ``updated_at`` = ``at`` and the status' own time
        (``accepted_at``, ``shipped_at`` or ``cancelled_at`` = ``at``)."""

    def save_many(self, tasks: Sequence[SupplyTask], at: datetime) -> None:
        """``save`` for many, a constant number of statements (one UPDATE per status)."""

    def open_tasks(self, brand: str | None = None) -> list[SupplyTask]:
        """Tasks still ``new`` or ``accepted`` (of ``brand``), any day: one query. Their
        pairs are being supplied, their allocated units are reserved."""

    def listing(
        self,
        status: SupplyTaskStatus | None = None,
        brand: str | None = None,
        day: date | None = None,
        limit: int = 100,
    ) -> list[SupplyTask]:
        """Tasks filtered, newest first (created_at, then id descending)."""

    def new_before(self, cutoff: datetime) -> list[SupplyTask]:
        """Tasks still ``new`` created before ``cutoff`` (``auto_cancel_expired``), oldest first."""

    def counts(self, day: date | None = None) -> dict[tuple[SupplyTaskStatus, SupplyPriority], int]:
        """(status, priority) → how many (of ``day``'s tasks when given): one GROUP BY."""

    def delete_finished_before(self, cutoff: datetime, limit: int) -> int:
        """Delete at most ``limit`` tasks ``shipped`` or ``cancelled`` created before
        ``cutoff``; how many went."""


class LogisticAlertRepository(Protocol):
    """Logistic's alerts (``logistic_alerts``)."""

    def open_stock_alerts(self, brand: str | None = None) -> dict[Pair, set[StockAlertKind]]:
        """(article id, cluster id) → the kinds of its open alerts (of ``brand``): one query."""

    def add(self, alerts: Sequence[NewLogisticAlert]) -> list[int]:
        """Store the alerts, skipping one whose ``dedupe_key`` is already stored (ON CONFLICT
        DO NOTHING, one statement per chunk). The ids of the rows inserted now, in the order
        given."""

    def resolve(self, targets: Sequence[tuple[int, int, StockAlertKind]], at: datetime) -> int:
        """Close the open alerts of each (article id, cluster id, kind): open = false,
        resolved_at = ``at``; a constant number of statements. How many closed."""

    def get(self, alert_id: int) -> LogisticAlert | None: ...

    def get_many(self, alert_ids: Sequence[int]) -> dict[int, LogisticAlert]:
        """Alerts by id, one query."""

    def mark_notified(self, alert_ids: Sequence[int], at: datetime) -> None:
        """notified_at = ``at`` for these alerts, one statement."""

    def recent(
        self, limit: int = 50, kind: StockAlertKind | None = None, open_only: bool = False
    ) -> list[LogisticAlert]:
        """The latest alerts first (created_at, then id descending)."""

    def counts(self, since: datetime, until: datetime) -> dict[tuple[StockAlertKind, Severity], int]:
        """(kind, severity) → how many were raised in [since, until): one GROUP BY."""

    def delete_closed_before(self, cutoff: datetime, limit: int) -> int:
        """Delete at most ``limit`` alerts created before ``cutoff`` that are no longer open
        (resolved stock alerts, and events, which are stored closed); an open alert stays
        whatever its age (deleting it would raise it again). How many went."""


class UserDirectory(Protocol):
    def active(self) -> list[User]: ...


class LogisticUnitOfWork(SystemUnitOfWork, Protocol):
    logistic_articles: ArticleRepository
    logistic_clusters: ClusterRepository
    logistic_stock: FboStockRepository
    logistic_velocity: VelocityRepository
    logistic_brain: BrainRepository
    logistic_warehouse: WarehouseRepository
    logistic_tasks: SupplyTaskRepository
    logistic_alerts: LogisticAlertRepository

    @property
    def users(self) -> UserDirectory:
        """Read-only here (covariant), so a unit of work may hold a richer directory."""


@runtime_checkable
class SupplyShipments(Protocol):
    """Optional: told when a supply task is shipped (the simulated Ozon's "a supply is on its
    way" hook; the real Ozon learns of a supply from the seller's cabinet, not from us)."""

    def shipped(self, task: SupplyTask, sku: int, at: datetime) -> None:
        """``task.allocated`` units of ``sku`` leave for ``task.cluster_id`` at ``at``."""


class LogisticServices(Services, Protocol):
    def uow(self) -> LogisticUnitOfWork: ...

    @property
    def ozon_fbo(self) -> OzonFbo:
        """Ozon's FBO stock, sales analytics and cluster list (SPEC §6)."""

    @property
    def supply_policy(self) -> SupplyPolicy:
        """Days of cover, thresholds, anomaly limits (``ADOLF_LOGISTIC_POLICY``)."""

    @property
    def supply_shipments(self) -> SupplyShipments | None:
        """Who to tell of a shipped supply, if anyone (the simulated Ozon)."""

    @property
    def calendar(self) -> Calendar:
        """Days in the configured time zone (``ADOLF_TIMEZONE``): a supply task's day."""

    @property
    def status_board(self) -> StatusBoard: ...

    @property
    def maintenance(self) -> DatabaseMaintenance:
        """VACUUM ANALYZE after the large cleanups (a no-op on SQLite)."""

    @property
    def brands(self) -> tuple[str, ...]:
        """The configured brands (``ADOLF_BRANDS``); the articles' brands when empty."""
