"""Logistic's 10 tasks as SPEC §3 lists them: names, queues, Moscow schedules, retries, the
seed's limits, locks, the manual allow-list; and that the deployment's catalogue carries them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adolf.application.catalogue import WorkerProfile
from adolf.application.logistic.catalogue import LOGISTIC_CATALOGUE
from adolf.application.payload import validate_payload
from adolf.application.ports.ads_marketplace import MarketplaceError
from adolf.application.tasks_catalogue import build_catalogue

#: task → (queue, cron, retries, retry delay)
SPEC = {
    "sync_ozon_stocks": ("sync", "*/30 * * * *", 3, 120),
    "sync_ozon_analytics": ("sync", "0 5 * * *", 2, 600),
    "sync_ozon_warehouses": ("sync", "0 2 * * 1", 2, 300),
    "sync_brain_stocks": ("brain", "30 6 * * *", 2, 300),
    "check_brain_freshness": ("brain", "0 8 * * *", 0, 0),
    "cleanup_stock_history": ("brain", "0 3 1 * *", 0, 0),
    "generate_supply_tasks": ("logic", "0 7 * * *", 1, 300),
    "auto_cancel_expired": ("logic", "0 */6 * * *", 0, 0),
    "generate_alerts": ("logic", "*/30 * * * *", 0, 0),
    "cleanup_old_data": ("logic", "0 4 * * 0", 0, 0),
}


def test_the_catalogue_has_the_10_tasks_of_the_spec_in_its_order() -> None:
    assert [spec.name for spec in LOGISTIC_CATALOGUE] == [f"logistic.{task}" for task in SPEC]


@pytest.mark.parametrize("task", SPEC)
def test_each_task_runs_on_its_queue_schedule_retry_policy_and_the_seeds_limits(task: str) -> None:
    queue, cron, retries, delay = SPEC[task]
    spec = LOGISTIC_CATALOGUE.get(f"logistic.{task}")

    assert spec.queue == f"logistic.{queue}"
    assert spec.schedule is not None and spec.schedule.cron == cron
    assert (spec.retry.max_retries, spec.retry.delay) == (retries, delay)
    assert (spec.soft_time_limit, spec.time_limit) == (240, 300)
    assert spec.idempotent and spec.description


def test_the_ozon_jobs_retry_on_a_marketplace_failure() -> None:
    for task in ("sync_ozon_stocks", "sync_ozon_analytics", "sync_ozon_warehouses"):
        assert LOGISTIC_CATALOGUE.get(f"logistic.{task}").retry.retries(MarketplaceError("503"))


def test_periodic_jobs_lock_except_the_analytics_chain() -> None:
    locked = {spec.name.split(".")[1]: spec.lock for spec in LOGISTIC_CATALOGUE if spec.lock}
    assert locked == {task: f"logistic:lock:{task}" for task in SPEC if task != "sync_ozon_analytics"}


def test_every_task_but_cleanup_stock_history_may_be_run_by_hand() -> None:
    by_hand = {spec.name for spec in LOGISTIC_CATALOGUE if spec.manual}
    assert by_hand == {f"logistic.{task}" for task in SPEC} - {"logistic.cleanup_stock_history"}


def test_the_other_modules_tasks_stay_runnable_by_hand() -> None:
    # Reputation keeps its own allow-list (tests/unit/application/reputation/test_catalogue.py).
    assert all(spec.manual for spec in build_catalogue() if spec.module not in ("logistic", "reputation"))


def test_the_deployments_catalogue_carries_logistic_with_its_queues_and_profile() -> None:
    catalogue = build_catalogue()

    assert len([spec for spec in catalogue if spec.module == "logistic"]) == 10
    assert {"logistic.sync", "logistic.brain", "logistic.logic"} <= set(catalogue.queues())
    assert catalogue.profile("logistic") == WorkerProfile(prefetch=4, max_tasks_per_child=1000)


@pytest.mark.parametrize(
    ("task", "payload"),
    [
        ("logistic.sync_ozon_stocks", {"brand": "acme"}),
        ("logistic.sync_ozon_analytics", {"offset": 1000, "window_end": "2024-05-09", "partial": {"12": 3}}),
        ("logistic.generate_supply_tasks", {"brand": "all"}),
        ("logistic.auto_cancel_expired", {"max_age_hours": 48}),
        ("logistic.generate_alerts", {"brand": "all"}),
        ("logistic.cleanup_old_data", {"retention_days": 90}),
        ("logistic.cleanup_stock_history", {"keep_days": 90}),
    ],
)
def test_payloads_are_plain_json(task: str, payload: dict[str, object]) -> None:
    assert validate_payload(build_catalogue(), task, payload) == payload


def test_adolf_tasks_list_shows_the_10_logistic_tasks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from adolf.entrypoints.cli.app import app

    monkeypatch.setenv("ADOLF_DATABASE_URL", f"sqlite:///{tmp_path}/adolf.sqlite3")
    result = CliRunner().invoke(app, ["tasks", "list", "-m", "logistic"], env={"COLUMNS": "200"})

    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if re.search(r"\blogistic\.(sync|brain|logic)\b", line)]
    assert len(rows) == 10  # one row per task: its queue cell
    assert {task for task in SPEC if f"logistic.{task}" in result.output} == set(SPEC)
    assert "watcher." not in result.output and "marketing." not in result.output
