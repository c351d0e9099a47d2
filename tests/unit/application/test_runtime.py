"""``TaskRunner``: payload validation, locks, retry-or-dead-letter decisions."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.application.catalogue import LOCK_TTL, Catalogue, RetryableError, RetryPolicy, TaskSpec
from adolf.application.ports.ads_marketplace import MarketplaceError, MarketplaceRejected
from adolf.application.ports.services import Services
from adolf.application.ports.tasks import TaskState
from adolf.application.runtime import LOCK_HELD_BY_LIVE_DELIVERY, LOCK_NOT_ACQUIRED, TaskRunner
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


CATALOGUE = Catalogue(
    [
        TaskSpec("test.ok", ok, "q", idempotent=True),
        TaskSpec("test.flaky", flaky, "q", retry=RetryPolicy(max_retries=2, delay=10, backoff=True)),
        TaskSpec("test.broken", broken, "q", retry=RetryPolicy(max_retries=5, delay=1)),
        TaskSpec(
            "test.market", market_down, "q", retry=RetryPolicy(max_retries=1, delay=5, retry_on=(MarketplaceError,))
        ),
        TaskSpec("test.locked", locked, "q", lock="test:lock", time_limit=30, idempotent=True),
        TaskSpec("test.once", ok, "q", idempotent=False),
    ]
)


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


def test_a_retryable_failure_is_retried_with_backoff_then_dead_lettered(
    runner: TaskRunner, services: FakeServices
) -> None:
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


def test_an_error_the_policy_does_not_retry_is_dead_lettered_at_once(
    runner: TaskRunner, services: FakeServices
) -> None:
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


def test_a_locked_task_holds_its_heartbeat_lock_for_its_job_and_releases_it(
    runner: TaskRunner, services: FakeServices
) -> None:
    outcome = runner.run("test.locked", {}, "t-7")

    assert outcome.result == "done"
    assert services.lock.acquired == [("test:lock", LOCK_TTL)]  # short: kept alive by a heartbeat
    assert services.lock.released == ["test:lock"] and services.lock.held == {}


def test_a_redelivered_job_takes_the_lock_its_dead_predecessor_left_once_it_lapses(services: FakeServices) -> None:
    """The lock names the job it was taken for: the redelivery waits for its own dead
    delivery's lock to lapse (no heartbeat keeps it) instead of skipping the job."""
    runner = TaskRunner(CATALOGUE, lambda: services, "inline", lock_ttl=0.3)
    services.lock.hold("test:lock", owner="t-9", alive=False)
    threading.Timer(0.2, lambda: services.lock.held.pop("test:lock")).start()  # the dead holder's TTL lapses

    outcome = runner.run("test.locked", {}, "t-9", redelivered=True)

    assert outcome.state is TaskState.SUCCEEDED and RAN == ["locked"]


def test_another_job_runs_once_a_dead_workers_lock_lapses_instead_of_skipping(services: FakeServices) -> None:
    runner = TaskRunner(CATALOGUE, lambda: services, "inline", lock_ttl=0.3)
    services.lock.hold("test:lock", owner="a-cycle-whose-worker-died", alive=False)
    threading.Timer(0.2, lambda: services.lock.held.pop("test:lock")).start()

    outcome = runner.run("test.locked", {}, "t-next")

    assert outcome.state is TaskState.SUCCEEDED and RAN == ["locked"]


def test_a_duplicate_delivery_gives_way_to_a_live_one_holding_the_lock(services: FakeServices) -> None:
    runner = TaskRunner(CATALOGUE, lambda: services, "inline", lock_ttl=0.2)
    services.lock.hold("test:lock", owner="t-10")  # alive: it never lapses

    outcome = runner.run("test.locked", {}, "t-10", redelivered=True)

    assert (outcome.state, outcome.result) == (TaskState.SKIPPED, {"skipped": LOCK_HELD_BY_LIVE_DELIVERY})
    assert RAN == []


def test_a_job_that_is_not_idempotent_is_dead_lettered_rather_than_run_again_after_a_death(
    runner: TaskRunner, services: FakeServices
) -> None:
    outcome = runner.run("test.once", {"n": 1}, "t-11", redelivered=True)

    assert outcome.state is TaskState.FAILED and RAN == []
    [letter] = services.uow().dead_letters.items
    assert letter.exception.startswith("WorkerLost: test.once is not idempotent")
    assert runner.run("test.ok", {"n": 1}, "t-12", redelivered=True).state is TaskState.SUCCEEDED


@pytest.mark.parametrize("error", [MarketplaceRejected("400: bid below minimum"), PermissionError("401")])
def test_a_permanent_failure_is_dead_lettered_at_the_first_attempt_whatever_the_policy(
    services: FakeServices, error: Exception
) -> None:
    def refused(services: Services) -> None:
        raise error

    spec = TaskSpec("test.refused", refused, "q", retry=RetryPolicy(max_retries=3, delay=1, retry_on=(Exception,)))
    outcome = TaskRunner(Catalogue([spec]), lambda: services, "inline").run("test.refused", {}, "t", attempt=1)

    assert outcome.state is TaskState.FAILED
    assert len(services.uow().dead_letters.items) == 1


class StoreDown(Exception):
    """What an adapter's classifier calls transient (a lost database connection)."""


def test_a_transient_failure_of_an_idempotent_task_is_retried_past_a_policy_that_never_retries(
    services: FakeServices,
) -> None:
    def down(services: Services) -> None:
        raise StoreDown("connection refused")

    specs = [TaskSpec("test.down", down, "q", idempotent=True), TaskSpec("test.down_once", down, "q")]
    runner = TaskRunner(Catalogue(specs), lambda: services, "inline", transient=lambda e: isinstance(e, StoreDown))

    delays = [runner.run("test.down", {}, "t", attempt=n).retry_in for n in (1, 2, 3)]
    assert all(d is not None for d in delays) and sorted(delays) == delays  # type: ignore[type-var]
    assert sum(d or 0 for d in delays) >= 60  # outlasts a minute's outage
    assert runner.run("test.down", {}, "t", attempt=4).state is TaskState.FAILED
    assert runner.run("test.down_once", {}, "u", attempt=1).state is TaskState.FAILED  # at most once


class ListSpool:
    def __init__(self) -> None:
        self.letters: list[Any] = []

    def push(self, letter: Any) -> None:
        self.letters.append(letter)

    def peek(self, limit: int = 50) -> list[Any]:
        return self.letters[:limit]

    def drop(self, count: int = 1) -> None:
        del self.letters[:count]


def test_a_dead_letter_the_database_cannot_take_is_spooled_and_written_when_it_is_back(
    services: FakeServices,
) -> None:
    spool = ListSpool()
    runner = TaskRunner(CATALOGUE, lambda: services, "inline", spool=lambda: spool)
    store = services.uow().dead_letters
    real_add = store.add

    def unreachable(letter: Any) -> int:
        raise StoreDown("the database is unreachable")

    store.add = unreachable  # type: ignore[method-assign]
    outcome = runner.run("test.broken", {}, "t-13", attempt=6)

    assert outcome.state is TaskState.FAILED and [letter.task_id for letter in spool.letters] == ["t-13"]
    with pytest.raises(StoreDown):
        runner.flush_spool()
    assert len(spool.letters) == 1  # still the database's to take

    store.add = real_add  # type: ignore[method-assign]
    assert runner.flush_spool() == 1 and spool.letters == []
    [letter] = services.uow().dead_letters.items
    assert letter.task_id == "t-13" and letter.attempts == 6
    assert [a.type for a in services.uow().alerts.items] == ["task_dead_lettered"]


def test_a_dead_letter_keeps_no_secret_the_redactor_knows(services: FakeServices) -> None:
    runner = TaskRunner(CATALOGUE, lambda: services, "inline", redact=lambda t: t.replace("s3cr3t", "***"))

    runner.run("test.ok", {"n": "s3cr3t"}, "t-14")

    [letter] = services.uow().dead_letters.items
    assert "s3cr3t" not in letter.exception + letter.traceback + str(letter.payload)


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
