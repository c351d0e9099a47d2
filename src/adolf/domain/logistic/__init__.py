"""Logistic: Ozon FBO stock per cluster, the 1C warehouse, supply tasks and stock alerts (seed 003; SPEC §3, §4.4).

One idea per module:

- ``articles`` — our articles (1C code, Ozon SKU) and Ozon clusters;
- ``stock`` — an FBO stock snapshot per article × cluster and days of cover;
- ``policy`` — the configurable thresholds (documented defaults, ``from_mapping``);
- ``deficit`` — target stock, deficit (SPEC §4.4), priority, the needs of a day;
- ``allocation`` — scarce warehouse stock shared urgent-first, coverage;
- ``brain_import`` — classifying a 1C ``brain_stock_balance`` extract;
- ``freshness`` — which ``brain_*`` tables are stale;
- ``alerts`` — stock alert kinds, severities, open/resolve decisions, dedupe keys;
- ``supply_tasks`` — a supply task and its status machine.

An article selling 5 units a day in three clusters: 4 days of cover is urgent, 12 planned, 40
needs nothing; a supply restores 28 days (140 units). The 1C warehouse holds 150, so the urgent
cluster gets all it needs and the planned one the rest:

>>> from datetime import date, datetime, timezone
>>> from decimal import Decimal
>>> from adolf.domain.logistic import FboStock, SupplyPolicy, allocate, needs, stock_alert_for, task_for
>>> now = datetime(2026, 3, 2, 6, tzinfo=timezone.utc)
>>> stocks = [FboStock(1, cluster, units, 0, 0, Decimal("5"), now) for cluster, units in ((10, 20), (11, 60), (12, 200))]
>>> policy = SupplyPolicy()
>>> [(n.cluster_id, n.priority.value, n.days_of_cover, n.deficit) for n in needs(stocks, policy)]
[(10, 'urgent', Decimal('4.0'), 120), (11, 'planned', Decimal('12.0'), 80)]
>>> shares = allocate(needs(stocks, policy), warehouse={1: 150})
>>> [(a.need.cluster_id, a.allocated, a.coverage.value) for a in shares]
[(10, 120, 'full'), (11, 30, 'partial')]
>>> task = task_for(shares[1], "ohana_market", date(2026, 3, 2), now)
>>> task.status.value, task.quantity, task.allocated
('new', 80, 30)
>>> [stock_alert_for(stock, policy) for stock in stocks]
[<StockAlertKind.URGENT_STOCK: 'URGENT_STOCK'>, <StockAlertKind.LOW_STOCK: 'LOW_STOCK'>, None]
"""

from adolf.domain.logistic.alerts import (
    AlertDecisions,
    StockAlertKind,
    alert_changes,
    dedupe_key,
    stock_alert_for,
    stock_alerts,
)
from adolf.domain.logistic.allocation import Allocation, Coverage, allocate, coverage_for
from adolf.domain.logistic.articles import Article, Cluster
from adolf.domain.logistic.brain_import import Anomaly, BrainImport, BrainRow, Rejected, classify, parse_quantity
from adolf.domain.logistic.deficit import Need, SupplyPriority, need_for, needs, priority_for, target_stock
from adolf.domain.logistic.errors import IllegalTransition, InvalidLogistic
from adolf.domain.logistic.freshness import StaleTable, stale_message, stale_tables
from adolf.domain.logistic.policy import SupplyPolicy
from adolf.domain.logistic.stock import FboStock, days_of_cover
from adolf.domain.logistic.supply_tasks import SupplyTask, SupplyTaskStatus, expired, task_for, transition, with_status

__all__ = [
    "AlertDecisions",
    "Allocation",
    "Anomaly",
    "Article",
    "BrainImport",
    "BrainRow",
    "Cluster",
    "Coverage",
    "FboStock",
    "IllegalTransition",
    "InvalidLogistic",
    "Need",
    "Rejected",
    "StaleTable",
    "StockAlertKind",
    "SupplyPolicy",
    "SupplyPriority",
    "SupplyTask",
    "SupplyTaskStatus",
    "alert_changes",
    "allocate",
    "classify",
    "coverage_for",
    "days_of_cover",
    "dedupe_key",
    "expired",
    "need_for",
    "needs",
    "parse_quantity",
    "priority_for",
    "stale_message",
    "stale_tables",
    "stock_alert_for",
    "stock_alerts",
    "target_stock",
    "task_for",
    "transition",
    "with_status",
]
