"""In-memory Logistic repositories (``adolf.application.logistic.ports``) and
``FakeLogisticUnitOfWork``.

All rows live in one ``FakeLogisticTables`` (dicts keyed as the tables are); the repositories
are views over it, because some reads cross tables as the SQL does (the cache of one brand's
active articles, open alerts of a brand). The unit of work snapshots the tables once, so a
rollback restores every view together. Rows are frozen dataclasses: a snapshot copies the
containers only.

The same rules as the SQL repositories (the SQL helper's contract suite may run both):
- times are kept in UTC; velocity and money as ``Decimal`` (velocity to 2 places);
- articles are upserted by 1C code, ids are never reused; a cache row is one per article ×
  cluster; a supply task one per (day, article, cluster), created ``new``; an alert one per
  dedupe key;
- "current" reads see active articles only; ordering ties break on id; batch deletes take at
  most ``limit`` rows.

``FakeLogisticUnitOfWork()`` is a ``FakeUnitOfWork`` (system stores, ``users``) plus the
``logistic_*`` repositories and ``logistic`` (the tables, for assertions). Rows added outside
``with uow:`` count as committed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from adolf.application.logistic.ports import (
    ArticleVelocity,
    BalanceLine,
    LogisticAlert,
    NewLogisticAlert,
    NewSupplyTask,
    Pair,
    UnmappedCode,
)
from adolf.domain.alerts.severity import Severity
from adolf.domain.logistic.alerts import StockAlertKind
from adolf.domain.logistic.articles import Article, Cluster
from adolf.domain.logistic.brain_import import Anomaly
from adolf.domain.logistic.deficit import SupplyPriority
from adolf.domain.logistic.freshness import BRAIN_TABLES
from adolf.domain.logistic.stock import FboStock
from adolf.domain.logistic.supply_tasks import SupplyTask, SupplyTaskStatus
from tests.support.fakes.state import Stateful, Tables
from tests.support.fakes.unit_of_work import FakeUnitOfWork

CENT = Decimal("0.01")
OPEN_STATUSES = (SupplyTaskStatus.NEW, SupplyTaskStatus.ACCEPTED)
FINISHED = (SupplyTaskStatus.SHIPPED, SupplyTaskStatus.CANCELLED)


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class HistoryRow:
    id: int
    article_id: int
    quantity: int
    classification: str  # validated | anomaly
    reason: str | None
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A supply task as the table keeps it: the domain's task and when it last changed."""

    task: SupplyTask
    updated_at: datetime


class FakeLogisticTables(Tables):
    def __init__(self) -> None:
        super().__init__()
        self.articles: dict[int, Article] = {}
        self.article_created: dict[int, datetime] = {}
        self.clusters: dict[int, Cluster] = {}
        self.snapshots: dict[int, FboStock] = {}
        self.cache: dict[Pair, FboStock] = {}
        self.velocity: dict[int, ArticleVelocity] = {}
        self.brain: dict[str, list[BalanceLine]] = {table: [] for table in BRAIN_TABLES}
        self.brain_loaded: dict[str, datetime | None] = dict.fromkeys(BRAIN_TABLES)
        self.warehouse: dict[int, int] = {}
        self.history: dict[int, HistoryRow] = {}
        self.unmapped: dict[str, UnmappedCode] = {}
        self.tasks: dict[int, TaskRow] = {}
        self.alerts: dict[int, LogisticAlert] = {}

    def active_ids(self, brand: str | None) -> set[int]:
        return {a.id for a in self.articles.values() if a.active and (brand is None or a.brand == brand)}

    # --- test helpers (not ports) ---

    def load_brain(self, table: str, lines: Sequence[BalanceLine], at: datetime) -> None:
        """A 1C load: the table's rows replaced, ``loaded_at`` stamped."""
        self.brain[table] = list(lines)
        self.brain_loaded[table] = _utc(at)


class FakeArticleRepository:
    def __init__(self, tables: FakeLogisticTables) -> None:
        self.tables = tables

    def add(self, articles: Sequence[Article], at: datetime) -> list[int]:
        self.tables.count("articles.add")
        by_code = {a.code: a.id for a in self.tables.articles.values()}
        ids = []
        for article in articles:
            article_id = by_code.get(article.code) or self.tables.next_id("articles")
            skus = {a.ozon_sku: a.id for a in self.tables.articles.values() if a.ozon_sku is not None}
            if article.ozon_sku is not None and skus.get(article.ozon_sku, article_id) != article_id:
                raise ValueError(f"ozon_sku {article.ozon_sku} is taken")
            self.tables.articles[article_id] = replace(article, id=article_id)
            self.tables.article_created.setdefault(article_id, _utc(at))
            by_code[article.code] = article_id
            ids.append(article_id)
        return ids

    def all(self, brand: str | None = None, active_only: bool = True) -> list[Article]:
        self.tables.count("articles.all")
        return [
            a
            for _, a in sorted(self.tables.articles.items())
            if (brand is None or a.brand == brand) and (a.active or not active_only)
        ]

    def by_ids(self, ids: Sequence[int]) -> dict[int, Article]:
        return {i: self.tables.articles[i] for i in ids if i in self.tables.articles}

    def by_skus(self, skus: Sequence[int]) -> dict[int, Article]:
        wanted = set(skus)
        return {a.ozon_sku: a for a in self.tables.articles.values() if a.ozon_sku in wanted and a.ozon_sku}

    def by_codes(self, codes: Sequence[str]) -> dict[str, Article]:
        wanted = set(codes)
        return {a.code: a for a in self.tables.articles.values() if a.code in wanted}

    def ids_by_code(self) -> dict[str, int]:
        self.tables.count("articles.ids_by_code")
        return {a.code: a.id for a in self.tables.articles.values()}

    def brands(self) -> list[str]:
        return sorted({a.brand for a in self.tables.articles.values() if a.active})


class FakeClusterRepository:
    def __init__(self, tables: FakeLogisticTables) -> None:
        self.tables = tables

    def upsert(self, clusters: Sequence[Cluster], at: datetime) -> int:
        for cluster in clusters:
            self.tables.clusters[cluster.id] = cluster
        return len(clusters)

    def all(self) -> list[Cluster]:
        return [c for _, c in sorted(self.tables.clusters.items())]


class FakeFboStockRepository:
    def __init__(self, tables: FakeLogisticTables) -> None:
        self.tables = tables

    def record(self, stocks: Sequence[FboStock], at: datetime) -> int:
        self.tables.count("stock.record")
        for stock in stocks:
            if stock.article_id not in self.tables.articles or stock.cluster_id not in self.tables.clusters:
                raise ValueError(f"stock of article {stock.article_id} × cluster {stock.cluster_id}: no such row")
            kept = replace(stock, observed_at=_utc(stock.observed_at))
            self.tables.snapshots[self.tables.next_id("snapshots")] = kept
            self.tables.cache[(stock.article_id, stock.cluster_id)] = kept
        return len(stocks)

    def current(self, brand: str | None = None, selling_only: bool = False) -> list[FboStock]:
        self.tables.count("stock.current")
        ids = self.tables.active_ids(brand)
        return [
            stock
            for key, stock in sorted(self.tables.cache.items())
            if key[0] in ids and (stock.avg_daily_sales > 0 or not selling_only)
        ]

    def delete_snapshots_before(self, cutoff: datetime, limit: int) -> int:
        old = [i for i, s in sorted(self.tables.snapshots.items()) if s.observed_at < cutoff][:limit]
        for snapshot_id in old:
            del self.tables.snapshots[snapshot_id]
        return len(old)


class FakeVelocityRepository:
    def __init__(self, tables: FakeLogisticTables) -> None:
        self.tables = tables

    def replace(self, rows: Sequence[ArticleVelocity], at: datetime) -> int:
        self.tables.count("velocity.replace")
        self.tables.velocity = {
            row.article_id: replace(row, avg_daily_sales=row.avg_daily_sales.quantize(CENT, rounding=ROUND_HALF_UP))
            for row in rows
        }
        return len(rows)

    def all(self) -> dict[int, ArticleVelocity]:
        return dict(self.tables.velocity)


class FakeBrainRepository:
    def __init__(self, tables: FakeLogisticTables) -> None:
        self.tables = tables

    def stock_balance(self) -> list[BalanceLine]:
        return sorted(self.tables.brain["brain_stock_balance"], key=lambda line: line.line)

    def loaded_at(self) -> dict[str, datetime | None]:
        return dict(self.tables.brain_loaded)


class FakeWarehouseRepository:
    def __init__(self, tables: FakeLogisticTables) -> None:
        self.tables = tables

    def quantities(self, brand: str | None = None) -> dict[int, int]:
        self.tables.count("warehouse.quantities")
        if brand is None:
            return dict(self.tables.warehouse)
        ids = {a.id for a in self.tables.articles.values() if a.brand == brand}
        return {a: q for a, q in self.tables.warehouse.items() if a in ids}

    def apply(self, validated: Mapping[int, int], anomalies: Sequence[Anomaly], at: datetime) -> None:
        self.tables.count("warehouse.apply")
        at = _utc(at)
        for article_id, quantity in validated.items():
            if quantity < 0:
                raise ValueError(f"quantity {quantity} of article {article_id} is negative")
            self.tables.warehouse[article_id] = quantity
            row_id = self.tables.next_id("history")
            self.tables.history[row_id] = HistoryRow(row_id, article_id, quantity, "validated", None, at)
        for anomaly in anomalies:
            if anomaly.article_id is None:
                continue
            row_id = self.tables.next_id("history")
            self.tables.history[row_id] = HistoryRow(
                row_id, anomaly.article_id, int(anomaly.quantity), "anomaly", anomaly.reason, at
            )

    def note_unmapped(self, codes: Mapping[str, str | None], at: datetime) -> int:
        at = _utc(at)
        for code, name in codes.items():
            known = self.tables.unmapped.get(code)
            if known is None:
                self.tables.unmapped[code] = UnmappedCode(code, name, at, at, 1)
            else:
                self.tables.unmapped[code] = replace(
                    known, name=name or known.name, last_seen=at, times=known.times + 1
                )
        return len(codes)

    def unmapped(self, limit: int = 100) -> list[UnmappedCode]:
        return sorted(self.tables.unmapped.values(), key=lambda u: (u.last_seen, u.code), reverse=True)[:limit]

    def delete_history_before(self, cutoff: datetime, limit: int) -> int:
        old = [i for i, row in sorted(self.tables.history.items()) if row.recorded_at < cutoff][:limit]
        for row_id in old:
            del self.tables.history[row_id]
        return len(old)


class FakeSupplyTaskRepository:
    def __init__(self, tables: FakeLogisticTables) -> None:
        self.tables = tables

    def create_many(self, tasks: Sequence[NewSupplyTask]) -> dict[int, NewSupplyTask]:
        self.tables.count("tasks.create_many")
        taken = {(r.task.task_date, r.task.article_id, r.task.cluster_id) for r in self.tables.tasks.values()}
        created: dict[int, NewSupplyTask] = {}
        for new in tasks:
            key = (new.task_date, new.article_id, new.cluster_id)
            if key in taken:
                continue
            taken.add(key)
            task_id = self.tables.next_id("tasks")
            task = SupplyTask(
                id=task_id,
                article_id=new.article_id,
                cluster_id=new.cluster_id,
                brand=new.brand,
                quantity=new.quantity,
                allocated=new.allocated,
                priority=new.priority,
                coverage=new.coverage,
                status=SupplyTaskStatus.NEW,
                created_at=_utc(new.created_at),
                task_date=new.task_date,
                days_of_cover=new.days_of_cover,
            )
            self.tables.tasks[task_id] = TaskRow(task, _utc(new.created_at))
            created[task_id] = new
        return created

    def get(self, task_id: int) -> SupplyTask | None:
        row = self.tables.tasks.get(task_id)
        return row.task if row else None

    def get_many(self, task_ids: Sequence[int]) -> dict[int, SupplyTask]:
        return {i: self.tables.tasks[i].task for i in task_ids if i in self.tables.tasks}

    def save(self, task: SupplyTask, at: datetime) -> None:
        row = self.tables.tasks.get(task.id)
        if row is None:
            raise ValueError(f"supply task {task.id} does not exist")
        at = _utc(at)
        times: dict[str, Any] = {}
        if task.status is SupplyTaskStatus.ACCEPTED:
            times["accepted_at"] = at
        elif task.status is SupplyTaskStatus.SHIPPED:
            times["shipped_at"] = at
        elif task.status is SupplyTaskStatus.CANCELLED:
            times["cancelled_at"] = at
        self.tables.tasks[task.id] = TaskRow(replace(row.task, status=task.status, **times), at)

    def save_many(self, tasks: Sequence[SupplyTask], at: datetime) -> None:
        self.tables.count("tasks.save_many")
        for task in tasks:
            self.save(task, at)

    def open_tasks(self, brand: str | None = None) -> list[SupplyTask]:
        self.tables.count("tasks.open_tasks")
        return [
            r.task
            for _, r in sorted(self.tables.tasks.items())
            if r.task.status in OPEN_STATUSES and (brand is None or r.task.brand == brand)
        ]

    def listing(
        self,
        status: SupplyTaskStatus | None = None,
        brand: str | None = None,
        day: date | None = None,
        limit: int = 100,
    ) -> list[SupplyTask]:
        found = [
            r.task
            for r in self.tables.tasks.values()
            if (status is None or r.task.status is status)
            and (brand is None or r.task.brand == brand)
            and (day is None or r.task.task_date == day)
        ]
        return sorted(found, key=lambda t: (t.created_at, t.id), reverse=True)[:limit]

    def new_before(self, cutoff: datetime) -> list[SupplyTask]:
        found = [
            r.task
            for r in self.tables.tasks.values()
            if r.task.status is SupplyTaskStatus.NEW and r.task.created_at < cutoff
        ]
        return sorted(found, key=lambda t: (t.created_at, t.id))

    def counts(self, day: date | None = None) -> dict[tuple[SupplyTaskStatus, SupplyPriority], int]:
        counts: dict[tuple[SupplyTaskStatus, SupplyPriority], int] = {}
        for row in self.tables.tasks.values():
            if day is None or row.task.task_date == day:
                key = (row.task.status, row.task.priority)
                counts[key] = counts.get(key, 0) + 1
        return counts

    def delete_finished_before(self, cutoff: datetime, limit: int) -> int:
        old = [
            i for i, r in sorted(self.tables.tasks.items()) if r.task.status in FINISHED and r.task.created_at < cutoff
        ][:limit]
        for task_id in old:
            del self.tables.tasks[task_id]
        return len(old)


class FakeLogisticAlertRepository:
    def __init__(self, tables: FakeLogisticTables) -> None:
        self.tables = tables

    def open_stock_alerts(self, brand: str | None = None) -> dict[Pair, set[StockAlertKind]]:
        self.tables.count("alerts.open_stock_alerts")
        found: dict[Pair, set[StockAlertKind]] = {}
        for alert in self.tables.alerts.values():
            if not alert.open or alert.article_id is None or alert.cluster_id is None:
                continue
            if brand is not None and alert.brand != brand:
                continue
            found.setdefault((alert.article_id, alert.cluster_id), set()).add(alert.kind)
        return found

    def add(self, alerts: Sequence[NewLogisticAlert]) -> list[int]:
        self.tables.count("alerts.add")
        keys = {a.dedupe_key for a in self.tables.alerts.values()}
        ids = []
        for new in alerts:
            if new.dedupe_key in keys:
                continue
            keys.add(new.dedupe_key)
            alert_id = self.tables.next_id("alerts")
            self.tables.alerts[alert_id] = LogisticAlert(
                id=alert_id,
                kind=new.kind,
                severity=Severity.parse(new.severity),
                message=new.message,
                created_at=_utc(new.created_at),
                dedupe_key=new.dedupe_key,
                brand=new.brand,
                article_id=new.article_id,
                cluster_id=new.cluster_id,
                details=dict(new.details),
                open=new.open,
            )
            ids.append(alert_id)
        return ids

    def resolve(self, targets: Sequence[tuple[int, int, StockAlertKind]], at: datetime) -> int:
        self.tables.count("alerts.resolve")
        wanted = set(targets)
        closed = 0
        for alert_id, alert in list(self.tables.alerts.items()):
            if alert.open and (alert.article_id, alert.cluster_id, alert.kind) in wanted:
                self.tables.alerts[alert_id] = replace(alert, open=False, resolved_at=_utc(at))
                closed += 1
        return closed

    def get(self, alert_id: int) -> LogisticAlert | None:
        return self.tables.alerts.get(alert_id)

    def get_many(self, alert_ids: Sequence[int]) -> dict[int, LogisticAlert]:
        return {i: self.tables.alerts[i] for i in alert_ids if i in self.tables.alerts}

    def mark_notified(self, alert_ids: Sequence[int], at: datetime) -> None:
        for alert_id in alert_ids:
            if alert_id in self.tables.alerts:
                self.tables.alerts[alert_id] = replace(self.tables.alerts[alert_id], notified_at=_utc(at))

    def recent(
        self, limit: int = 50, kind: StockAlertKind | None = None, open_only: bool = False
    ) -> list[LogisticAlert]:
        found = [
            a for a in self.tables.alerts.values() if (kind is None or a.kind is kind) and (a.open or not open_only)
        ]
        return sorted(found, key=lambda a: (a.created_at, a.id), reverse=True)[:limit]

    def counts(self, since: datetime, until: datetime) -> dict[tuple[StockAlertKind, Severity], int]:
        counts: dict[tuple[StockAlertKind, Severity], int] = {}
        for alert in self.tables.alerts.values():
            if since <= alert.created_at < until:
                counts[(alert.kind, alert.severity)] = counts.get((alert.kind, alert.severity), 0) + 1
        return counts

    def delete_closed_before(self, cutoff: datetime, limit: int) -> int:
        old = [i for i, a in sorted(self.tables.alerts.items()) if not a.open and a.created_at < cutoff][:limit]
        for alert_id in old:
            del self.tables.alerts[alert_id]
        return len(old)


class FakeLogisticUnitOfWork(FakeUnitOfWork):
    """``LogisticUnitOfWork``: ``FakeUnitOfWork``'s stores plus the Logistic repositories over
    one ``FakeLogisticTables`` (``self.logistic``), rolled back and committed with the rest."""

    def __init__(self) -> None:
        super().__init__()
        self.logistic = FakeLogisticTables()
        self.logistic_articles = FakeArticleRepository(self.logistic)
        self.logistic_clusters = FakeClusterRepository(self.logistic)
        self.logistic_stock = FakeFboStockRepository(self.logistic)
        self.logistic_velocity = FakeVelocityRepository(self.logistic)
        self.logistic_brain = FakeBrainRepository(self.logistic)
        self.logistic_warehouse = FakeWarehouseRepository(self.logistic)
        self.logistic_tasks = FakeSupplyTaskRepository(self.logistic)
        self.logistic_alerts = FakeLogisticAlertRepository(self.logistic)

    @property
    def _stateful(self) -> list[Stateful]:
        return [*super()._stateful, self.logistic]
