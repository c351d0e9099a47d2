"""``TaskRunner``: payload validation, locks, retry-or-dead-letter decisions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.application.catalogue import Catalogue, RetryableError, RetryPolicy, TaskSpec
from adolf.application.ports.ads_marketplace import MarketplaceError
from adolf.application.ports.services import Services
from adolf.application.ports.tasks import TaskState
from adolf.application.runtime import LOCK_NOT_ACQUIRED, TaskRunner
from tests.support.fakes import FakeServices

RAN: list[str] = []


def ok(services: Services, n: int, label: str = "") -> dict[str, Any]:
    RAN.append("ok")
    return {"n": n, "label": label}


def flaky(services: Services) -> None:
    RAN.append("flaky")
    raise RetryableError("the marketplace timed out")


def broken(services: Services) -> None:
    RAN.append("broken")
    raise ValueError("a bug")


def market_down(services: Services) -> None:
    raise MarketplaceError("503")


def locked(services: Services, fail: bool = False) -> str:
    RAN.append("locked")
    if fail:
        raise RetryableError("mid-run failure")
    return "done"


CATALOGUE = Catalogue([
    TaskSpec("test.ok", ok, "q"),
    TaskSpec("test.flaky", flaky, "q", retry=RetryPolicy(max_retries=2, delay=10, backoff=True)),
    TaskSpec("test.broken", broken, "q", retry=RetryPolicy(max_retries=5, delay=1)),
    TaskSpec("test.market", market_down, "q", retry=RetryPolicy(max_retries=1, delay=5, retry_on=(MarketplaceError,))),
    TaskSpec("test.locked", locked, "q", lock="test:lock", time_limit=30),
])


@pytest.fixture(autouse=True)
def _clear_runs() -> None:
    RAN.clear()


@pytest.fixture
def runner(services: FakeServices) -> TaskRunner:
    return TaskRunner(CATALOGUE, lambda: services, runtime="inline")


def test_a_successful_run_returns_its_result(runner: TaskRunner, services: FakeServices) -> None:
    outcome = runner.run("test.ok", {"n": 3}, "t-1")

    assert (outcome.state, outcome.result) == (TaskState.SUCCEEDED, {"n": 3, "label": ""})
    assert services.uow().dead_letters.items == []


def test_a_retryable_failure_is_retried_with_backoff_then_dead_lettered(runner: TaskRunner, services: FakeServices) -> None:
    first = runner.run("test.flaky", {}, "t-2", attempt=1)
    second = runner.run("test.flaky", {}, "t-2", attempt=2)

    assert (first.state, first.retry_in) == (TaskState.RETRYING, 10.0)
    assert (second.state, second.retry_in) == (TaskState.RETRYING, 20.0)
    assert services.uow().dead_letters.items == []

    last = runner.run("test.flaky", {}, "t-2", attempt=3)

    assert last.state is TaskState.FAILED and last.error == "RetryableError: the marketplace timed out"
    [letter] = services.uow().dead_letters.items
    assert (letter.task_id, letter.task_name, letter.attempts, letter.runtime) == ("t-2", "test.flaky", 3, "inline")
    assert letter.exception == "RetryableError: the marketplace timed out" and "RetryableError" in letter.traceback
    assert letter.failed_at == services.clock.now()
    [alert] = services.uow().alerts.items
    assert (alert.module, alert.type, alert.severity) == ("system", "task_dead_lettered", "critical")
    assert alert.details == {"task_id": "t-2", "dead_letter_id": str(letter.id)}
    assert services.uow().committed and RAN == ["flaky"] * 3


def test_an_error_the_policy_does_not_retry_is_dead_lettered_at_once(runner: TaskRunner, services: FakeServices) -> None:
    outcome = runner.run("test.broken", {}, "t-3", attempt=1)

    assert outcome.state is TaskState.FAILED and isinstance(outcome.exception, ValueError)
    assert [d.attempts for d in services.uow().dead_letters.items] == [1]


def test_a_task_retries_the_errors_its_policy_names(runner: TaskRunner) -> None:
    assert runner.run("test.market", {}, "t-4", attempt=1).state is TaskState.RETRYING
    assert runner.run("test.market", {}, "t-4", attempt=2).state is TaskState.FAILED


@pytest.mark.parametrize("payload", [{"n": "three"}, {"n": 1, "extra": True}, {}, ["n", 1]])
def test_an_invalid_payload_is_dead_lettered_at_once_without_running(
    runner: TaskRunner, services: FakeServices, payload: Any
) -> None:
    outcome = runner.run("test.ok", payload, "t-5", attempt=1)

    assert outcome.state is TaskState.FAILED and outcome.retry_in is None
    assert outcome.error is not None and outcome.error.startswith("test.ok: ")
    [letter] = services.uow().dead_letters.items
    assert letter.attempts == 1 and letter.exception.startswith("InvalidPayload: test.ok: ")
    assert RAN == []


def test_a_locked_task_is_skipped_while_someone_else_holds_its_lock(runner: TaskRunner, services: FakeServices) -> None:
    services.lock.hold("test:lock")

    outcome = runner.run("test.locked", {}, "t-6")

    assert (outcome.state, outcome.result) == (TaskState.SKIPPED, {"skipped": LOCK_NOT_ACQUIRED})
    assert RAN == [] and services.lock.refused == ["test:lock"]
    assert services.uow().dead_letters.items == []


def test_a_locked_task_holds_its_lock_above_its_hard_limit_and_releases_it(runner: TaskRunner, services: FakeServices) -> None:
    outcome = runner.run("test.locked", {}, "t-7")

    assert outcome.result == "done"
    assert services.lock.acquired == [("test:lock", 90)]  # time_limit 30 + 60
    assert services.lock.released == ["test:lock"] and services.lock.held == {}


def test_a_locked_task_that_fails_still_releases_its_lock(runner: TaskRunner, services: FakeServices) -> None:
    outcome = runner.run("test.locked", {"fail": True}, "t-8", attempt=1)

    assert outcome.state is TaskState.FAILED  # the default policy retries nothing
    assert services.lock.held == {} and len(services.uow().dead_letters.items) == 1


@settings(max_examples=60, deadline=None)
@given(max_retries=st.integers(0, 5), attempt=st.integers(1, 8), retryable=st.booleans())
def test_a_failure_is_retried_exactly_while_attempts_remain_and_the_error_is_retryable(
    max_retries: int, attempt: int, retryable: bool
) -> None:
    def handler(services: Services) -> None:
        raise (RetryableError if retryable else KeyError)("x")

    services = FakeServices()
    spec = TaskSpec("test.p", handler, "q", retry=RetryPolicy(max_retries=max_retries, delay=1))
    outcome = TaskRunner(Catalogue([spec]), lambda: services, "inline").run("test.p", {}, "t", attempt=attempt)

    should_retry = retryable and attempt <= max_retries
    assert outcome.state is (TaskState.RETRYING if should_retry else TaskState.FAILED)
    assert len(services.uow().dead_letters.items) == (0 if should_retry else 1)
