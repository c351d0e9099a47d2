"""The runtime rules shared by every queue backend: payload validation, locks, retry
decisions and dead letters. A backend (inline, Celery, RQ) delivers a message and maps the
``Outcome`` onto its own mechanics (``task.retry``, RQ's ``Retry``, the inline heap).

Retry by kind:
- never retried, dead-lettered at the first attempt: an invalid payload, a
  ``PermanentError`` (``MarketplaceRejected`` and the like), a ``PermissionError``;
- transient (the injected ``transient`` classifier: a database or Redis connection lost,
  a timeout) → retried with at least ``RetryPolicy.for_transient`` when the task is
  idempotent;
- whatever the task's policy retries on → retried with the task's policy;
- anything else → dead-lettered.

Every delivery is reported to the runner's ``TaskMetrics`` (outcome and duration, retries,
dead letters), whichever backend delivered it; a metric that cannot be kept is logged and
never fails the job.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from adolf.application.catalogue import LOCK_TTL, TRANSIENT_DELAY, Catalogue, PermanentError, RetryPolicy, TaskSpec
from adolf.application.payload import InvalidPayload, bind_payload
from adolf.application.ports.alerts import AlertRecord
from adolf.application.ports.dead_letter_spool import DeadLetterSpool
from adolf.application.ports.dead_letters import DeadLetter
from adolf.application.ports.lock import LockHandle
from adolf.application.ports.metrics import NO_METRICS, TaskMetrics, reporting_to
from adolf.application.ports.services import Services
from adolf.application.ports.tasks import TaskState

log = logging.getLogger(__name__)

LOCK_NOT_ACQUIRED = "lock_not_acquired"
#: The job's own earlier delivery still holds the lock and keeps it alive: that delivery
#: is running the job, so this one has nothing to do.
LOCK_HELD_BY_LIVE_DELIVERY = "lock_held_by_live_delivery"
SPOOL_FLUSH_EVERY = 30.0
MAX_BEAT = 2.0
SPOOL_LOCK = "adolf:lock:dead_letter_spool"
NEVER_RETRY: tuple[type[BaseException], ...] = (InvalidPayload, PermanentError, PermissionError)


class WorkerLost(Exception):
    """The process running the job died and the job will not run again."""


@dataclass(frozen=True, slots=True)
class Outcome:
    state: TaskState  # SUCCEEDED, SKIPPED, RETRYING or FAILED
    result: Any = None
    error: str | None = None
    retry_in: float | None = None  # seconds, when RETRYING
    exception: BaseException | None = None


def _never_transient(exc: BaseException) -> bool:
    return False


def _as_is(text: str) -> str:
    return text


class TaskRunner:
    """Runs one delivery of a task. ``attempt`` is 1 for the first delivery.

    ``transient`` tells an infrastructure failure worth retrying (the adapters know their
    exceptions); ``spool`` keeps dead letters the database cannot take; ``redact`` masks
    secrets in what a dead letter keeps; ``lock_ttl`` is the heartbeat lock's lifetime;
    ``transient_delay`` the first wait before retrying a transient failure; ``metrics``
    takes each delivery's outcome and duration, the retries and the dead letters, and is
    the ``current_metrics()`` of the use case it runs.
    """

    def __init__(
        self,
        catalogue: Catalogue,
        services: Callable[[], Services],
        runtime: str,
        *,
        transient: Callable[[BaseException], bool] = _never_transient,
        spool: Callable[[], DeadLetterSpool | None] | None = None,
        redact: Callable[[str], str] = _as_is,
        lock_ttl: float = LOCK_TTL,
        transient_delay: float = TRANSIENT_DELAY,
        metrics: TaskMetrics = NO_METRICS,
    ) -> None:
        self.catalogue = catalogue
        self._services = services
        self.runtime = runtime
        self._transient = transient
        self._spool = spool
        self._redact = redact
        self.lock_ttl = lock_ttl
        self.transient_delay = transient_delay
        self.metrics = metrics
        self._next_flush = 0.0

    @property
    def services(self) -> Services:
        return self._services()

    @property
    def spool(self) -> DeadLetterSpool | None:
        return self._spool() if self._spool is not None else None

    def run(
        self,
        name: str,
        payload: Mapping[str, Any] | None,
        task_id: str,
        attempt: int = 1,
        *,
        redelivered: bool = False,
    ) -> Outcome:
        """``redelivered``: the broker hands this attempt out again because the process that
        had it died; a task that is not idempotent is then dead-lettered, never run twice."""
        spec = self.catalogue.get(name)
        started = time.perf_counter()
        try:
            with reporting_to(self.metrics):
                outcome = self._deliver(spec, payload, task_id, attempt, redelivered)
        except Exception:  # the backend handles it (a hard limit caught outside the handler)
            elapsed = time.perf_counter() - started
            self._report(lambda: self.metrics.task_finished(spec.name, spec.queue, TaskState.FAILED.value, elapsed))
            raise
        elapsed = time.perf_counter() - started
        self._report(lambda: self.metrics.task_finished(spec.name, spec.queue, outcome.state.value, elapsed))
        if outcome.state is TaskState.RETRYING:
            self._report(lambda: self.metrics.task_retried(spec.name, spec.queue))
        return outcome

    def _deliver(
        self, spec: TaskSpec, payload: Mapping[str, Any] | None, task_id: str, attempt: int, redelivered: bool
    ) -> Outcome:
        self._flush_spool_now_and_then()
        try:
            kwargs = bind_payload(spec.handler, payload, spec.name)
        except InvalidPayload as exc:
            self.dead_letter(spec, payload, task_id, exc, attempt)
            return Outcome(TaskState.FAILED, error=str(exc), exception=exc)
        if redelivered and not spec.idempotent:
            lost = WorkerLost(f"{spec.name} is not idempotent: not run again after its worker died mid-job")
            self.dead_letter(spec, payload, task_id, lost, attempt)
            return Outcome(TaskState.FAILED, error=f"WorkerLost: {lost}", exception=lost)
        try:
            result = self._call(spec, kwargs, task_id)
        except Exception as exc:  # noqa: BLE001 — every failure is classified by the policy
            return self._failed(spec, payload, task_id, attempt, exc)
        if isinstance(result, Skip):
            return Outcome(TaskState.SKIPPED, result={"skipped": result.reason})
        return Outcome(TaskState.SUCCEEDED, result=result)

    def _call(self, spec: TaskSpec, kwargs: dict[str, Any], task_id: str) -> Any:
        if spec.lock is None:
            return spec.handler(self.services, **kwargs)
        handle = self._acquire(spec.lock, task_id)
        if isinstance(handle, Skip):
            return handle
        keeper = _LockKeeper(handle, self.lock_ttl, self.beat)
        keeper.start()
        try:
            return spec.handler(self.services, **kwargs)
        finally:
            keeper.stop()
            handle.release()

    def _acquire(self, name: str, task_id: str) -> LockHandle | Skip:
        """The lock, or why not. A lock whose holder is alive (its heartbeat moves its TTL
        up) means the work is being done: another job skips (``lock_not_acquired``), a
        duplicate delivery of this job gives way. A lock whose heartbeat stopped is a dead
        worker's (this job's own earlier delivery, or another job's): wait for it to lapse,
        at most one lock lifetime, then run — a dead holder must not cost a cycle."""
        lock = self.services.lock
        deadline = time.monotonic() + self.lock_ttl + 1.0
        while True:
            handle = lock.acquire(name, self.lock_ttl, owner=task_id)
            if handle is not None:
                return handle
            holder = lock.holder(name)
            if holder is None:
                continue  # released between the two calls: try again at once
            if self._holder_alive(name):
                return Skip(LOCK_HELD_BY_LIVE_DELIVERY if holder == task_id else LOCK_NOT_ACQUIRED)
            if time.monotonic() >= deadline:
                return Skip(LOCK_HELD_BY_LIVE_DELIVERY if holder == task_id else LOCK_NOT_ACQUIRED)
            time.sleep(min(0.25, self.lock_ttl / 10))

    def _holder_alive(self, name: str) -> bool:
        """A live holder beats every ``beat`` s, so its lock always has at least TTL − beat
        left; one with less than that, less a margin, has missed a beat: its worker is dead
        (with the default 30 s: after 5 s without a beat). Decided from one reading, so a
        skip costs nothing; a beat that was only late turns the lock live again while a
        waiter re-reads it."""
        left = self.services.lock.remaining(name)
        margin = max(self.beat, self.lock_ttl / 10)
        return left is not None and left >= self.lock_ttl - self.beat - margin

    @property
    def beat(self) -> float:
        """Seconds between a held lock's heartbeats: often, so a dead holder is told from a
        live one within seconds (one PEXPIRE per running locked job)."""
        return min(self.lock_ttl / 3, MAX_BEAT)

    def retry_policy(self, spec: TaskSpec, exc: BaseException) -> RetryPolicy | None:
        """The policy a failure is retried under, or None when it is final."""
        if isinstance(exc, NEVER_RETRY):
            return None
        if spec.idempotent and self._transient(exc):
            return spec.retry.for_transient(self.transient_delay)
        if spec.retry.retries(exc):
            return spec.retry
        return None

    def _failed(
        self, spec: TaskSpec, payload: Mapping[str, Any] | None, task_id: str, attempt: int, exc: BaseException
    ) -> Outcome:
        error = f"{type(exc).__name__}: {exc}"
        policy = self.retry_policy(spec, exc)
        if policy is not None and attempt <= policy.max_retries:
            return Outcome(TaskState.RETRYING, error=error, retry_in=policy.delay_for(attempt), exception=exc)
        self.dead_letter(spec, payload, task_id, exc, attempt)
        return Outcome(TaskState.FAILED, error=error, exception=exc)

    def dead_letter(
        self,
        spec: TaskSpec,
        payload: Any,
        task_id: str,
        exc: BaseException | str,
        attempts: int,
        tb: str | None = None,
    ) -> None:
        """Record a permanent failure and raise a critical system alert, in one transaction;
        with the database unreachable, spool the letter (it is written, and alerted, later)."""
        services = self.services
        now = services.clock.now()
        if isinstance(exc, BaseException):
            error = f"{type(exc).__name__}: {exc}"
            tb = tb or "".join(traceback.format_exception(exc))
        else:
            error = exc
        self._report(lambda: self.metrics.dead_lettered(spec.name, spec.queue))
        letter = DeadLetter(
            task_id=task_id,
            task_name=spec.name,
            payload=self._redacted_payload(payload),
            exception=self._redact(error),
            traceback=self._redact(tb or ""),
            failed_at=now,
            runtime=self.runtime,
            attempts=attempts,
        )
        try:
            self.record(letter)
        except Exception as failure:
            spool = self.spool
            if spool is None:
                raise
            spool.push(letter)
            log.error(
                "dead letter of %s[%s] spooled: the database could not take it (%s: %s)",
                spec.name,
                task_id,
                type(failure).__name__,
                self._redact(str(failure)),
            )

    def record(self, letter: DeadLetter) -> int:
        """Write one letter and its critical alert in one transaction; its id."""
        with self.services.uow() as uow:
            letter_id = uow.dead_letters.add(letter)
            uow.alerts.add(
                AlertRecord(
                    module="system",
                    type="task_dead_lettered",
                    severity="critical",
                    message=f"{letter.task_name} failed for good after {letter.attempts} attempt(s): {letter.exception}",
                    created_at=letter.failed_at,
                    details={"task_id": letter.task_id, "dead_letter_id": str(letter_id)},
                    dedupe_key=f"task_dead_lettered:{letter_id}",
                )
            )
            uow.commit()
        return letter_id

    def flush_spool(self, limit: int = 100) -> int:
        """Write spooled letters to the table, oldest first; how many. One flusher at a time
        (a lock); each letter leaves the spool once written. Stops at the first that cannot
        be written: the database is still away."""
        spool = self.spool
        if spool is None:
            return 0
        handle = self.services.lock.acquire(SPOOL_LOCK, self.lock_ttl, owner="dead-letter-spool")
        if handle is None:
            return 0  # another process is writing them
        try:
            letters = spool.peek(limit)
            for letter in letters:
                self.record(replace(letter, id=None))
                spool.drop(1)
            return len(letters)
        finally:
            handle.release()

    def _flush_spool_now_and_then(self) -> None:
        """Letters spooled while the database was away are written by the next job that
        runs once it is back (looked at once per ``SPOOL_FLUSH_EVERY`` s per process)."""
        if self._spool is None or time.monotonic() < self._next_flush:
            return
        self._next_flush = time.monotonic() + SPOOL_FLUSH_EVERY
        try:
            spool = self.spool
            if spool is not None and spool.peek(1):
                log.info("wrote %d spooled dead letter(s)", self.flush_spool())
        except Exception as exc:  # noqa: BLE001 — still away: the next look tries again
            log.warning("spooled dead letters wait: %s: %s", type(exc).__name__, self._redact(str(exc)))

    def _report(self, call: Callable[[], None]) -> None:
        try:
            call()
        except Exception:  # monitoring never fails a job
            log.warning("could not record a task metric", exc_info=True)

    def _redacted_payload(self, payload: Any) -> dict[str, Any]:
        if not isinstance(payload, Mapping):
            return {"_raw": self._redact(repr(payload))}
        try:
            text = json.dumps(dict(payload), default=str)
            masked = self._redact(text)
            return dict(json.loads(masked)) if masked != text else dict(payload)
        except (TypeError, ValueError):
            return {"_raw": self._redact(repr(dict(payload)))}


@dataclass(frozen=True, slots=True)
class Skip:
    """Returned by the runner (never by a use case) when a job did not run, and why."""

    reason: str


class _LockKeeper:
    """The lock's heartbeat: resets it to its full TTL every ``beat`` s while the job runs."""

    def __init__(self, handle: LockHandle, ttl: float, beat: float) -> None:
        self._handle = handle
        self._ttl = ttl
        self._beat = beat
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"lock-keeper:{handle.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self._beat):
            try:
                if not self._handle.extend(self._ttl):
                    log.warning("lock %s was lost while its job ran", self._handle.name)
                    return
            except Exception:  # Redis away for a beat: the next beat tries again
                log.warning("could not extend lock %s", self._handle.name, exc_info=True)
