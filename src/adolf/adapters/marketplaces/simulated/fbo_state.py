"""The mutable half of the simulated Ozon FBO, behind a small store so several processes can
share it (as ``state`` does for the advertising market).

Everything the simulated FBO answers is a pure function of the seed, its first day and the
supplies shipped so far (``fbo_model``, ``fbo_ledger``). So only three things are stored:

* **the market** (``FboMeta``): seed, articles, clusters and the first day. The first process
  to bind a store writes it; the others attach to it, so a Celery or RQ worker that builds its
  own simulated Ozon starts on the day the simulation started, not on the day it woke up. A
  store holding another seed or size, or another first day when the caller named one, is
  ``FboStateMismatch`` (two markets in one store would each see the other's supplies);
* **the shipments**, in the order they were recorded (an increasing id): an instance applies
  the ones recorded since it last looked before each answer, so a worker sees a supply the
  simulated seller shipped in another process. A shipment's ``key`` is unique: the same task
  marked shipped twice, in whichever processes, ships once;
* **the analytics minute**: when ``/v1/analytics/data`` was last answered. Ozon's quota (one
  call a minute) is per seller account, whoever calls, so the store keeps it too.

``InMemoryFboState`` is one process's (tests, the inline simulation); ``SqlFboState``
(``fbo_sql_state``) is a database's, shared by every process.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Shipment:
    sku: int
    cluster_id: int
    units: int
    shipped_at: datetime
    arrives_on: date  # at the start of this Moscow day
    key: str | None = None


@dataclass(frozen=True, slots=True)
class FboMeta:
    """Which market a store holds: its seed, size and first day."""

    seed: int
    articles: int
    clusters: int
    origin: date


class FboStateMismatch(ValueError):
    """The store already holds another simulated FBO (another seed, size or first day)."""


def check_meta(stored: FboMeta, wanted: FboMeta, *, fixed: bool) -> FboMeta:
    """``stored`` if it is the market asked for (its first day too when ``fixed``), else
    ``FboStateMismatch`` naming both."""
    same = (stored.seed, stored.articles, stored.clusters) == (wanted.seed, wanted.articles, wanted.clusters)
    if not same or (fixed and stored.origin != wanted.origin):
        raise FboStateMismatch(
            f"the store holds another simulated Ozon FBO: seed={stored.seed} articles={stored.articles} "
            f"clusters={stored.clusters} from {stored.origin.isoformat()}; asked for seed={wanted.seed} "
            f"articles={wanted.articles} clusters={wanted.clusters}"
            + (f" from {wanted.origin.isoformat()}" if fixed else "")
        )
    return stored


def analytics_wait(moment: datetime, last: datetime | None, interval: float) -> float | None:
    """Seconds still to wait before an analytics call at ``moment`` (None: it may be made)."""
    if last is None:
        return None
    wait = interval - (moment - last).total_seconds()
    return wait if wait > 0 else None


class FboState(ABC):
    """What the simulated FBO stores (see the module's docstring). Implementations are safe
    to call from several threads."""

    @abstractmethod
    def bind(self, wanted: FboMeta, *, fixed: bool) -> FboMeta:
        """The market the store holds: ``wanted``, stored, when it holds none. ``fixed``: the
        caller named its first day, which must then be the stored one."""

    @abstractmethod
    def shipments_after(self, seen: int) -> list[tuple[int, Shipment]]:
        """(id, shipment) of every shipment recorded after id ``seen`` (0: all), in id order."""

    @abstractmethod
    def record(self, shipment: Shipment) -> Shipment:
        """Store ``shipment``; if its key is stored already, nothing is, and the stored one is
        returned."""

    @abstractmethod
    def claim_analytics(self, moment: datetime, interval: float) -> float | None:
        """Take the analytics quota at ``moment``: None when the last call is ``interval``
        seconds old or more (``moment`` is then the last call), else the seconds to wait."""


class InMemoryFboState(FboState):
    """The state in this process's memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._meta: FboMeta | None = None
        self._shipments: list[Shipment] = []
        self._by_key: dict[str, Shipment] = {}
        self._last_analytics: datetime | None = None

    def bind(self, wanted: FboMeta, *, fixed: bool) -> FboMeta:
        with self._lock:
            if self._meta is None:
                self._meta = wanted
            return check_meta(self._meta, wanted, fixed=fixed)

    def shipments_after(self, seen: int) -> list[tuple[int, Shipment]]:
        with self._lock:
            return [(n, s) for n, s in enumerate(self._shipments[seen:], start=seen + 1)]

    def record(self, shipment: Shipment) -> Shipment:
        with self._lock:
            if shipment.key is not None:
                stored = self._by_key.get(shipment.key)
                if stored is not None:
                    return stored
                self._by_key[shipment.key] = shipment
            self._shipments.append(shipment)
            return shipment

    def claim_analytics(self, moment: datetime, interval: float) -> float | None:
        with self._lock:
            wait = analytics_wait(moment, self._last_analytics, interval)
            if wait is None:
                self._last_analytics = moment
            return wait


__all__ = [
    "FboMeta",
    "FboState",
    "FboStateMismatch",
    "InMemoryFboState",
    "Shipment",
    "analytics_wait",
    "check_meta",
]
