"""Marketing's tasks (SPEC §3 Marketing; seed 001 §7): schedules in Moscow time, queues
``marketing_high|default|low``, retries and limits as the seed sets them."""

from __future__ import annotations

from adolf.application.catalogue import Catalogue, RetryPolicy, Schedule, TaskSpec, WorkerProfile
from adolf.application.marketing import (
    alerting,
    analytics,
    api_health,
    bid_cycle,
    bids,
    budgets,
    report,
    stats,
    sync,
)
from adolf.application.ports.ads_marketplace import MarketplaceError

HIGH, DEFAULT, LOW = "marketing_high", "marketing_default", "marketing_low"
RETRY_ON = (MarketplaceError, TimeoutError, ConnectionError)
SOFT, HARD = 300, 600  # module defaults (seed: soft 300 s, hard 600 s)


def _retry(count: int, delay: float, backoff: bool = False) -> RetryPolicy:
    return RetryPolicy(
        max_retries=count,
        delay=delay,
        backoff=backoff,
        jitter=0.2 if backoff else 0.0,
        max_delay=600,
        retry_on=RETRY_ON,
    )


def _collect(mp: str, minutes: str) -> TaskSpec:
    return TaskSpec(
        f"marketing.collect_stats_{mp}",
        stats.collect_stats,
        DEFAULT,
        Schedule(f"{minutes} * * * *"),
        retry=_retry(3, 60, backoff=True),
        soft_time_limit=SOFT,
        time_limit=HARD,
        priority=5,
        scheduled_payload={"mp": mp},
        idempotent=True,
        description=f"Campaign and keyword stats snapshots of {mp}.",
    )


MARKETING_CATALOGUE = Catalogue(
    [
        TaskSpec(
            "marketing.run_bid_cycle",
            bid_cycle.run_bid_cycle,
            HIGH,
            Schedule("7,22,37,52 * * * *"),
            retry=_retry(2, 60),
            soft_time_limit=240,
            time_limit=300,
            priority=1,
            lock="marketing:lock:bid_cycle",
            idempotent=True,
            description="Safety checks, then each campaign planned (bids, pauses, alerts, its binding constraint).",
        ),
        _collect("wb", "0,15,30,45"),
        _collect("ozon", "5,20,35,50"),
        _collect("ym", "10,25,40,55"),
        TaskSpec(
            "marketing.check_budgets",
            budgets.check_budgets,
            HIGH,
            Schedule("3,18,33,48 * * * *"),
            retry=_retry(2, 30),
            soft_time_limit=SOFT,
            time_limit=HARD,
            priority=1,
            lock="marketing:lock:budgets",
            idempotent=True,
            description="Pause at the daily limit, warn at 80 %.",
        ),
        TaskSpec(
            "marketing.sync_campaigns",
            sync.sync_campaigns,
            DEFAULT,
            Schedule("0 * * * *"),
            soft_time_limit=SOFT,
            time_limit=HARD,
            priority=5,
            idempotent=True,
            description="Campaigns and keywords from the marketplaces.",
        ),
        TaskSpec(
            "marketing.check_api_health",
            api_health.check_api_health,
            HIGH,
            Schedule("*/5 * * * *"),
            soft_time_limit=60,
            time_limit=120,
            priority=1,
            idempotent=True,
            description="Ping each marketplace: ok / slow / error.",
        ),
        TaskSpec(
            "marketing.calculate_analytics",
            analytics.calculate_analytics,
            LOW,
            Schedule("0 1 * * *"),
            soft_time_limit=600,
            time_limit=900,
            priority=8,
            idempotent=False,
            description="Anomalies, trends and recommendations.",
        ),
        TaskSpec(
            "marketing.aggregate_daily_stats",
            stats.aggregate_daily_stats,
            LOW,
            Schedule("30 0 * * *"),
            soft_time_limit=SOFT,
            time_limit=HARD,
            priority=8,
            idempotent=True,
            description="Yesterday's whole-day totals from the marketplaces into daily rows (campaigns and keywords).",
        ),
        TaskSpec(
            "marketing.aggregate_monthly_stats",
            stats.aggregate_monthly_stats,
            LOW,
            Schedule("0 2 1 * *"),
            soft_time_limit=SOFT,
            time_limit=HARD,
            priority=8,
            idempotent=True,
            description="The previous month into monthly rows.",
        ),
        TaskSpec(
            "marketing.cleanup_old_stats",
            stats.cleanup_old_stats,
            LOW,
            Schedule("0 3 * * *"),
            soft_time_limit=SOFT,
            time_limit=HARD,
            priority=8,
            idempotent=True,
            description="Retention: snapshots 30 d, keyword daily rows 90 d, bid history 12 months, alerts 6 months, daily 24 months.",
        ),
        TaskSpec(
            "marketing.apply_bid_change",
            bids.apply_bid_change,
            HIGH,
            retry=_retry(3, 30, backoff=True),
            soft_time_limit=60,
            time_limit=120,
            priority=1,
            idempotent=True,
            description="One bid change, idempotent on its key.",
        ),
        TaskSpec(
            "marketing.generate_report",
            report.generate_report,
            LOW,
            soft_time_limit=SOFT,
            time_limit=HARD,
            priority=8,
            idempotent=True,
            description="Campaign report for a period, with each target campaign against its target.",
        ),
        TaskSpec(
            "marketing.send_alert",
            alerting.send_alert,
            HIGH,
            retry=_retry(3, 10),
            soft_time_limit=60,
            time_limit=120,
            priority=1,
            idempotent=True,  # one row per alert key (a unique constraint), notified once
            description="Alert row and notifications.",
        ),
    ],
    profiles={"marketing": WorkerProfile(prefetch=2, max_tasks_per_child=500)},
)
