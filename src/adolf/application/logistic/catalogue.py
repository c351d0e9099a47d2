"""Logistic's tasks (SPEC §3 Logistic; seed 003 §8.3–8.5): schedules in Moscow time, the seed's
queues ``logistic.sync`` (Ozon API), ``logistic.brain`` (the 1C extract), ``logistic.logic``
(supply tasks, alerts, cleanup), retries as the SPEC sets them, and the seed's worker limits
(soft 240 s, hard 300 s: ``task_soft_time_limit`` / ``task_time_limit``).

Where the SPEC gives a retry count without a delay (``sync_ozon_warehouses`` 2,
``generate_supply_tasks`` 1) the seed leaves Celery's default of 180 s; 300 s here, as the
other daily jobs (a retry that soon after a failed morning job still lands before anyone
reads it). The Ozon jobs retry on ``MarketplaceError`` too (a timeout, a 5xx, the analytics
quota), as Marketing's do; a refused request (``MarketplaceRejected``) never.

Periodic jobs that must not overlap take a lock (``logistic:lock:{task}``) — all of them but
``sync_ozon_analytics``, whose pages chain one after another under the same name (a lock
would make a page skip and end the chain; its quota keeps two chains from racing, and its
last page replaces the velocity whole). Every job is idempotent (outbox and dedupe keys, the
tasks' unique day × article × cluster, statuses checked first), so a job whose worker died
runs again.

Run by hand (``POST /logistic/tasks/{task}/run``, admin and director): the seed's allow-list
(003 §8.9) — every task but ``cleanup_stock_history`` (``manual=False``).
"""

from __future__ import annotations

from adolf.application.catalogue import Catalogue, RetryPolicy, Schedule, TaskSpec, WorkerProfile
from adolf.application.logistic import (
    analytics_sync,
    auto_cancel,
    brain_sync,
    cleanup,
    clusters_sync,
    freshness_check,
    stock_alerts,
    stock_sync,
    supply_generation,
)
from adolf.application.ports.ads_marketplace import MarketplaceError

SYNC, BRAIN, LOGIC = "logistic.sync", "logistic.brain", "logistic.logic"
SOFT, HARD = 240, 300  # the seed's task_soft_time_limit / task_time_limit
URGENT, NORMAL, LOW = 2, 5, 8
RETRY_ON = (MarketplaceError, TimeoutError, ConnectionError)


def _retry(count: int, delay: float) -> RetryPolicy:
    return RetryPolicy(max_retries=count, delay=delay, retry_on=RETRY_ON)


def _lock(task: str) -> str:
    return f"logistic:lock:{task}"


LOGISTIC_CATALOGUE = Catalogue(
    [
        TaskSpec(
            "logistic.sync_ozon_stocks",
            stock_sync.sync_ozon_stocks,
            SYNC,
            Schedule("*/30 * * * *"),
            retry=_retry(3, 120),
            soft_time_limit=SOFT,
            time_limit=HARD,
            priority=URGENT,
            lock=_lock("sync_ozon_stocks"),
            idempotent=True,
            description="FBO stock per article × cluster from Ozon → snapshots + cache; then generate_alerts.",
        ),
        TaskSpec(
            "logistic.sync_ozon_analytics",
            analytics_sync.sync_ozon_analytics,
            SYNC,
            Schedule("0 5 * * *"),
            retry=_retry(2, 600),
            soft_time_limit=SOFT,
            time_limit=HARD,
            priority=NORMAL,
            idempotent=True,
            description="Ordered units of the last 28 days, a page a minute → each article's velocity.",
        ),
        TaskSpec(
            "logistic.sync_ozon_warehouses",
            clusters_sync.sync_ozon_warehouses,
            SYNC,
            Schedule("0 2 * * 1"),
            retry=_retry(2, 300),
            soft_time_limit=SOFT,
            time_limit=HARD,
            priority=LOW,
            lock=_lock("sync_ozon_warehouses"),
            idempotent=True,
            description="Ozon's FBO cluster list → clusters (upserted, none deleted).",
        ),
        TaskSpec(
            "logistic.sync_brain_stocks",
            brain_sync.sync_brain_stocks,
            BRAIN,
            Schedule("30 6 * * *"),
            retry=_retry(2, 300),
            soft_time_limit=SOFT,
            time_limit=HARD,
            priority=NORMAL,
            lock=_lock("sync_brain_stocks"),
            idempotent=True,
            description="1C warehouse stock from brain_stock_balance: validated applied, anomalies kept aside, "
            "unmapped codes noted.",
        ),
        TaskSpec(
            "logistic.check_brain_freshness",
            freshness_check.check_brain_freshness,
            BRAIN,
            Schedule("0 8 * * *"),
            soft_time_limit=SOFT,
            time_limit=HARD,
            priority=NORMAL,
            lock=_lock("check_brain_freshness"),
            idempotent=True,
            description="DATA_STALE (high) per brain_* table loaded more than 26 h ago, once a day.",
        ),
        TaskSpec(
            "logistic.cleanup_stock_history",
            cleanup.cleanup_stock_history,
            BRAIN,
            Schedule("0 3 1 * *"),
            soft_time_limit=SOFT,
            time_limit=HARD,
            priority=LOW,
            lock=_lock("cleanup_stock_history"),
            idempotent=True,
            description="1C warehouse history older than 90 days, in batches.",
            manual=False,
        ),
        TaskSpec(
            "logistic.generate_supply_tasks",
            supply_generation.generate_supply_tasks,
            LOGIC,
            Schedule("0 7 * * *"),
            retry=_retry(1, 300),
            soft_time_limit=SOFT,
            time_limit=HARD,
            priority=URGENT,
            lock=_lock("generate_supply_tasks"),
            idempotent=True,
            description="Deficits (SPEC 4.4) → today's supply tasks, warehouse allocated urgent first; "
            "WAREHOUSE_LOW, TASKS_GENERATED.",
        ),
        TaskSpec(
            "logistic.auto_cancel_expired",
            auto_cancel.auto_cancel_expired,
            LOGIC,
            Schedule("0 */6 * * *"),
            soft_time_limit=SOFT,
            time_limit=HARD,
            priority=NORMAL,
            lock=_lock("auto_cancel_expired"),
            idempotent=True,
            description="Supply tasks still new after 48 h → cancelled, TASK_OVERDUE (medium).",
        ),
        TaskSpec(
            "logistic.generate_alerts",
            stock_alerts.generate_alerts,
            LOGIC,
            Schedule("*/30 * * * *"),
            soft_time_limit=SOFT,
            time_limit=HARD,
            priority=URGENT,
            lock=_lock("generate_alerts"),
            idempotent=True,
            description="OUT_OF_STOCK, URGENT_STOCK, LOW_STOCK, OZON_URGENT opened; STOCK_RECOVERED when fine again.",
        ),
        TaskSpec(
            "logistic.cleanup_old_data",
            cleanup.cleanup_old_data,
            LOGIC,
            Schedule("0 4 * * 0"),
            soft_time_limit=SOFT,
            time_limit=HARD,
            priority=LOW,
            lock=_lock("cleanup_old_data"),
            idempotent=True,
            description="Snapshots, 1C history, closed alerts, shipped/cancelled tasks older than 90 days; "
            "VACUUM ANALYZE.",
        ),
    ],
    profiles={"logistic": WorkerProfile(prefetch=4, max_tasks_per_child=1000)},
)
