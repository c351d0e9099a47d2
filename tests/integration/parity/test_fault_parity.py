"""The runtime's promises under faults, the same on inline, Celery and RQ: a job whose
worker died holding its lock runs to completion, a refused request is final at once, a
transient failure is retried past a policy that never retries, an alert is raised once."""

from __future__ import annotations

import time
import uuid

import pytest

from adolf.application.ports.tasks import TaskState
from tests.integration.parity.harness import BackendHarness, wait_for
from tests.support.parity_tasks import evidence

TRANSIENT_DELAY = 1.0  # ADOLF_TRANSIENT_RETRY_DELAY of the parity workers (conftest)


def _attempts(key: str) -> list[float]:
    return [float(t) for t in evidence().lrange(f"parity:attempts:{key}", 0, -1)]


def _alerts(harness: BackendHarness, type_: str, key: str) -> list:
    with harness.container.uow() as uow:
        return [a for a in uow.alerts.recent(limit=500, module="parity") if a.type == type_ and a.message == key]


@pytest.mark.slow
@pytest.mark.parametrize("harness", ["celery", "rq"], indirect=True)  # inline has no worker process to kill
def test_a_job_killed_holding_its_lock_runs_again_to_completion_not_skipped(harness: BackendHarness) -> None:
    harness.start()
    key = uuid.uuid4().hex
    task_id = harness.queue.enqueue("parity.locked_effect", {"key": key, "seconds": 4})
    deadline = time.monotonic() + 20
    while not _attempts(key) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _attempts(key), "the job never started"
    harness.kill_worker()
    killed_at = time.monotonic()
    harness.start()

    status = wait_for(harness.queue, task_id, timeout=90)

    assert status.state is TaskState.SUCCEEDED, status
    assert status.result == {"done": key}  # ran, not {"skipped": "lock_not_acquired"}
    assert len(_attempts(key)) >= 2
    assert len(_alerts(harness, "locked_effect", key)) == 1
    assert time.monotonic() - killed_at < 80


@pytest.mark.slow
def test_a_refused_request_is_dead_lettered_at_the_first_attempt(harness: BackendHarness) -> None:
    harness.start()
    key = uuid.uuid4().hex
    task_id = harness.queue.enqueue("parity.rejected", {"key": key})

    status = wait_for(harness.queue, task_id, timeout=30)

    assert status.state is TaskState.FAILED, status
    assert len(_attempts(key)) == 1
    with harness.container.uow() as uow:
        [letter] = [d for d in uow.dead_letters.list(limit=500) if d.task_id == task_id]
    assert letter.attempts == 1 and letter.exception.startswith("MarketplaceRejected")


@pytest.mark.slow
def test_a_transient_failure_is_retried_past_a_policy_that_never_retries(harness: BackendHarness) -> None:
    harness.start()
    key = uuid.uuid4().hex
    task_id = harness.queue.enqueue("parity.unreachable", {"key": key, "failures": 1})

    status = wait_for(harness.queue, task_id, timeout=30)

    assert status.state is TaskState.SUCCEEDED, status
    times = _attempts(key)
    assert len(times) == 2
    assert times[1] - times[0] >= TRANSIENT_DELAY * (1 - 0.2) - 0.05  # the transient floor's first delay


@pytest.mark.slow
def test_the_same_alerting_job_delivered_twice_adds_one_alert_row(harness: BackendHarness) -> None:
    harness.start()
    key = uuid.uuid4().hex
    first = harness.queue.enqueue("parity.keyed_alert", {"key": key})
    second = harness.queue.enqueue("parity.keyed_alert", {"key": key})

    results = [wait_for(harness.queue, task_id, timeout=30) for task_id in (first, second)]

    assert [r.state for r in results] == [TaskState.SUCCEEDED, TaskState.SUCCEEDED]
    assert sorted(r.result["added"] for r in results) == [False, True]
    with harness.container.uow() as uow:
        rows = [a for a in uow.alerts.recent(limit=500, module="parity") if a.type == "keyed" and a.message == key]
    assert len(rows) == 1
