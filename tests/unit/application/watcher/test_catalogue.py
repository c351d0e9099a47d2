"""Watcher's 18 tasks as SPEC §3 lists them: names, queues, Moscow schedules, retries,
limits, locks; and that the deployment's catalogue (every runtime's) carries them."""

from __future__ import annotations

import pytest

from adolf.application.catalogue import WorkerProfile
from adolf.application.payload import validate_payload
from adolf.application.tasks_catalogue import build_catalogue
from adolf.application.watcher.catalogue import WATCHER_CATALOGUE

#: task → (queue, cron or None, retries, retry delay)
SPEC = {
    "generate_daily_tasks": ("default", "30 20 * * *", 3, 300),
    "regenerate_failed_tasks": ("default", None, 0, 0),
    "check_alerts": ("default", "*/15 * * * *", 2, 60),
    "send_alert_notification": ("critical", None, 3, 30),
    "process_dumping_alert": ("default", None, 0, 0),
    "sync_agent_status": ("critical", "* * * * *", 1, 15),
    "redistribute_agent_tasks": ("critical", None, 0, 0),
    "handle_panic_mode": ("critical", None, 0, 0),
    "check_cookies_validity": ("critical", "30 19 * * *", 0, 0),
    "cleanup_old_tasks": ("default", "0 3 * * *", 2, 300),
    "cleanup_old_logs": ("default", "30 3 * * *", 2, 300),
    "cleanup_resolved_alerts": ("default", "45 3 * * 0", 0, 0),
    "cleanup_redis_keys": ("default", "50 3 * * *", 0, 0),
    "calculate_priorities": ("heavy", "0 4 * * *", 2, 300),
    "generate_daily_stats": ("default", "0 8 * * *", 0, 0),
    "generate_weekly_report": ("default", "0 9 * * 1", 0, 0),
    "health_check": ("default", None, 0, 0),
    "office_heartbeat": ("default", "* * * * *", 0, 0),
}


def test_the_catalogue_has_the_18_tasks_of_the_spec_in_its_order() -> None:
    assert [spec.name for spec in WATCHER_CATALOGUE] == [f"watcher.{task}" for task in SPEC]


@pytest.mark.parametrize("task", SPEC)
def test_each_task_runs_on_its_queue_schedule_and_retry_policy(task: str) -> None:
    queue, cron, retries, delay = SPEC[task]
    spec = WATCHER_CATALOGUE.get(f"watcher.{task}")

    assert spec.queue == f"watcher.{queue}"
    assert (spec.schedule.cron if spec.schedule else None) == cron
    assert (spec.retry.max_retries, spec.retry.delay) == (retries, delay)
    assert spec.idempotent
    assert spec.description
    assert spec.soft_time_limit and spec.time_limit and spec.soft_time_limit < spec.time_limit


def test_calculate_priorities_has_the_seeds_limits() -> None:
    spec = WATCHER_CATALOGUE.get("watcher.calculate_priorities")

    assert (spec.soft_time_limit, spec.time_limit) == (1800, 2100)


def test_periodic_jobs_run_within_their_period() -> None:
    every_minute = [s for s in WATCHER_CATALOGUE if s.schedule and s.schedule.cron == "* * * * *"]
    assert {s.name for s in every_minute} == {"watcher.sync_agent_status", "watcher.office_heartbeat"}
    assert all(s.time_limit is not None and s.time_limit < 60 for s in every_minute)
    check_alerts = WATCHER_CATALOGUE.get("watcher.check_alerts")
    assert check_alerts.time_limit is not None and check_alerts.time_limit < 15 * 60


def test_periodic_jobs_that_must_not_overlap_take_a_lock_and_event_jobs_never_do() -> None:
    locked = {spec.name.split(".")[1]: spec.lock for spec in WATCHER_CATALOGUE if spec.lock}
    assert locked == {
        task: f"watcher:lock:{task}"
        for task in (
            "generate_daily_tasks",
            "check_alerts",
            "sync_agent_status",
            "check_cookies_validity",
            "cleanup_old_tasks",
            "cleanup_old_logs",
            "cleanup_resolved_alerts",
            "cleanup_redis_keys",
            "calculate_priorities",
        )
    }
    assert all(spec.schedule is not None for spec in WATCHER_CATALOGUE if spec.lock)


def test_the_worker_profile_is_the_seeds() -> None:
    assert WATCHER_CATALOGUE.profile("watcher") == WorkerProfile(prefetch=4, max_tasks_per_child=1000)


def test_the_deployments_catalogue_carries_watcher_with_its_queues_and_profile() -> None:
    catalogue = build_catalogue()

    assert len([spec for spec in catalogue if spec.module == "watcher"]) == 18
    assert {"watcher.default", "watcher.critical", "watcher.heavy"} <= set(catalogue.queues())
    assert catalogue.profile("watcher").prefetch == 4


@pytest.mark.parametrize(
    ("task", "payload"),
    [
        ("watcher.regenerate_failed_tasks", {"date": "2024-05-10"}),
        ("watcher.send_alert_notification", {"alert_id": 7}),
        ("watcher.process_dumping_alert", {"alert_id": 7}),
        ("watcher.redistribute_agent_tasks", {"agent_id": "agent-1"}),
        ("watcher.handle_panic_mode", {"agent_id": "agent-1", "reason": "captcha", "details": {"ip": "10.0.0.1"}}),
        ("watcher.cleanup_old_tasks", {"days": 90}),
        ("watcher.generate_daily_stats", {"date": "2024-05-09"}),
    ],
)
def test_event_and_manual_payloads_are_plain_json(task: str, payload: dict[str, object]) -> None:
    assert validate_payload(build_catalogue(), task, payload) == payload
