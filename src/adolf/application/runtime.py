"""The runtime rules shared by every queue backend: payload validation, locks, retry
decisions and dead letters. A backend (inline, Celery, RQ) delivers a message and maps the
``Outcome`` onto its own mechanics (``task.retry``, RQ's ``Retry``, the inline heap)."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from adolf.application.catalogue import Catalogue, TaskSpec
from adolf.application.payload import InvalidPayload, bind_payload
from adolf.application.ports.alerts import AlertRecord
from adolf.application.ports.dead_letters import DeadLetter
from adolf.application.ports.lock import LockHandle
from adolf.application.ports.services import Services
from adolf.application.ports.tasks import TaskState

LOCK_NOT_ACQUIRED = "lock_not_acquired"


@dataclass(frozen=True, slots=True)
class Outcome:
    state: TaskState  # SUCCEEDED, SKIPPED, RETRYING or FAILED
    result: Any = None
    error: str | None = None
    retry_in: float | None = None  # seconds, when RETRYING
    exception: BaseException | None = None


class TaskRunner:
    """Runs one delivery of a task. ``attempt`` is 1 for the first delivery."""

    def __init__(self, catalogue: Catalogue, services: Callable[[], Services], runtime: str) -> None:
        self.catalogue = catalogue
        self._services = services
        self.runtime = runtime

    @property
    def services(self) -> Services:
        return self._services()

    def run(self, name: str, payload: Mapping[str, Any] | None, task_id: str, attempt: int = 1) -> Outcome:
        spec = self.catalogue.get(name)
        try:
            kwargs = bind_payload(spec.handler, payload, spec.name)
        except InvalidPayload as exc:
            self.dead_letter(spec, payload, task_id, exc, attempt)
            return Outcome(TaskState.FAILED, error=str(exc), exception=exc)
        try:
            result = self._call(spec, kwargs)
        except Exception as exc:  # noqa: BLE001 — every failure is classified by the policy
            return self._failed(spec, payload, task_id, attempt, exc)
        if isinstance(result, Skip):
            return Outcome(TaskState.SKIPPED, result={"skipped": result.reason})
        return Outcome(TaskState.SUCCEEDED, result=result)

    def _call(self, spec: TaskSpec, kwargs: dict[str, Any]) -> Any:
        if spec.lock is None:
            return spec.handler(self.services, **kwargs)
        handle = self.services.lock.acquire(spec.lock, spec.lock_ttl)
        if handle is None:
            return Skip(LOCK_NOT_ACQUIRED)
        keeper = _LockKeeper(handle, spec.lock_ttl)
        keeper.start()
        try:
            return spec.handler(self.services, **kwargs)
        finally:
            keeper.stop()
            handle.release()

    def _failed(
        self, spec: TaskSpec, payload: Mapping[str, Any] | None, task_id: str, attempt: int, exc: BaseException
    ) -> Outcome:
        error = f"{type(exc).__name__}: {exc}"
        if spec.retry.retries(exc) and attempt <= spec.retry.max_retries:
            return Outcome(TaskState.RETRYING, error=error, retry_in=spec.retry.delay_for(attempt), exception=exc)
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
        """Record a permanent failure and raise a critical system alert, in one transaction."""
        services = self.services
        now = services.clock.now()
        if isinstance(exc, BaseException):
            error = f"{type(exc).__name__}: {exc}"
            tb = tb or "".join(traceback.format_exception(exc))
        else:
            error = exc
        letter = DeadLetter(
            task_id=task_id,
            task_name=spec.name,
            payload=dict(payload) if isinstance(payload, Mapping) else {"_raw": repr(payload)},
            exception=error,
            traceback=tb or "",
            failed_at=now,
            runtime=self.runtime,
            attempts=attempts,
        )
        with services.uow() as uow:
            letter_id = uow.dead_letters.add(letter)
            uow.alerts.add(
                AlertRecord(
                    module="system",
                    type="task_dead_lettered",
                    severity="critical",
                    message=f"{spec.name} failed for good after {attempts} attempt(s): {error}",
                    created_at=now,
                    details={"task_id": task_id, "dead_letter_id": str(letter_id)},
                )
            )
            uow.commit()


@dataclass(frozen=True, slots=True)
class Skip:
    """Returned by the runner (never by a use case) when a job did not run, and why."""

    reason: str


class _LockKeeper:
    """Extends a held lock every third of its TTL while the job runs."""

    def __init__(self, handle: LockHandle, ttl: float) -> None:
        self._handle = handle
        self._ttl = ttl
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"lock-keeper:{handle.name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self._ttl / 3):
            if not self._handle.extend(self._ttl):
                return
