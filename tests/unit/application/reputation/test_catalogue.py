"""Reputation's 14 tasks as SPEC §3 lists them: names, the one queue, the staggered polls,
retries, limits, locks, the manual allow-list; the deployment's catalogue carries them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adolf.application.catalogue import WorkerProfile
from adolf.application.payload import InvalidPayload, validate_payload
from adolf.application.ports.ads_marketplace import MarketplaceError, MarketplaceRejected
from adolf.application.reputation.catalogue import REPUTATION_CATALOGUE
from adolf.application.reputation.language_model import LanguageModelError
from adolf.application.tasks_catalogue import build_catalogue

POLLS = ["wb_reviews", "wb_questions", "ozon_reviews", "ozon_questions", "ym_reviews", "ym_questions"]
#: task → (schedule, offset, retries, retry delay)
SPEC = {
    **{f"poll_{poll}": ("*/5 * * * *", 50 * i, 3, 60) for i, poll in enumerate(POLLS)},
    "analyze_item": (None, 0, 3, 60),
    "generate_response": (None, 0, 3, 60),
    "regenerate_response": (None, 0, 3, 60),
    "send_response": (None, 0, 3, 300),
    "retry_failed_publish": ("0 * * * *", 0, 0, 0),
    "calculate_daily_analytics": ("0 1 * * *", 0, 0, 0),
    "archive_old_items": ("0 2 * * *", 0, 0, 0),
    "office_heartbeat": ("* * * * *", 0, 0, 0),
}
MANUAL = {f"poll_{poll}" for poll in POLLS} | {
    "retry_failed_publish",
    "calculate_daily_analytics",
    "archive_old_items",
    "regenerate_response",
}


def test_the_catalogue_has_the_14_tasks_of_the_spec_in_its_order() -> None:
    assert [spec.name for spec in REPUTATION_CATALOGUE] == [f"reputation.{task}" for task in SPEC]


@pytest.mark.parametrize("task", SPEC)
def test_each_task_runs_on_the_default_queue_with_its_schedule_and_retries(task: str) -> None:
    cron, offset, retries, delay = SPEC[task]
    spec = REPUTATION_CATALOGUE.get(f"reputation.{task}")

    assert spec.queue == "reputation.default"
    if cron is None:
        assert spec.schedule is None and spec.lock is None  # an event never skips for a lock
    else:
        assert spec.schedule is not None and (spec.schedule.cron, spec.schedule.offset) == (cron, offset)
    assert (spec.retry.max_retries, spec.retry.delay) == (retries, delay)
    assert spec.idempotent and spec.description
    assert (spec.manual) is (task in MANUAL)


def test_the_polls_are_staggered_fifty_seconds_apart_within_their_five_minutes() -> None:
    offsets = [REPUTATION_CATALOGUE.get(f"reputation.poll_{poll}").schedule.offset for poll in POLLS]  # type: ignore[union-attr]
    assert offsets == [0, 50, 100, 150, 200, 250]


def test_retries_on_marketplace_and_model_failures_never_on_a_refusal() -> None:
    for task in ("poll_wb_reviews", "analyze_item", "generate_response", "send_response"):
        policy = REPUTATION_CATALOGUE.get(f"reputation.{task}").retry
        assert policy.retries(MarketplaceError("503")) and policy.retries(LanguageModelError("timeout"))
        assert not policy.retries(MarketplaceRejected("400"))


def test_periodic_jobs_lock_but_the_heartbeat() -> None:
    locked = {spec.name.split(".")[1]: spec.lock for spec in REPUTATION_CATALOGUE if spec.lock}
    periodic = {task for task, (cron, *_) in SPEC.items() if cron is not None} - {"office_heartbeat"}
    assert locked == {task: f"reputation:lock:{task}" for task in periodic}


def test_the_seeds_worker_settings() -> None:
    assert {
        (s.soft_time_limit, s.time_limit) for s in REPUTATION_CATALOGUE if s.name != "reputation.office_heartbeat"
    } == {(300, 600)}
    catalogue = build_catalogue()
    assert len([spec for spec in catalogue if spec.module == "reputation"]) == 14
    assert "reputation.default" in catalogue.queues()
    assert catalogue.profile("reputation") == WorkerProfile(prefetch=1, max_tasks_per_child=1000)


@pytest.mark.parametrize(
    ("task", "payload"),
    [
        ("reputation.analyze_item", {"item_id": 5}),
        ("reputation.generate_response", {"item_id": 5}),
        ("reputation.regenerate_response", {"item_id": 5, "instructions": "Короче, на «вы»"}),
        ("reputation.send_response", {"item_id": 5}),
        ("reputation.calculate_daily_analytics", {"date": "2024-05-09"}),
        ("reputation.poll_wb_reviews", {}),
    ],
)
def test_payloads_are_plain_json(task: str, payload: dict[str, object]) -> None:
    assert validate_payload(build_catalogue(), task, payload) == payload


@pytest.mark.parametrize(
    ("task", "payload"),
    [
        ("reputation.send_response", {"item_id": 0}),
        ("reputation.regenerate_response", {"item_id": 5}),
        ("reputation.regenerate_response", {"item_id": 5, "instructions": ""}),
        ("reputation.poll_wb_reviews", {"brand": "x"}),
    ],
)
def test_a_bad_payload_is_refused_at_the_door(task: str, payload: dict[str, object]) -> None:
    with pytest.raises(InvalidPayload):
        validate_payload(build_catalogue(), task, payload)


def test_adolf_tasks_list_shows_the_14_reputation_tasks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from adolf.entrypoints.cli.app import app

    monkeypatch.setenv("ADOLF_DATABASE_URL", f"sqlite:///{tmp_path}/adolf.sqlite3")
    result = CliRunner().invoke(app, ["tasks", "list", "-m", "reputation"], env={"COLUMNS": "250"})

    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if re.search(r"\breputation\.default\b", line)]
    assert len(rows) == 14
    assert "+250s" in result.output and "logistic." not in result.output
