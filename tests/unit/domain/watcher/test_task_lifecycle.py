"""The parsing task's lifecycle: claim with a lease, complete, fail three times, release, regenerate."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.agents import Agent, AgentStatus
from adolf.domain.watcher.tasks import (
    DEFAULT_LEASE_SECONDS,
    MAX_ATTEMPTS,
    AgentCannotClaim,
    InvalidTaskTransition,
    ParsingTask,
    TaskNotHeld,
    TaskStatus,
    claim,
    complete,
    fail,
    lease_expired,
    regenerate,
    release,
)

from ..generators import PROPERTY
from .generators import T0

TASK = ParsingTask(
    id=42, subscription_id=1, competitor_product_id=7, marketplace=Marketplace.WB, scheduled_date=date(2026, 1, 12)
)
A1 = Agent("a1", "WB night 1", Marketplace.WB, "10.0.0.1", AgentStatus.ONLINE)
A2 = Agent("a2", "Any marketplace", None, "10.0.0.2", AgentStatus.ONLINE)


def test_a_claimed_task_is_in_progress_with_its_agent_and_a_lease() -> None:
    held = claim(TASK, A1, T0, lease_seconds=300)
    assert (held.status, held.agent_id, held.lease_until) == (TaskStatus.IN_PROGRESS, "a1", T0 + timedelta(seconds=300))
    assert held.started_at == T0
    assert claim(TASK, A2, T0).lease_until == T0 + timedelta(seconds=DEFAULT_LEASE_SECONDS)


def test_only_an_online_agent_of_the_tasks_marketplace_claims() -> None:
    for status in (AgentStatus.OFFLINE, AgentStatus.PANIC):
        with pytest.raises(AgentCannotClaim, match=f"status='{status.value}'"):
            claim(TASK, replace(A1, status=status), T0)
    with pytest.raises(AgentCannotClaim, match="marketplace='ozon'"):
        claim(replace(TASK, marketplace=Marketplace.OZON), A1, T0)


def test_a_task_in_progress_cannot_be_claimed_again() -> None:
    with pytest.raises(InvalidTaskTransition, match="status='in_progress'"):
        claim(claim(TASK, A1, T0), A2, T0)


@pytest.mark.parametrize("lease", [0, -5, True])
def test_a_lease_must_be_a_positive_number_of_seconds(lease: int) -> None:
    with pytest.raises(InvalidTaskTransition, match="lease_seconds"):
        claim(TASK, A1, T0, lease_seconds=lease)


def test_a_completed_task_is_done_and_remembers_who_did_it_and_when() -> None:
    done = complete(claim(TASK, A1, T0), "a1", T0 + timedelta(seconds=40))
    assert (done.status, done.agent_id, done.lease_until, done.error) == (TaskStatus.DONE, "a1", None, None)
    assert (done.started_at, done.completed_at) == (T0, T0 + timedelta(seconds=40))


def test_only_the_holder_reports_on_a_task() -> None:
    held = claim(TASK, A1, T0)
    with pytest.raises(TaskNotHeld, match="agent_id='a2'"):
        complete(held, "a2", T0)
    with pytest.raises(TaskNotHeld, match="agent_id='a2'"):
        fail(held, "a2", "timeout")
    with pytest.raises(TaskNotHeld, match="status='pending'"):
        complete(TASK, "a1", T0)


def test_a_failure_goes_back_to_pending_for_another_agent_and_the_third_is_final() -> None:
    task = TASK
    for attempt in range(1, MAX_ATTEMPTS):
        task = fail(claim(task, A1, T0), "a1", f"captcha {attempt}")
        assert (task.status, task.retry_count, task.agent_id, task.error) == (
            TaskStatus.PENDING,
            attempt,
            None,
            f"captcha {attempt}",
        )
    task = fail(claim(task, A1, T0), "a1", "captcha 3")
    assert (task.status, task.retry_count, task.agent_id) == (TaskStatus.FAILED, 3, "a1")
    assert MAX_ATTEMPTS == 3


def test_a_failure_must_say_what_went_wrong() -> None:
    with pytest.raises(InvalidTaskTransition, match="error"):
        fail(claim(TASK, A1, T0), "a1", "  ")


def test_a_released_task_is_pending_again_without_counting_a_failure() -> None:
    failed_once = fail(claim(TASK, A1, T0), "a1", "timeout")
    released = release(claim(failed_once, A2, T0))
    assert (released.status, released.retry_count, released.agent_id, released.lease_until, released.started_at) == (
        TaskStatus.PENDING,
        1,
        None,
        None,
        None,
    )
    with pytest.raises(InvalidTaskTransition, match="status='pending'"):
        release(released)


def test_regenerating_a_failed_task_resets_its_counters() -> None:
    task = TASK
    for _ in range(MAX_ATTEMPTS):
        task = fail(claim(task, A1, T0), "a1", "banned")
    assert task.started_at == T0
    fresh = regenerate(task)
    assert fresh == TASK  # pending, 0 attempts, no error, no agent, no lease, no times
    with pytest.raises(InvalidTaskTransition, match="status='pending'"):
        regenerate(fresh)


def test_a_lease_expires_at_its_end_exactly() -> None:
    held = claim(TASK, A1, T0, lease_seconds=60)
    assert not lease_expired(held, T0 + timedelta(seconds=59, microseconds=999_999))
    assert lease_expired(held, T0 + timedelta(seconds=60))
    assert not lease_expired(TASK, T0 + timedelta(days=1))  # only a held task has a lease


def test_the_holder_may_still_report_after_its_lease_expired_unless_the_task_was_released() -> None:
    held = claim(TASK, A1, T0, lease_seconds=60)
    assert complete(held, "a1", T0).status is TaskStatus.DONE
    taken_over = claim(release(held), A2, T0 + timedelta(seconds=61))
    with pytest.raises(TaskNotHeld):
        complete(taken_over, "a1", T0)


def _apply(action: str, task: ParsingTask, now: datetime) -> ParsingTask:
    if action == "claim":
        return claim(task, A1, now)
    if action == "complete":
        return complete(task, "a1", now)
    if action == "fail":
        return fail(task, "a1", "boom")
    return release(task) if action == "release" else regenerate(task)


ACTIONS = st.lists(st.sampled_from(["claim", "complete", "fail", "release", "regenerate", "expire"]), max_size=30)


@PROPERTY
@given(actions=ACTIONS)
def test_any_sequence_keeps_the_task_consistent(actions: list[str]) -> None:
    """Against a model: each action is allowed exactly from the states the diagram allows."""
    task, now = TASK, T0
    allowed_from = {
        "claim": {TaskStatus.PENDING},
        "complete": {TaskStatus.IN_PROGRESS},
        "fail": {TaskStatus.IN_PROGRESS},
        "release": {TaskStatus.IN_PROGRESS},
        "regenerate": {TaskStatus.FAILED},
    }
    for action in actions:
        now += timedelta(minutes=7)
        if action == "expire":
            assert lease_expired(task, now + timedelta(seconds=DEFAULT_LEASE_SECONDS)) == (
                task.status is TaskStatus.IN_PROGRESS
            )
            continue
        before = task
        try:
            task = _apply(action, task, now)
        except (InvalidTaskTransition, TaskNotHeld):
            assert before.status not in allowed_from[action]
            continue
        assert before.status in allowed_from[action]
        if action == "fail":
            assert task.retry_count == before.retry_count + 1
        assert 0 <= task.retry_count <= MAX_ATTEMPTS
        if action == "fail":
            # the third failure is final, an earlier one goes back to pending
            assert (task.status is TaskStatus.FAILED) == (task.retry_count == MAX_ATTEMPTS)
        if task.status is TaskStatus.PENDING:
            assert task.agent_id is None and task.lease_until is None and task.started_at is None
        if task.status is TaskStatus.IN_PROGRESS:
            assert task.agent_id == "a1" and task.lease_until == now + timedelta(seconds=DEFAULT_LEASE_SECONDS)
        if task.status is TaskStatus.FAILED:
            assert task.retry_count == MAX_ATTEMPTS
