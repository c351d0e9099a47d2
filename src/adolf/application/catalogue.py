"""The task catalogue: plain data describing how each use case runs.

Celery's config and beat schedule, RQ's queues, retries and cron entries, and the inline
scheduler are all *derived* from these specs; nothing about a task is declared twice.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from adolf.application.errors import PermanentError as PermanentError  # re-exported for catalogue authors

MOSCOW = "Europe/Moscow"


class CatalogueError(Exception):
    """The catalogue itself is inconsistent (duplicate name, unknown queue, bad schedule)."""


class UnknownTask(LookupError):
    """A task name that is not in the catalogue."""


class RetryableError(Exception):
    """Raised by a use case for a failure that may pass (a marketplace timeout, a quota)."""


#: Seconds a task lock lives without a heartbeat. The runner extends it every 2 s (a third of
#: it when shorter) while the job runs, so a live job never loses it, and a dead worker's lock is gone
#: this soon after its last beat: its redelivered job waits for it instead of finding the
#: cycle locked for the job's whole time limit (and skipping it for good).
LOCK_TTL = 30.0

#: A transient failure (database or Redis unreachable, a connection dropped) is retried at
#: least this often, with at least this first delay, doubling: 15 + 30 + 60 s outlasts a
#: minute's outage even for a task whose own policy never retries.
TRANSIENT_RETRIES = 3
TRANSIENT_DELAY = 15.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter and a cap.

    ``delay_for(n)`` is the wait before retry ``n`` (1-based): ``delay × 2^(n-1)`` when
    ``backoff`` else ``delay``, capped at ``max_delay``; jitter spreads it over
    ``[1 - jitter, 1]`` of that so a herd of failed jobs does not come back at once.
    """

    max_retries: int = 0
    delay: float = 0.0
    backoff: bool = False
    max_delay: float = 3600.0
    jitter: float = 0.0
    retry_on: tuple[type[BaseException], ...] = (RetryableError, TimeoutError, ConnectionError)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise CatalogueError(f"max_retries={self.max_retries} must be >= 0")
        if self.delay < 0 or self.max_delay < 0:
            raise CatalogueError(f"delay={self.delay}, max_delay={self.max_delay} must be >= 0")
        if not 0 <= self.jitter <= 1:
            raise CatalogueError(f"jitter={self.jitter} must be within 0..1")

    def base_delay(self, retry: int) -> float:
        raw = self.delay * (2 ** (retry - 1)) if self.backoff else self.delay
        return float(min(raw, self.max_delay))

    def delay_for(self, retry: int, rng: random.Random | None = None) -> float:
        base = self.base_delay(retry)
        if not self.jitter:
            return base
        spread = (rng or random).uniform(1 - self.jitter, 1)
        # Milliseconds are enough, but rounding must not leave the band (nor pass max_delay).
        return min(base, max((1 - self.jitter) * base, round(base * spread, 3)))

    def intervals(self, rng: random.Random | None = None) -> list[float]:
        """The whole list of waits, as RQ's ``Retry(interval=[...])`` wants it."""
        return [self.delay_for(n, rng) for n in range(1, self.max_retries + 1)]

    def retries(self, exc: BaseException) -> bool:
        return isinstance(exc, self.retry_on) and not isinstance(exc, PermanentError)

    def for_transient(self, delay: float = TRANSIENT_DELAY) -> RetryPolicy:
        """The policy a transient failure is retried with: this one, raised to the floor of
        ``TRANSIENT_RETRIES`` retries starting at ``delay`` s with backoff."""
        if self.max_retries >= TRANSIENT_RETRIES and self.delay >= delay:
            return self
        return RetryPolicy(
            max_retries=max(self.max_retries, TRANSIENT_RETRIES),
            delay=max(self.delay, delay),
            backoff=True,
            max_delay=max(self.max_delay, delay * 2 ** (TRANSIENT_RETRIES - 1)),
            jitter=self.jitter or 0.2,
            retry_on=self.retry_on,
        )


@dataclass(frozen=True, slots=True)
class Schedule:
    """A 5-field cron expression in the catalogue's time zone (Moscow), plus an optional
    offset in seconds after each cron fire (the reputation polls' 50/100/… s stagger)."""

    cron: str
    offset: int = 0

    def __post_init__(self) -> None:
        if len(self.cron.split()) != 5:
            raise CatalogueError(f"cron={self.cron!r} must have 5 fields (minute hour day month weekday)")
        if not 0 <= self.offset < 3600:
            raise CatalogueError(f"offset={self.offset} must be within 0..3599 seconds")

    @classmethod
    def every(cls, seconds: int, offset: int = 0) -> Schedule:
        """An interval that divides an hour, aligned to the hour (so that every runtime
        fires at the same instants)."""
        if seconds % 60 or 3600 % seconds:
            raise CatalogueError(f"every={seconds}s must be whole minutes dividing an hour")
        minutes = seconds // 60
        return cls("* * * * *" if minutes == 1 else f"*/{minutes} * * * *", offset)

    def describe(self) -> str:
        return self.cron + (f" +{self.offset}s" if self.offset else "")


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """How one use case runs. ``handler(services, **payload)`` is the use case."""

    name: str
    handler: Callable[..., Any]
    queue: str
    schedule: Schedule | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    soft_time_limit: int | None = None
    time_limit: int | None = None
    priority: int = 5  # 0 (highest) … 9, as RabbitMQ/Redis priorities are read by Celery
    lock: str | None = None
    #: True: running the job twice has the effect of running it once (its effects are
    #: claimed by key). The runtime then gives it at-least-once delivery: a job whose
    #: worker died runs again, and a transient failure is retried even past the policy.
    #: False: at most once past a death: a redelivered job is dead-lettered (``WorkerLost``)
    #: instead of run again, and only the policy's own retries apply.
    idempotent: bool = False
    description: str = ""
    scheduled_payload: Mapping[str, Any] = field(default_factory=dict)
    #: True: a person may run it by hand over HTTP (``POST /{module}/tasks/{task}/run``,
    #: roles admin and director). False: only its schedule and other jobs start it (the
    #: Logistic seed's allow-list leaves out ``cleanup_stock_history``; 003 §8.9).
    manual: bool = True

    def __post_init__(self) -> None:
        module, _, task = self.name.partition(".")
        if not module or not task:
            raise CatalogueError(f"name={self.name!r} must be '<module>.<task>'")
        if self.soft_time_limit and self.time_limit and self.soft_time_limit >= self.time_limit:
            raise CatalogueError(
                f"{self.name}: soft_time_limit={self.soft_time_limit} must be below time_limit={self.time_limit}"
            )
        if not 0 <= self.priority <= 9:
            raise CatalogueError(f"{self.name}: priority={self.priority} must be within 0..9")

    @property
    def module(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def max_attempts(self) -> int:
        """Attempts the runtime may make of one job: every retry any failure could get."""
        policy = self.retry.for_transient() if self.idempotent else self.retry
        return policy.max_retries + 1


@dataclass(frozen=True, slots=True)
class WorkerProfile:
    """Per-module worker settings (SPEC §2)."""

    prefetch: int = 4
    max_tasks_per_child: int = 1000


class Catalogue:
    """An ordered, name-unique set of ``TaskSpec``."""

    def __init__(self, specs: Iterable[TaskSpec], profiles: Mapping[str, WorkerProfile] | None = None) -> None:
        self._specs: dict[str, TaskSpec] = {}
        for spec in specs:
            if spec.name in self._specs:
                raise CatalogueError(f"task {spec.name!r} is declared twice")
            self._specs[spec.name] = spec
        self.profiles: Mapping[str, WorkerProfile] = dict(profiles or {})

    def __iter__(self) -> Iterator[TaskSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def get(self, name: str) -> TaskSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise UnknownTask(f"unknown task {name!r}; see `adolf tasks list`") from None

    def queues(self) -> list[str]:
        return sorted({spec.queue for spec in self})

    def scheduled(self) -> list[TaskSpec]:
        return [spec for spec in self if spec.schedule is not None]

    def profile(self, module: str) -> WorkerProfile:
        return self.profiles.get(module, WorkerProfile())

    def merged(self, other: Catalogue) -> Catalogue:
        return Catalogue([*self, *other], {**self.profiles, **other.profiles})
