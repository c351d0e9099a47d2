"""Port: a marketplace's advertising API, as the Marketing use cases need it.

The port is *batched* on purpose. The seed's bid cycle made two calls per keyword; real
quotas (WB stats: 50 campaigns a call, 3 calls a minute; bids: 50 campaigns a call, 5/s)
make that impossible at scale. A bid cycle makes batched calls per chunk of campaigns for
campaign stats, keyword stats and bid updates, and per campaign only the rare pause —
never more than three calls per campaign.

Units: the port speaks rubles as ``Decimal`` (YM bids: percent of price as ``Decimal``).
Adapters convert to kopecks, millionths or basis points at the wire.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Generic, Protocol, TypeVar

from adolf.application.errors import PermanentError
from adolf.domain.marketplace import Marketplace

T = TypeVar("T")


class MarketplaceError(Exception):
    """A call failed in a way that may pass (timeout, 5xx, quota). Retrying is sensible."""


class MarketplaceRejected(MarketplaceError, PermanentError):
    """The marketplace refused the request as such (4xx other than quota). Never retried:
    the runtime dead-letters it at the first attempt."""


class MarketplaceUnauthorised(MarketplaceRejected):
    """The marketplace refused our credentials (401/403). Never retried."""


@dataclass(frozen=True, slots=True)
class Fetched(Generic[T]):
    """Rows that parsed, and the rows that did not (skipped and counted, never fatal)."""

    items: tuple[T, ...]
    skipped: tuple[str, ...] = ()  # one reason per malformed row, naming field and value
    failed: tuple[str, ...] = ()  # ids a batched call could not answer for (their reason is in skipped)


@dataclass(frozen=True, slots=True)
class RemoteCampaign:
    external_id: str
    name: str
    status: str  # "active" | "paused"
    daily_budget: Decimal | None  # rubles; None = no daily limit at the marketplace


@dataclass(frozen=True, slots=True)
class RemoteKeyword:
    external_id: str
    campaign_external_id: str
    phrase: str
    bid: Decimal
    status: str  # "active" | "paused"
    min_bid: Decimal | None = None  # the marketplace's minimum bid for this keyword


@dataclass(frozen=True, slots=True)
class CampaignStats:
    """Totals for one campaign over one day so far."""

    campaign_external_id: str
    day: date
    views: int
    clicks: int
    orders: int
    spent: Decimal
    revenue: Decimal


@dataclass(frozen=True, slots=True)
class KeywordStats:
    """Totals for one keyword over one day so far, with its average position."""

    keyword_external_id: str
    day: date
    views: int
    clicks: int
    orders: int
    spent: Decimal
    revenue: Decimal
    avg_position: Decimal | None = None
    campaign_external_id: str | None = None  # set by the batched call, where rows of many campaigns mix


@dataclass(frozen=True, slots=True)
class BidChange:
    keyword_external_id: str
    bid: Decimal


@dataclass(frozen=True, slots=True)
class BidUpdateResult:
    applied: tuple[str, ...]
    rejected: tuple[tuple[str, str], ...] = field(default=())  # (keyword id, reason)
    error: str | None = None  # in a batch: the whole campaign's update failed, nothing applied


@dataclass(frozen=True, slots=True)
class CampaignBids:
    """All of one campaign's bid changes, with the key that makes sending them idempotent."""

    campaign_external_id: str
    changes: tuple[BidChange, ...]
    idempotency_key: str


class AdsMarketplace(Protocol):
    """One marketplace's advertising API. Every method is one remote call (or one batch
    split by the adapter at the endpoint's documented size limit)."""

    @property
    def marketplace(self) -> Marketplace: ...

    def ping(self) -> None:
        """Raise ``MarketplaceError`` when the API does not answer."""

    def list_campaigns(self) -> Fetched[RemoteCampaign]: ...

    def list_keywords(self, campaign_external_id: str) -> Fetched[RemoteKeyword]: ...

    def campaign_stats(self, campaign_external_ids: Sequence[str], day: date) -> Fetched[CampaignStats]: ...

    def keyword_stats(self, campaign_external_id: str, day: date) -> Fetched[KeywordStats]: ...

    def keyword_stats_batch(self, campaign_external_ids: Sequence[str], day: date) -> Fetched[KeywordStats]:
        """Keyword stats of many campaigns: one call per chunk of the endpoint's limit (WB's
        search-cluster stats and Ozon's statistics take many campaigns at once). Rows carry
        their ``campaign_external_id``; a campaign that fails is skipped with a reason."""

    def update_bids(
        self, campaign_external_id: str, changes: Sequence[BidChange], idempotency_key: str
    ) -> BidUpdateResult:
        """Apply all of a campaign's bid changes in one call. The same idempotency key
        applied twice changes nothing the second time."""

    def update_bids_batch(self, updates: Sequence[CampaignBids]) -> dict[str, BidUpdateResult]:
        """Many campaigns' bid changes: one call per chunk of the endpoint's limit (WB's
        bids endpoint takes 50 campaigns; YM's one business's SKUs). Every campaign asked
        for gets a result; a campaign that failed has ``error`` set. A failing call raises."""

    def pause_keywords(self, campaign_external_id: str, keyword_external_ids: Sequence[str]) -> None: ...

    def pause_campaign(self, campaign_external_id: str) -> None: ...

    def start_campaign(self, campaign_external_id: str) -> None: ...
