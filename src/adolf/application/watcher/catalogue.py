"""Watcher's tasks (SPEC §3 Watcher; seed 000 §7): schedules in Moscow time, queues
``watcher.default|critical|heavy`` (the seed's default, critical, heavy), retries and limits
as the SPEC sets them.

Where the SPEC gives a retry count without a delay (``sync_agent_status`` 1, the cleanups 2,
``calculate_priorities`` 2) the seed leaves Celery's default of 180 s; the delays here fit
each job's rhythm instead: 15 s for the every-minute sweep (a retry after its next run is
pointless), 300 s for the nightly jobs. Time limits the SPEC does not give are the job's
rhythm too: the every-minute jobs end well inside their minute, ``check_alerts`` inside its
15. Periodic jobs that must not overlap take a lock; event jobs never do (a lock would make
an event skip). Every job is idempotent (outbox keys, dedupe keys, statuses checked first).
"""

from __future__ import annotations

from adolf.application.catalogue import Catalogue, RetryPolicy, Schedule, TaskSpec, WorkerProfile
from adolf.application.watcher import (
    agents_liveness,
    alerting,
    cleanup,
    dumping,
    generation,
    health,
    office,
    panic,
    priorities,
    stats,
)

DEFAULT, CRITICAL, HEAVY = "watcher.default", "watcher.critical", "watcher.heavy"
URGENT, NORMAL, LOW = 1, 5, 8


def _retry(count: int, delay: float) -> RetryPolicy:
    return RetryPolicy(max_retries=count, delay=delay)


def _lock(task: str) -> str:
    return f"watcher:lock:{task}"


WATCHER_CATALOGUE = Catalogue(
    [
        TaskSpec(
            "watcher.generate_daily_tasks",
            generation.generate_daily_tasks,
            DEFAULT,
            Schedule("30 20 * * *"),
            retry=_retry(3, 300),
            soft_time_limit=1200,
            time_limit=1500,
            priority=3,
            lock=_lock("generate_daily_tasks"),
            idempotent=True,
            description="Tonight's parsing tasks, one per active subscription, pushed once per marketplace.",
        ),
        TaskSpec(
            "watcher.regenerate_failed_tasks",
            generation.regenerate_failed_tasks,
            DEFAULT,
            soft_time_limit=300,
            time_limit=600,
            priority=NORMAL,
            idempotent=True,
            description="A date's tasks failed 3 times back to pending, counters reset, re-queued.",
        ),
        TaskSpec(
            "watcher.check_alerts",
            alerting.check_alerts,
            DEFAULT,
            Schedule("*/15 * * * *"),
            retry=_retry(2, 60),
            soft_time_limit=600,
            time_limit=780,
            priority=3,
            lock=_lock("check_alerts"),
            idempotent=True,
            description="Alert conditions on the prices of the last 20 min; a notification per new alert.",
        ),
        TaskSpec(
            "watcher.send_alert_notification",
            alerting.send_alert_notification,
            CRITICAL,
            retry=_retry(3, 30),
            soft_time_limit=60,
            time_limit=120,
            priority=URGENT,
            idempotent=True,
            description="Route an alert to its recipients (severity, brand) and notify each once.",
        ),
        TaskSpec(
            "watcher.process_dumping_alert",
            dumping.process_dumping_alert,
            DEFAULT,
            soft_time_limit=120,
            time_limit=180,
            priority=3,
            idempotent=True,
            description="Hand a dumping_detected alert to Marketing (a recommendation for its campaigns).",
        ),
        TaskSpec(
            "watcher.sync_agent_status",
            agents_liveness.sync_agent_status,
            CRITICAL,
            Schedule.every(60),
            retry=_retry(1, 15),
            soft_time_limit=45,
            time_limit=55,
            priority=URGENT,
            lock=_lock("sync_agent_status"),
            idempotent=True,
            description="Stale heartbeats offline, their tasks and expired leases back to the head of the queue.",
        ),
        TaskSpec(
            "watcher.redistribute_agent_tasks",
            agents_liveness.redistribute_agent_tasks,
            CRITICAL,
            soft_time_limit=60,
            time_limit=120,
            priority=URGENT,
            idempotent=True,
            description="An agent's in-progress tasks back to pending, at the head of their queues.",
        ),
        TaskSpec(
            "watcher.handle_panic_mode",
            panic.handle_panic_mode,
            CRITICAL,
            soft_time_limit=60,
            time_limit=120,
            priority=0,
            idempotent=True,
            description="Agent to panic, event logged, IP blocked 1 h, tasks redistributed, admins notified.",
        ),
        TaskSpec(
            "watcher.check_cookies_validity",
            agents_liveness.check_cookies_validity,
            CRITICAL,
            Schedule("30 19 * * *"),
            soft_time_limit=60,
            time_limit=120,
            priority=URGENT,
            lock=_lock("check_cookies_validity"),
            idempotent=True,
            description="Warn the admins of agents with invalid cookies (once a day).",
        ),
        TaskSpec(
            "watcher.cleanup_old_tasks",
            cleanup.cleanup_old_tasks,
            DEFAULT,
            Schedule("0 3 * * *"),
            retry=_retry(2, 300),
            soft_time_limit=1200,
            time_limit=1500,
            priority=LOW,
            lock=_lock("cleanup_old_tasks"),
            idempotent=True,
            description="Parsing tasks older than 90 days, in batches; VACUUM ANALYZE on PostgreSQL.",
        ),
        TaskSpec(
            "watcher.cleanup_old_logs",
            cleanup.cleanup_old_logs,
            DEFAULT,
            Schedule("30 3 * * *"),
            retry=_retry(2, 300),
            soft_time_limit=600,
            time_limit=900,
            priority=LOW,
            lock=_lock("cleanup_old_logs"),
            idempotent=True,
            description="Agent log events older than 30 days, in batches.",
        ),
        TaskSpec(
            "watcher.cleanup_resolved_alerts",
            cleanup.cleanup_resolved_alerts,
            DEFAULT,
            Schedule("45 3 * * 0"),
            soft_time_limit=600,
            time_limit=900,
            priority=LOW,
            lock=_lock("cleanup_resolved_alerts"),
            idempotent=True,
            description="Resolved alerts older than a year, in batches.",
        ),
        TaskSpec(
            "watcher.cleanup_redis_keys",
            cleanup.cleanup_redis_keys,
            DEFAULT,
            Schedule("50 3 * * *"),
            soft_time_limit=120,
            time_limit=180,
            priority=LOW,
            lock=_lock("cleanup_redis_keys"),
            idempotent=True,
            description="Stale stats keys and the state of agents that no longer exist.",
        ),
        TaskSpec(
            "watcher.calculate_priorities",
            priorities.calculate_priorities,
            HEAVY,
            Schedule("0 4 * * *"),
            retry=_retry(2, 300),
            soft_time_limit=1800,
            time_limit=2100,
            priority=LOW,
            lock=_lock("calculate_priorities"),
            idempotent=True,
            description="Priority score of every active competitor product, set-based.",
        ),
        TaskSpec(
            "watcher.generate_daily_stats",
            stats.generate_daily_stats,
            DEFAULT,
            Schedule("0 8 * * *"),
            soft_time_limit=300,
            time_limit=600,
            priority=LOW,
            idempotent=True,
            description="Yesterday's tasks by status and marketplace, alerts by type and severity.",
        ),
        TaskSpec(
            "watcher.generate_weekly_report",
            stats.generate_weekly_report,
            DEFAULT,
            Schedule("0 9 * * 1"),
            soft_time_limit=120,
            time_limit=180,
            priority=LOW,
            idempotent=True,
            description="The last 7 daily stats summed.",
        ),
        TaskSpec(
            "watcher.health_check",
            health.health_check,
            DEFAULT,
            soft_time_limit=20,
            time_limit=30,
            priority=NORMAL,
            idempotent=True,
            description="Database, Redis, parsing queue lengths.",
        ),
        TaskSpec(
            "watcher.office_heartbeat",
            office.office_heartbeat,
            DEFAULT,
            Schedule.every(60),
            soft_time_limit=20,
            time_limit=30,
            priority=NORMAL,
            idempotent=True,
            description="Heartbeat and metrics of the Office Dashboard's Watcher employees.",
        ),
    ],
    profiles={"watcher": WorkerProfile(prefetch=4, max_tasks_per_child=1000)},
)
