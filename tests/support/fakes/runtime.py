"""Fakes of the shared runtime ports: clock, lock, queue, notifier, status board, health
probe, language model. Each keeps what it was asked to do, for the test to read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from adolf.application.marketing.adviser import RuleBasedAdviser
from adolf.application.marketing.ports import AnalyticsFinding
from adolf.application.ports.alerts import Notification
from adolf.application.ports.tasks import TaskState, TaskStatus


class FakeClock:
    """``now()`` is whatever the test set; ``advance`` also moves ``perf_counter`` (a fake
    monotonic clock a test can patch in where a use case measures a duration)."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime(2024, 5, 10, 9, 7, tzinfo=UTC)
        self.elapsed = 0.0

    def now(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)
        self.elapsed += seconds

    def perf_counter(self) -> float:
        return self.elapsed


class FakeLockHandle:
    def __init__(self, lock: FakeLock, name: str, owner: str = "", alive: bool = True) -> None:
        self.lock = lock
        self.name = name
        self.owner = owner
        self.alive = alive  # a live holder's heartbeat keeps its TTL up; a dead one's runs out
        self.extended: list[float] = []

    def extend(self, ttl: float) -> bool:
        self.extended.append(ttl)
        return self.name in self.lock.held

    def release(self) -> bool:
        if self.lock.held.get(self.name) is not self:
            return False
        del self.lock.held[self.name]
        self.lock.released.append(self.name)
        return True


class FakeLock:
    def __init__(self) -> None:
        self.held: dict[str, FakeLockHandle] = {}
        self.acquired: list[tuple[str, float]] = []  # (name, ttl) of every successful acquire
        self.refused: list[str] = []
        self.released: list[str] = []

    def acquire(self, name: str, ttl: float, owner: str = "") -> FakeLockHandle | None:
        if name in self.held:
            self.refused.append(name)
            return None
        handle = FakeLockHandle(self, name, owner)
        self.held[name] = handle
        self.acquired.append((name, ttl))
        return handle

    def holder(self, name: str) -> str | None:
        handle = self.held.get(name)
        return handle.owner if handle is not None else None

    def remaining(self, name: str) -> float | None:
        handle = self.held.get(name)
        if handle is None:
            return None
        return float("inf") if handle.alive else 0.0

    def hold(self, name: str, owner: str = "someone-else", alive: bool = True) -> FakeLockHandle:
        """Someone else holds ``name`` (a test's setup); ``alive``: its heartbeat beats."""
        handle = FakeLockHandle(self, name, owner, alive)
        self.held[name] = handle
        return handle


class FakeQueue:
    def __init__(self) -> None:
        self.enqueued: list[tuple[str, dict[str, Any]]] = []
        self.options: list[dict[str, Any]] = []
        self.statuses: dict[str, TaskStatus] = {}

    def enqueue(
        self,
        name: str,
        payload: Mapping[str, Any] | None = None,
        *,
        countdown: float | None = None,
        eta: datetime | None = None,
        priority: int | None = None,
        task_id: str | None = None,
    ) -> str:
        task_id = task_id or f"task-{len(self.enqueued) + 1}"
        self.enqueued.append((name, dict(payload or {})))
        self.options.append({"countdown": countdown, "eta": eta, "priority": priority, "task_id": task_id})
        self.statuses[task_id] = TaskStatus(task_id, TaskState.PENDING, name)
        return task_id

    def status(self, task_id: str) -> TaskStatus:
        return self.statuses.get(task_id, TaskStatus(task_id, TaskState.UNKNOWN))

    def payloads(self, name: str) -> list[dict[str, Any]]:
        return [payload for queued, payload in self.enqueued if queued == name]

    def take(self, name: str) -> list[dict[str, Any]]:
        """Remove and return the payloads queued under ``name`` (a test draining a queue)."""
        taken = self.payloads(name)
        self.enqueued = [(n, p) for n, p in self.enqueued if n != name]
        return taken


class FakeNotifier:
    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def send(self, notifications: Sequence[Notification]) -> None:
        self.sent.extend(notifications)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


class FakeStatusBoard:
    """Hashes and counters with the TTL each was last given (not expired: the test reads the TTL)."""

    def __init__(self) -> None:
        self.hashes: dict[str, dict[str, str]] = {}
        self.counters: dict[str, int] = {}
        self.ttls: dict[str, int] = {}

    def put(self, key: str, values: Mapping[str, Any], ttl: int | None = None) -> None:
        self.hashes.setdefault(key, {}).update({k: _text(v) for k, v in values.items()})
        if ttl is not None:
            self.ttls[key] = ttl

    def get(self, key: str) -> dict[str, str]:
        return dict(self.hashes.get(key, {}))

    def incr(self, key: str, amount: int = 1, ttl: int | None = None) -> int:
        self.counters[key] = self.counters.get(key, 0) + amount
        if ttl is not None:
            self.ttls.setdefault(key, ttl)
        return self.counters[key]


class FakeHealth:
    def __init__(self, database: str = "ok", redis: str = "ok", queues: dict[str, int] | None = None) -> None:
        self._database, self._redis, self._queues = database, redis, queues or {}

    def database(self) -> str:
        return self._database

    def redis(self) -> str:
        return self._redis

    def queue_lengths(self) -> dict[str, int]:
        return dict(self._queues)


class FakeLanguageModel:
    """The embedded rule-based adviser, remembering the findings it was shown."""

    def __init__(self) -> None:
        self.seen: list[AnalyticsFinding] = []
        self._adviser = RuleBasedAdviser()

    def recommend(self, findings: Sequence[AnalyticsFinding]) -> list[tuple[int, str]]:
        self.seen.extend(findings)
        return self._adviser.recommend(findings)
