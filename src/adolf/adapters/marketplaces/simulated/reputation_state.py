"""The mutable half of the simulated reviews and questions, behind a small store so that the
simulating process and the Celery/RQ workers share it (as ``fbo_state`` does for Ozon FBO).

The feed itself is a pure function of the seed (``reputation_feed``): nothing of it is stored.
What is stored is what the callers changed or used up:

* **the market** (``ReputationMeta``): the seed and the moment the feed starts. The first
  process to bind a store writes it; a worker that binds later starts where the simulation
  did. Another seed, or another start when the caller named one, is ``ReputationStateMismatch``;
* **the answers**: at most one per item, whoever sends it and however often. ``answer`` stores
  the first and refuses every later one — the marketplace's "already answered";
* **publish attempts** per item, so a fault plan's "fail the first N publishes of item X"
  counts attempts made in any process;
* **quota windows**: the recent calls per quota bucket (the real limits are per account,
  whoever calls);
* **counters** for the report: calls per endpoint, answers published, already-answered
  replies, outage and quota refusals.

``InMemoryReputationState`` is one process's (tests, the inline simulation);
``SqlReputationState`` (``reputation_sql_state``) is a database's, shared by every process.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import ItemType


@dataclass(frozen=True, slots=True)
class ReputationMeta:
    """Which feed a store holds: its seed and the moment it starts."""

    seed: int
    origin: datetime


@dataclass(frozen=True, slots=True)
class Answer:
    platform: Marketplace
    item_type: ItemType
    external_id: str
    brand: str
    text: str
    answered_at: datetime

    @property
    def key(self) -> tuple[Marketplace, ItemType, str]:
        return (self.platform, self.item_type, self.external_id)


@dataclass(frozen=True, slots=True)
class Quota:
    """At most ``calls`` calls in any ``seconds`` in ``bucket`` (one per quota and cabinet)."""

    bucket: str
    calls: int
    seconds: float

    def opens(self, moment: datetime) -> datetime:
        """The oldest call still in the window at ``moment`` is after this."""
        return moment - timedelta(seconds=self.seconds)


class ReputationStateMismatch(ValueError):
    """The store already holds another simulated feed (another seed or start)."""


def check_meta(stored: ReputationMeta, wanted: ReputationMeta, *, fixed: bool) -> ReputationMeta:
    """``stored`` if it is the feed asked for (its start too when ``fixed``), else
    ``ReputationStateMismatch`` naming both."""
    if stored.seed != wanted.seed or (fixed and stored.origin != wanted.origin):
        raise ReputationStateMismatch(
            f"the store holds another simulated reputation feed: seed={stored.seed} from "
            f"{stored.origin.isoformat()}; asked for seed={wanted.seed}"
            + (f" from {wanted.origin.isoformat()}" if fixed else "")
        )
    return stored


class ReputationState(ABC):
    """What the simulated reviews and questions store (see the module's docstring). Safe to
    call from several threads."""

    @abstractmethod
    def bind(self, wanted: ReputationMeta, *, fixed: bool) -> ReputationMeta:
        """The feed the store holds: ``wanted``, stored, when it holds none."""

    @abstractmethod
    def answered(self, platform: Marketplace, item_type: ItemType, brand: str) -> set[str]:
        """The external ids of the brand's items of that type that have an answer."""

    @abstractmethod
    def answer(self, answer: Answer) -> bool:
        """Store ``answer``: True if stored, False if the item had one (nothing is stored).
        Counted as ``published`` or ``already_answered``, in the same step."""

    @abstractmethod
    def answer_of(self, platform: Marketplace, item_type: ItemType, external_id: str) -> Answer | None: ...

    @abstractmethod
    def answers(self) -> list[Answer]:
        """Every stored answer, in the order they were stored."""

    @abstractmethod
    def attempt(self, platform: Marketplace, item_type: ItemType, external_id: str) -> int:
        """Count one more publish attempt at the item; the number of this one (1 = the first)."""

    @abstractmethod
    def call(self, name: str, moment: datetime, quota: Quota | None) -> bool:
        """Count a call to endpoint ``name`` at ``moment`` and take it in its ``quota``
        window: False when the window is full (the call is not taken; counted in
        ``quota_refusals``), else True."""

    @abstractmethod
    def count(self, *names: str, n: int = 1) -> None:
        """Add ``n`` to each of the counters ``names``, in one step."""

    @abstractmethod
    def counters(self) -> Counter[str]: ...


class InMemoryReputationState(ReputationState):
    """The state in this process's memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._meta: ReputationMeta | None = None
        self._answers: dict[tuple[Marketplace, ItemType, str], Answer] = {}
        self._attempts: Counter[tuple[Marketplace, ItemType, str]] = Counter()
        self._calls: dict[str, deque[datetime]] = {}
        self._counters: Counter[str] = Counter()

    def bind(self, wanted: ReputationMeta, *, fixed: bool) -> ReputationMeta:
        with self._lock:
            if self._meta is None:
                self._meta = wanted
            return check_meta(self._meta, wanted, fixed=fixed)

    def answered(self, platform: Marketplace, item_type: ItemType, brand: str) -> set[str]:
        with self._lock:
            return {
                a.external_id
                for a in self._answers.values()
                if (a.platform, a.item_type, a.brand) == (platform, item_type, brand)
            }

    def answer(self, answer: Answer) -> bool:
        with self._lock:
            if answer.key in self._answers:
                self._counters["already_answered"] += 1
                return False
            self._answers[answer.key] = answer
            self._counters["published"] += 1
            return True

    def answer_of(self, platform: Marketplace, item_type: ItemType, external_id: str) -> Answer | None:
        with self._lock:
            return self._answers.get((platform, item_type, external_id))

    def answers(self) -> list[Answer]:
        with self._lock:
            return list(self._answers.values())

    def attempt(self, platform: Marketplace, item_type: ItemType, external_id: str) -> int:
        with self._lock:
            key = (platform, item_type, external_id)
            self._attempts[key] += 1
            return self._attempts[key]

    def call(self, name: str, moment: datetime, quota: Quota | None) -> bool:
        with self._lock:
            self._counters[name] += 1
            if quota is None:
                return True
            recent = self._calls.setdefault(quota.bucket, deque())
            while recent and recent[0] <= quota.opens(moment):
                recent.popleft()
            if len(recent) >= quota.calls:
                self._counters["quota_refusals"] += 1
                return False
            recent.append(moment)
            return True

    def count(self, *names: str, n: int = 1) -> None:
        with self._lock:
            for name in names:
                self._counters[name] += n

    def counters(self) -> Counter[str]:
        with self._lock:
            return Counter(self._counters)


__all__ = [
    "Answer",
    "InMemoryReputationState",
    "Quota",
    "ReputationMeta",
    "ReputationState",
    "ReputationStateMismatch",
    "check_meta",
]
