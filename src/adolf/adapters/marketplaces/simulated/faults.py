"""Faults the simulated client can inject: errors, refusals, slowness, malformed rows, lost replies.

Random faults are drawn from one ``random.Random`` per client, seeded from the market's seed,
the marketplace and ``Faults.seed``, so the same calls in the same order meet the same faults.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from adolf.application.ports.ads_marketplace import MarketplaceError, MarketplaceRejected
from adolf.domain.marketplace import Marketplace

from .model import mix
from .parsing import Row, RowError

_BAD_VALUES: tuple[object, ...] = ("abc", -7, 1.5)
_MISSING = object()

#: (calls, per seconds) by marketplace and port method, from the APIs' documentation (SPEC §6)
QUOTAS: dict[Marketplace, dict[str, tuple[int, int]]] = {
    Marketplace.WB: {
        "list_campaigns": (5, 1),
        "campaign_stats": (3, 60),  # /adv/v3/fullstats
        "keyword_stats": (10, 60),  # /adv/v0/normquery/stats
        "update_bids": (5, 1),
        "pause_campaign": (5, 1),
        "start_campaign": (5, 1),
    },
    Marketplace.OZON: {},
    Marketplace.YM: {"update_bids": (1000, 60)},
}


@dataclass(frozen=True, slots=True)
class Faults:
    """What goes wrong, and how often. The default is a healthy API.

    * ``error_rate`` — share of calls (each chunk of a batched call) that fail with
      ``MarketplaceError`` before doing anything.
    * ``failing_campaigns`` — every call about these campaigns fails with ``MarketplaceError``
      (in ``campaign_stats`` their rows are skipped with a reason instead, so one campaign does
      not sink the batch); ``rejected_campaigns`` the same with ``MarketplaceRejected``.
    * ``latency`` — seconds every call takes, spent in the client's ``sleep`` function.
    * ``malformed_rate`` — share of returned rows (campaigns, keywords, stats) with one field
      broken (not a number, negative, a float, or missing).
    * ``lost_reply_rate`` — share of changing calls (bids, pauses, starts) that take effect
      and then fail with ``MarketplaceError`` as if the answer had been lost.
    * ``quotas`` — enforce the documented rate limits (``QUOTAS``) on the market's clock: a
      call over its limit fails with a 429 ``MarketplaceError``. Counted per client, i.e.
      per process (the real limits are per account).
    """

    error_rate: float = 0.0
    failing_campaigns: frozenset[str] = field(default_factory=frozenset)
    rejected_campaigns: frozenset[str] = field(default_factory=frozenset)
    latency: float = 0.0
    malformed_rate: float = 0.0
    lost_reply_rate: float = 0.0
    quotas: bool = False
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("error_rate", "malformed_rate", "lost_reply_rate"):
            rate = getattr(self, name)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"Faults.{name}={rate!r} must be between 0 and 1")
        if self.latency < 0:
            raise ValueError(f"Faults.latency={self.latency!r} must not be negative")


class FaultInjector:
    def __init__(
        self, faults: Faults, market_seed: int, marketplace: Marketplace, sleep: Callable[[float], None]
    ) -> None:
        self.faults = faults
        self._sleep = sleep
        self._marketplace = marketplace
        self._random = random.Random(mix(market_seed, list(Marketplace).index(marketplace), faults.seed))
        self._recent: dict[str, deque[datetime]] = {}

    def _happens(self, rate: float) -> bool:
        return rate > 0 and self._random.random() < rate

    def call(self, method: str, now: datetime, campaign_id: str | None = None) -> None:
        """Slow the call down, then fail it if a fault says so."""
        if self.faults.latency > 0:
            self._sleep(self.faults.latency)
        if self.faults.quotas:
            self._within_quota(method, now)
        if campaign_id is not None:
            self.check_campaign(method, campaign_id)
        if self._happens(self.faults.error_rate):
            raise MarketplaceError(f"{self._marketplace} {method}: 503 Service Unavailable (simulated)")

    def _within_quota(self, method: str, now: datetime) -> None:
        quota = QUOTAS[self._marketplace].get(method)
        if quota is None:
            return
        calls, seconds = quota
        recent = self._recent.setdefault(method, deque())
        while recent and recent[0] <= now - timedelta(seconds=seconds):
            recent.popleft()
        if len(recent) >= calls:
            raise MarketplaceError(
                f"{self._marketplace} {method}: 429 Too Many Requests (quota {calls} per {seconds} s, simulated)"
            )
        recent.append(now)

    def check_campaign(self, method: str, campaign_id: str) -> None:
        if campaign_id in self.faults.rejected_campaigns:
            raise MarketplaceRejected(f"{self._marketplace} {method}: 403 for campaign {campaign_id} (simulated)")
        if campaign_id in self.faults.failing_campaigns:
            raise MarketplaceError(f"{self._marketplace} {method}: 500 for campaign {campaign_id} (simulated)")

    def after_change(self, method: str) -> None:
        if self._happens(self.faults.lost_reply_rate):
            raise MarketplaceError(f"{self._marketplace} {method}: read timeout, the change was applied (simulated)")

    def corrupt(self, rows: Iterable[dict[str, object]], parse: Callable[[Row], object]) -> list[dict[str, object]]:
        """The rows, some with one field broken so that ``parse`` rejects them."""
        out = []
        for row in rows:
            if self._happens(self.faults.malformed_rate):
                row = self._break(row, parse)
            out.append(row)
        return out

    def _break(self, row: dict[str, object], parse: Callable[[Row], object]) -> dict[str, object]:
        broken = dict(row)
        name = self._random.choice([key for key in row if key != "id"])
        value = self._random.choice((*_BAD_VALUES, _MISSING))
        if value is not _MISSING:
            broken[name] = value
            try:
                parse(broken)
            except RowError:
                return broken
        del broken[name]
        return broken
