"""``logistic.generate_supply_tasks(brand="all")`` (07:00; seed 003 §8.4.5, SPEC §3, §4.4).

After the morning's data (analytics 05:00, 1C 06:30, the last stock sync), the day's supply
tasks, set-based over every article × cluster:

1. the current FBO stock (the cache) with each cluster's velocity (``cluster_velocity.blend``:
   the 28-day analytics volume over Ozon's per-cluster split) → the domain's ``needs``
   (deficit = max(0, target − fbo − in transit), priority by days of cover);
2. pairs that already have an open task (``new`` or ``accepted``, any day) are left out: their
   supply is under way, and a second task would ship it twice (choice; the seed's batch_create
   is silent). So a second run on the same day creates nothing twice (the table's unique day ×
   article × cluster backs it) — idempotent;
3. the internal warehouse's units, less those allocated to open tasks (reserved until shipped
   or cancelled: 1C's balance drops only when the goods leave), are shared by the domain's
   ``allocate`` (urgent first, never more than is there) → coverage full / partial / none;
4. the tasks are created in one call (``create_many``; existing ones skipped), which says
   which it inserted: the summary counts those, nothing is read back;
5. alerts: ``WAREHOUSE_LOW`` (high) per article with new needs and no warehouse stock left to
   give ("требуется закупка"), once a day per article; ``TASKS_GENERATED`` (low) per brand
   in scope, the day's summary, once a day per brand (a later run the same day adds tasks but
   no second summary). Both routed and notified through the outbox (``alert_raising``).

The cyclic garbage collector is paused while the job builds and writes its rows (choice,
measured): ~1.5 million objects (snapshots, needs, allocations, tasks) are made here, none in a
cycle — reference counting frees them all —, and the collector walking them again and again as
they pile up cost a third of the job (``plan_supply`` on the bench's 300 000 cells: 4.2 s →
2.5 s CPU). It is switched back on after, and only if it was on (a caller that paused it keeps
it paused).

Steps 1–3 are ``plan_supply``, read-only, which ``adolf logistic deficits`` calls too (the
CLI shows what 07:00 would do, computed by the same code). Everything is read in a handful of
bulk reads and written in one transaction; nothing runs a query per article.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from adolf.application.logistic import dispatch
from adolf.application.logistic.alert_raising import raise_alerts
from adolf.application.logistic.alert_text import new_alert
from adolf.application.logistic.cluster_velocity import blend
from adolf.application.logistic.ports import LogisticServices, LogisticUnitOfWork, NewLogisticAlert, NewSupplyTask, Pair
from adolf.application.logistic.scope import BrandField, brand_filter, brand_label
from adolf.domain.logistic.alerts import StockAlertKind, dedupe_key
from adolf.domain.logistic.allocation import Allocation, allocate
from adolf.domain.logistic.articles import Article
from adolf.domain.logistic.deficit import Need, SupplyPriority, needs
from adolf.domain.logistic.policy import SupplyPolicy
from adolf.domain.logistic.stock import FboStock
from adolf.domain.logistic.supply_tasks import SupplyTask


@dataclass(frozen=True, slots=True)
class SupplyPlan:
    """What ``generate_supply_tasks`` would do now (steps 1–3), nothing written."""

    articles: dict[int, Article]  # active articles in scope, by id
    stocks: list[FboStock]  # the cache, at the blended velocity
    needs: list[Need]  # every need of those articles, those with an open task too
    open_tasks: dict[Pair, SupplyTask]  # new or accepted, any day; the newest of a pair
    warehouse: dict[int, int]  # article id → units in the 1C warehouse
    reserved: Counter[int]  # article id → units allocated to its open tasks
    fresh: list[Need]  # the needs with no open task: a task each
    allocations: list[Allocation]  # the fresh needs' share of the unreserved units, in serving order

    @property
    def available(self) -> dict[int, int]:
        """The warehouse's units less those reserved, per article."""
        return _available(self.warehouse, self.reserved)


def _available(warehouse: dict[int, int], reserved: Counter[int]) -> dict[int, int]:
    return {article: max(0, units - reserved[article]) for article, units in warehouse.items()}


def plan_supply(uow: LogisticUnitOfWork, policy: SupplyPolicy, scope: str | None) -> SupplyPlan:
    """Steps 1–3 on ``uow``'s reads, read-only: the task and ``adolf logistic deficits`` both
    call it, so what the CLI shows is what 07:00 does."""
    articles = {article.id: article for article in uow.logistic_articles.all(scope)}
    velocity = {a: v.avg_daily_sales for a, v in uow.logistic_velocity.all().items()}
    # Only the cells that sell: one that sells nothing has no target and no deficit, and
    # its ads add 0 to the article's total the blend shares the velocity by.
    stocks = blend(uow.logistic_stock.current(scope, selling_only=True), velocity)
    open_tasks = uow.logistic_tasks.open_tasks(scope)
    busy = {(task.article_id, task.cluster_id): task for task in open_tasks}  # by id: the newest wins
    reserved = Counter[int]()
    for task in open_tasks:
        reserved[task.article_id] += task.allocated
    warehouse = uow.logistic_warehouse.quantities(scope)
    found = [need for need in needs(stocks, policy) if need.article_id in articles]
    fresh = [need for need in found if (need.article_id, need.cluster_id) not in busy]
    allocations = allocate(fresh, _available(warehouse, reserved))
    return SupplyPlan(articles, stocks, found, busy, warehouse, reserved, fresh, allocations)


def generate_supply_tasks(services: LogisticServices, brand: BrandField = "all") -> dict[str, Any]:
    scope = brand_filter(brand)
    now = services.clock.now()
    day = services.calendar.day(now)
    with _collector_paused(), services.uow() as uow:
        plan = plan_supply(uow, services.supply_policy, scope)
        articles, allocations, available = plan.articles, plan.allocations, plan.available
        created = uow.logistic_tasks.create_many([_task(a, articles[a.need.article_id], day, now) for a in allocations])
        brands = [scope] if scope is not None else uow.logistic_articles.brands()
        alerts = _warehouse_low(allocations, available, articles, day, now)
        alerts += _summaries(brands, list(created.values()), day, now)
        raised = raise_alerts(uow, alerts, now)
        uow.commit()
    flushed = dispatch.flush(services, raised.keys)
    by_priority = Counter(task.priority.value for task in created.values())
    return {
        "brand": brand_label(scope),
        "date": day.isoformat(),
        "needs": len(plan.fresh),
        "already_open": len(plan.open_tasks),
        "total_tasks": len(created),
        "total_quantity": sum(task.quantity for task in created.values()),
        "allocated": sum(task.allocated for task in created.values()),
        **{priority.value: by_priority[priority.value] for priority in SupplyPriority},
        "purchase_required": sum(1 for alert in alerts if alert.kind is StockAlertKind.WAREHOUSE_LOW),
        "alerts_created": len(raised.alerts),
        "notified": flushed.notified,
    }


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic GC off for the block (see the module's docstring), back on after if it was."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _task(allocation: Allocation, article: Article, day: date, now: datetime) -> NewSupplyTask:
    need = allocation.need
    return NewSupplyTask(
        article_id=need.article_id,
        cluster_id=need.cluster_id,
        brand=article.brand,
        task_date=day,
        quantity=need.deficit,
        allocated=allocation.allocated,
        priority=need.priority,
        coverage=allocation.coverage,
        days_of_cover=need.days_of_cover,
        created_at=now,
    )


def _warehouse_low(
    allocations: list[Allocation], available: dict[int, int], articles: dict[int, Article], day: date, now: datetime
) -> list[NewLogisticAlert]:
    short: dict[int, int] = {}
    for allocation in allocations:
        article_id = allocation.need.article_id
        if not available.get(article_id, 0):
            short[article_id] = short.get(article_id, 0) + allocation.need.deficit
    alerts = []
    for article_id, units in sorted(short.items()):
        article = articles[article_id]
        alerts.append(
            new_alert(
                StockAlertKind.WAREHOUSE_LOW,
                f"{article.code} {article.name}: no stock in the 1C warehouse; FBO deficit {units} units,"
                " purchase required",
                now,
                dedupe_key(StockAlertKind.WAREHOUSE_LOW, article_id, None, day),
                brand=article.brand,
                article_id=article_id,
                details={"code": article.code, "deficit": str(units)},
            )
        )
    return alerts


def _summaries(brands: list[str], created: list[NewSupplyTask], day: date, now: datetime) -> list[NewLogisticAlert]:
    alerts = []
    for name in brands:
        mine = [task for task in created if task.brand == name]
        counts = Counter(task.priority.value for task in mine)
        alerts.append(
            new_alert(
                StockAlertKind.TASKS_GENERATED,
                f"{len(mine)} supply tasks for {day.isoformat()} ({counts[SupplyPriority.URGENT.value]} urgent)",
                now,
                dedupe_key(StockAlertKind.TASKS_GENERATED, None, None, day, scope=name),
                brand=name,
                details={
                    "tasks": str(len(mine)),
                    "quantity": str(sum(task.quantity for task in mine)),
                    **{priority.value: str(counts[priority.value]) for priority in SupplyPriority},
                },
            )
        )
    return alerts
