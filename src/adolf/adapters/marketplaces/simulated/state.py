"""The mutable half of the market, behind a small store so several processes can share it.

Only what *changes* is stored: a campaign's status if it differs from the generated one,
its accrual position, and its keywords' bids, statuses and day carries once they have been
touched. A market of 500 000 keywords that nobody has touched stores nothing per keyword.

Every market operation runs in one ``transaction()``: load the campaigns it needs, change
them, ``save`` them. ``InMemorySimState`` hands out live objects (``save`` only registers new
ones); ``SqlSimState`` (``sql_state.py``) reads rows and writes them back in batches.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date

#: ints per keyword in a closed day: views, clicks, orders, spent, revenue, avg position × 100
CLOSED_FIELDS = 6
NO_POSITION = -1


class SimStateMismatch(ValueError):
    """The store already holds a market generated with another seed or size."""


@dataclass(frozen=True, slots=True)
class SimMeta:
    seed: int
    campaigns_per_marketplace: int
    keywords_per_campaign: int
    origin_step: int  # the first step the market accrues (a Moscow midnight)


@dataclass(frozen=True, slots=True)
class Carry:
    """A keyword's day totals when its bid or status last changed today.

    Counts are kept as the exact expected values (floats) so that fractions of a click are
    not lost when bids change every cycle; ``spent`` is the exact kopecks charged so far.
    ``factor`` is the campaign's cumulative day factor at that moment.
    """

    day: date
    factor: float
    views: float
    clicks: float
    orders: float
    position_views: float  # Σ views × position, for the average position
    spent: int


@dataclass(slots=True)
class KeywordState:
    bid: int | None = None  # hundredths; None = the generated initial bid
    active: bool | None = None  # None = the generated initial status
    carry: Carry | None = None


@dataclass(frozen=True, slots=True)
class ClosedDay:
    """Final totals of a campaign's keywords for its previous day, ``CLOSED_FIELDS`` ints each."""

    day: date
    totals: Sequence[int]


@dataclass(slots=True)
class CampaignState:
    campaign_id: str
    next_step: int  # the first step not accrued yet
    day: date  # the Moscow day the running totals belong to
    factor: float = 0.0  # Σ of the day's step factors while the campaign could spend
    budget_hit: bool = False  # the daily budget was reached: no more spend this day
    active: bool | None = None  # None = the generated initial status
    rev: int = 0  # bumped whenever a keyword's bid or status changes
    keywords: dict[int, KeywordState] = field(default_factory=dict)
    closed: ClosedDay | None = None
    # bookkeeping for the store, not part of the state
    dirty_keywords: set[int] = field(default_factory=set)
    dirty_closed: bool = False

    def keyword(self, index: int) -> KeywordState:
        """The keyword's state, created (and marked for saving) on first use."""
        state = self.keywords.get(index)
        if state is None:
            state = self.keywords[index] = KeywordState()
        self.dirty_keywords.add(index)
        return state

    def mark_saved(self) -> None:
        self.dirty_keywords.clear()
        self.dirty_closed = False


class SimStateTxn(ABC):
    """What a market operation may do with the shared state inside one transaction."""

    @abstractmethod
    def meta(self) -> SimMeta | None: ...

    @abstractmethod
    def set_meta(self, meta: SimMeta) -> None: ...

    @abstractmethod
    def load(self, campaign_ids: Collection[str]) -> dict[str, CampaignState]:
        """States of the given campaigns that have one (absent ids are left out)."""

    @abstractmethod
    def save(self, campaigns: Iterable[CampaignState]) -> None:
        """Write the campaigns, their ``dirty_keywords`` and, if ``dirty_closed``, their
        closed day; then ``mark_saved`` each."""

    @abstractmethod
    def recall(self, key: str) -> str | None:
        """The result stored under an idempotency key, if any."""

    @abstractmethod
    def remember(self, key: str, day: date, result: str) -> None: ...

    @abstractmethod
    def forget_before(self, day: date) -> None:
        """Drop idempotency keys remembered before ``day``."""


class SimStateStore(ABC):
    @abstractmethod
    def transaction(self, *, write: bool = True) -> AbstractContextManager[SimStateTxn]:
        """One atomic unit of work. Writers are serialised; ``write=False`` may skip that."""


class InMemorySimState(SimStateStore, SimStateTxn):
    """The state in this process's memory: fast, for tests, benchmarks and one-process runs."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._meta: SimMeta | None = None
        self._campaigns: dict[str, CampaignState] = {}
        self._results: dict[str, tuple[date, str]] = {}

    @contextmanager
    def _locked(self) -> Iterator[SimStateTxn]:
        with self._lock:
            yield self

    def transaction(self, *, write: bool = True) -> AbstractContextManager[SimStateTxn]:
        return self._locked()

    def meta(self) -> SimMeta | None:
        return self._meta

    def set_meta(self, meta: SimMeta) -> None:
        self._meta = meta

    def load(self, campaign_ids: Collection[str]) -> dict[str, CampaignState]:
        found = {cid: self._campaigns.get(cid) for cid in campaign_ids}
        return {cid: state for cid, state in found.items() if state is not None}

    def save(self, campaigns: Iterable[CampaignState]) -> None:
        for state in campaigns:
            self._campaigns[state.campaign_id] = state
            state.mark_saved()

    def recall(self, key: str) -> str | None:
        entry = self._results.get(key)
        return None if entry is None else entry[1]

    def remember(self, key: str, day: date, result: str) -> None:
        self._results[key] = (day, result)

    def forget_before(self, day: date) -> None:
        for key in [key for key, (seen, _) in self._results.items() if seen < day]:
            del self._results[key]
