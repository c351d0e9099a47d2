"""The runtime's promises, checked the same way on inline, Celery and RQ."""

from __future__ import annotations

import itertools
import threading
import time
import uuid

import pytest

from adolf.application.payload import InvalidPayload
from adolf.application.ports.tasks import TaskState
from tests.integration.parity.harness import BackendHarness, wait_for
from tests.support.parity_tasks import evidence


def _attempt_times(key: str) -> list[float]:
    return [float(t) for t in evidence().lrange(f"parity:attempts:{key}", 0, -1)]


def _dead_letters(harness: BackendHarness, task_id: str) -> list:
    with harness.container.uow() as uow:
        return [d for d in uow.dead_letters.list(limit=500) if d.task_id == task_id]


def _critical_alerts(harness: BackendHarness, task_id: str) -> list:
    with harness.container.uow() as uow:
        return [
            a
            for a in uow.alerts.recent(limit=500, module="system")
            if a.severity == "critical" and a.details.get("task_id") == task_id
        ]


@pytest.mark.slow
def test_payload_round_trips_and_the_result_is_found_by_id(harness: BackendHarness) -> None:
    harness.start()
    payload = {"value": {"text": "привет", "n": 3, "nested": [1, 2, {"ok": True}]}}
    task_id = harness.queue.enqueue("parity.echo", payload)
    status = wait_for(harness.queue, task_id)
    assert status.state is TaskState.SUCCEEDED
    assert status.result == {"echo": payload["value"]}
    assert status.task_id == task_id


@pytest.mark.slow
def test_a_task_failing_twice_is_retried_with_the_policy_delays_then_succeeds(harness: BackendHarness) -> None:
    harness.start()
    key = uuid.uuid4().hex
    task_id = harness.queue.enqueue("parity.flaky", {"key": key, "failures": 2})
    status = wait_for(harness.queue, task_id, timeout=40)
    assert status.state is TaskState.SUCCEEDED, status
    times = _attempt_times(key)
    assert len(times) == 3
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # policy: 1 s, then 2 s (exponential, no jitter); brokers poll, so allow lateness, never earliness
    for gap, expected in zip(gaps, [1.0, 2.0], strict=True):
        assert expected * 0.9 <= gap <= expected + 3.0, gaps
    assert _dead_letters(harness, task_id) == []


@pytest.mark.slow
def test_retries_exhausted_leave_one_dead_letter_and_one_critical_alert(harness: BackendHarness) -> None:
    harness.start()
    key = uuid.uuid4().hex
    task_id = harness.queue.enqueue("parity.always_fails", {"key": key})
    status = wait_for(harness.queue, task_id, timeout=40)
    assert status.state is TaskState.FAILED
    time.sleep(0.5)  # nothing more may arrive after the final failure
    assert len(_attempt_times(key)) == 3  # the first run and two retries
    letters = _dead_letters(harness, task_id)
    assert len(letters) == 1
    assert letters[0].task_name == "parity.always_fails"
    assert letters[0].payload == {"key": key}
    assert "always fails" in letters[0].exception
    assert "Traceback" in letters[0].traceback or harness.name == "celery"
    assert len(_critical_alerts(harness, task_id)) == 1


@pytest.mark.slow
def test_an_invalid_payload_is_refused_at_enqueue_naming_the_field(harness: BackendHarness) -> None:
    # (A payload that turns invalid after it was queued is dead-lettered at once by the shared
    # runner: tests/unit/application/test_runtime.py.)
    harness.start()
    for bad in ({"count": "many"}, {"count": 2**63}, {"count": float("nan")}):
        with pytest.raises(InvalidPayload, match=r"^parity\.typed: "):
            harness.queue.enqueue("parity.typed", bad)
    task_id = harness.queue.enqueue("parity.typed", {"count": 3})
    assert wait_for(harness.queue, task_id).state is TaskState.SUCCEEDED
    with harness.container.uow() as uow:
        assert [d for d in uow.dead_letters.list(limit=500) if d.task_name == "parity.typed"] == []


@pytest.mark.slow
def test_the_hard_time_limit_stops_the_job_and_records_it_failed(harness: BackendHarness) -> None:
    harness.start()
    key = uuid.uuid4().hex
    started = time.monotonic()
    task_id = harness.queue.enqueue("parity.sleeper", {"key": key, "seconds": 30})
    status = wait_for(harness.queue, task_id, timeout=25)
    assert status.state is TaskState.FAILED, status
    assert time.monotonic() - started < 20
    assert not evidence().exists(f"parity:finished:{key}")
    assert len(_dead_letters(harness, task_id)) == 1


@pytest.mark.slow
@pytest.mark.parametrize("harness", ["celery", "rq"], indirect=True)  # inline has no worker process to kill
def test_a_worker_killed_mid_job_runs_it_again_and_the_effect_happens_once(harness: BackendHarness) -> None:
    harness.start()
    key = uuid.uuid4().hex
    task_id = harness.queue.enqueue("parity.effect", {"key": key, "seconds": 4})
    deadline = time.monotonic() + 20
    while not _attempt_times(key) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _attempt_times(key), "the job never started"
    harness.kill_worker()
    harness.start()
    status = wait_for(harness.queue, task_id, timeout=60)
    assert status.state is TaskState.SUCCEEDED, status
    assert len(_attempt_times(key)) >= 2
    with harness.container.uow() as uow:
        effects = [a for a in uow.alerts.recent(limit=500, module="parity") if a.message == key]
    assert len(effects) == 1


@pytest.mark.slow
def test_ten_concurrent_triggers_of_a_locked_job_run_it_once(harness: BackendHarness) -> None:
    harness.start(workers=4)
    key = uuid.uuid4().hex
    ids: list[str] = []
    guard = threading.Lock()

    def trigger() -> None:
        task_id = harness.queue.enqueue("parity.locked", {"key": key, "seconds": 3})
        with guard:
            ids.append(task_id)

    threads = [threading.Thread(target=trigger) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = [wait_for(harness.queue, i, timeout=40) for i in ids]
    ran = [s for s in statuses if s.state is TaskState.SUCCEEDED]
    skipped = [s for s in statuses if s.state is TaskState.SKIPPED]
    assert len(ran) == 1, statuses
    assert len(skipped) == 9
    assert all(s.result == {"skipped": "lock_not_acquired"} for s in skipped)
    assert int(evidence().get(f"parity:runs:{key}") or 0) == 1
