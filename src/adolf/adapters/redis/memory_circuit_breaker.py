"""In-process ``CircuitBreaker``: the embedded default's breakers (one process, no Redis) and
the tests' fake (``tests/support/fakes/circuit_breaker.py``).

Each breaker is a ``BreakerSnapshot`` moved by the domain's pure rules (``on_acquire``,
``on_success``, ``on_failure``) under one lock, so threads of the one process see the same
single probe that the Redis adapter guarantees across processes. It keeps the same capped log
of transitions as the Redis adapter (newest ``log_size``), oldest first from ``transitions``.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime

from adolf.application.reputation.circuit_breaker import Permit, Transition
from adolf.domain.reputation.circuit import (
    CLOSED_CLEAN,
    BreakerPolicy,
    BreakerSnapshot,
    BreakerState,
    check_reportable,
    on_acquire,
    on_failure,
    on_success,
)

TRANSITIONS_KEPT = 100


class MemoryCircuitBreaker:
    def __init__(self, policy: BreakerPolicy, log_size: int = TRANSITIONS_KEPT) -> None:
        self.policy = policy
        self._log_size = log_size
        self._snapshots: dict[str, BreakerSnapshot] = {}
        self._logs: dict[str, deque[Transition]] = {}
        self._guard = threading.Lock()

    def acquire(self, key: str, now: datetime) -> Permit:
        with self._guard:
            before = self._snapshots.get(key, CLOSED_CLEAN)
            grant = on_acquire(before, self.policy, now)
            transition = self._move(key, before, grant.snapshot, now)
        return Permit(key, grant.allowed, grant.snapshot.state, probe=grant.probe, transition=transition)

    def succeeded(self, permit: Permit, now: datetime) -> Transition | None:
        return self._report(permit, now, lambda s: on_success(s, probe=permit.probe))

    def failed(self, permit: Permit, now: datetime) -> Transition | None:
        return self._report(permit, now, lambda s: on_failure(s, self.policy, probe=permit.probe, now=now))

    def state(self, key: str) -> BreakerState:
        return self.snapshot(key).state

    def snapshot(self, key: str) -> BreakerSnapshot:
        with self._guard:
            return self._snapshots.get(key, CLOSED_CLEAN)

    def transitions(self, key: str) -> list[Transition]:
        with self._guard:
            return list(self._logs.get(key, ()))

    def _report(
        self, permit: Permit, now: datetime, rule: Callable[[BreakerSnapshot], BreakerSnapshot]
    ) -> Transition | None:
        check_reportable(permit.key, allowed=permit.allowed)
        with self._guard:
            before = self._snapshots.get(permit.key, CLOSED_CLEAN)
            return self._move(permit.key, before, rule(before), now)

    def _move(self, key: str, before: BreakerSnapshot, after: BreakerSnapshot, now: datetime) -> Transition | None:
        if after == CLOSED_CLEAN:
            self._snapshots.pop(key, None)  # as Redis: no hash is a closed breaker with no failures
        else:
            self._snapshots[key] = after
        if after.state is before.state:
            return None
        transition = Transition(key, before.state, after.state, now)
        self._logs.setdefault(key, deque(maxlen=self._log_size)).append(transition)
        return transition
