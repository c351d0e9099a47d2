"""Ports the Marketing use cases need (besides the shared ones in application/ports)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from adolf.application.marketing.calendar import Calendar
from adolf.application.marketing.severities import AlertSeverities
from adolf.application.ports.ads_marketplace import AdsMarketplace, RemoteCampaign, RemoteKeyword
from adolf.application.ports.services import Services, SystemUnitOfWork
from adolf.application.ports.status_board import StatusBoard as StatusBoard  # shared port; kept importable here
from adolf.domain.alerts.users import User
from adolf.domain.marketing.campaign import Campaign, CampaignStatus, Keyword
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketplace import Marketplace


@dataclass(frozen=True, slots=True)
class BidChangeRecord:
    """One line of bid history: what moved, from what to what, and why."""

    keyword_id: int
    campaign_id: int
    old_bid: Decimal
    new_bid: Decimal
    source: str  # bid_cycle | manual | dry_run
    strategy: str
    reason: str
    created_at: datetime
    idempotency_key: str | None = None
    constraint: str | None = None  # what bound the decision (``BidConstraint``)


@dataclass(frozen=True, slots=True)
class StatsSnapshot:
    """Day-so-far totals of a campaign (keyword_id None) or a keyword, as collected."""

    campaign_id: int
    day: date
    captured_at: datetime
    totals: StatsTotals
    keyword_id: int | None = None
    avg_position: Decimal | None = None


@dataclass(frozen=True, slots=True)
class DailyStats:
    campaign_id: int
    day: date
    totals: StatsTotals


@dataclass(frozen=True, slots=True)
class KeywordDailyStats:
    """A keyword's whole-day totals, as the marketplace reports the closed day."""

    keyword_id: int
    campaign_id: int
    day: date
    totals: StatsTotals


@dataclass(frozen=True, slots=True)
class MonthlyStats:
    campaign_id: int
    year: int
    month: int
    totals: StatsTotals


@dataclass(frozen=True, slots=True)
class SyncCounts:
    campaigns_added: int = 0
    campaigns_updated: int = 0
    keywords_added: int = 0
    keywords_updated: int = 0


@dataclass(frozen=True, slots=True)
class Recommendation:
    campaign_id: int
    day: date
    kind: str  # anomaly | trend | advice
    message: str
    created_at: datetime


class CampaignRepository(Protocol):
    def active(self, marketplace: Marketplace | None = None) -> list[Campaign]: ...

    def all(self, marketplace: Marketplace | None = None) -> list[Campaign]: ...

    def get(self, campaign_id: int) -> Campaign | None: ...

    def keywords_of(self, campaign_ids: Sequence[int], active_only: bool = True) -> dict[int, list[Keyword]]:
        """Keywords of many campaigns in one query, by campaign id."""

    def get_keyword(self, keyword_id: int) -> Keyword | None: ...

    def set_status(self, campaign_id: int, status: CampaignStatus, reason: str | None = None) -> None: ...

    def save_settings(self, campaign: Campaign) -> None:
        """Store what an operator sets: strategy, bounds, budget, targets, safety, flags."""

    def set_constraints(self, constraints: Sequence[tuple[int, str | None]]) -> None:
        """(campaign id, binding constraint) in bulk: what bound each campaign's last plan."""

    def set_bids(self, bids: Sequence[tuple[int, Decimal]]) -> None:
        """(keyword id, new bid) in bulk: one statement per chunk, not one per keyword."""

    def pause_keywords(self, pauses: Sequence[tuple[int, str]]) -> None:
        """(keyword id, reason) in bulk; status becomes paused."""

    def sync(
        self,
        marketplace: Marketplace,
        campaigns: Sequence[RemoteCampaign],
        keywords: Mapping[str, Sequence[RemoteKeyword]],
        default_brand: str,
    ) -> SyncCounts:
        """Upsert what the marketplace has. New campaigns start with the ``manual`` strategy
        (ADOLF never changes bids of a campaign nobody configured)."""

    def add(self, campaign: Campaign, keywords: Sequence[Keyword] = ()) -> Campaign:
        """Insert a configured campaign with its keywords (ids assigned); returns it with its id."""

    def add_many(self, items: Sequence[tuple[Campaign, Sequence[Keyword]]]) -> list[Campaign]:
        """``add`` for many campaigns in a few bulk statements."""


class BidHistoryRepository(Protocol):
    def add_many(self, records: Sequence[BidChangeRecord]) -> None: ...

    def for_campaign(self, campaign_id: int, limit: int = 100) -> list[BidChangeRecord]: ...

    def count_between(self, start: datetime, end: datetime) -> dict[str, int]:
        """Changes by source in [start, end)."""

    def delete_before(self, cutoff: datetime) -> int: ...


class StatsRepository(Protocol):
    def add_snapshots(self, snapshots: Sequence[StatsSnapshot]) -> int: ...

    def last_snapshots_of_day(self, day: date) -> list[StatsSnapshot]:
        """The latest campaign-level snapshot of each campaign on ``day`` (its day total)."""

    def upsert_daily(self, rows: Sequence[DailyStats]) -> int: ...

    def daily_between(self, start: date, end: date, campaign_ids: Sequence[int] | None = None) -> list[DailyStats]:
        """Daily rows with start <= day <= end."""

    def upsert_keyword_daily(self, rows: Sequence[KeywordDailyStats]) -> int:
        """Upsert on (keyword, day)."""

    def keyword_windows(
        self, campaign_ids: Sequence[int], today: date, spans: Sequence[int]
    ) -> dict[int, tuple[StatsTotals, ...]]:
        """Keyword id → for each ``n`` in ``spans``, the sum of its daily rows over the ``n``
        days before ``today`` ([today − n, today − 1]); keywords of ``campaign_ids`` with
        no row in the longest span are absent. One query, not one per campaign."""

    def delete_keyword_daily_before(self, day: date) -> int: ...

    def upsert_monthly(self, rows: Sequence[MonthlyStats]) -> int:
        """Upsert on (campaign, year, month)."""

    def monthly(self, year: int, month: int) -> list[MonthlyStats]: ...

    def delete_snapshots_before(self, cutoff: datetime) -> int: ...

    def delete_daily_before(self, day: date) -> int: ...


class AlertQueries(Protocol):
    def exists_since(self, module: str, type_: str, campaign_id: str, since: datetime) -> bool:
        """Whether such an alert was raised at or after ``since`` (once-a-day alerts)."""

    def counts_between(self, module: str, start: datetime, end: datetime) -> dict[str, int]:
        """Alerts of a module by type in [start, end)."""

    def delete_before(self, module: str, cutoff: datetime) -> int: ...


class CompetitorBidsSource(Protocol):
    """Competitor bids per keyword (Watcher's data). Highest first."""

    def bids_for(
        self, marketplace: Marketplace, keyword_external_ids: Sequence[str]
    ) -> dict[str, tuple[Decimal, ...]]: ...

    def replace(
        self, marketplace: Marketplace, bids: Mapping[str, Sequence[Decimal]], observed_at: datetime
    ) -> None: ...


class UserDirectory(Protocol):
    def active(self) -> list[User]: ...

    def add(self, user: User) -> None: ...


class RecommendationStore(Protocol):
    def add_many(self, items: Sequence[Recommendation]) -> None: ...

    def for_day(self, day: date) -> list[Recommendation]: ...


class MarketingUnitOfWork(SystemUnitOfWork, Protocol):
    campaigns: CampaignRepository
    bid_history: BidHistoryRepository
    stats: StatsRepository
    alert_queries: AlertQueries
    competitor_bids: CompetitorBidsSource
    users: UserDirectory
    recommendations: RecommendationStore


@dataclass(frozen=True, slots=True)
class AnalyticsFinding:
    campaign_id: int
    campaign_name: str
    kind: str  # anomaly | trend
    metric: str
    detail: str


class LanguageModel(Protocol):
    """Turns findings into recommendations a manager can act on."""

    def recommend(self, findings: Sequence[AnalyticsFinding]) -> list[tuple[int, str]]:
        """(campaign id, recommendation text) pairs."""


class MarketingServices(Services, Protocol):
    def uow(self) -> MarketingUnitOfWork: ...

    def marketplace(self, marketplace: Marketplace) -> AdsMarketplace: ...

    @property
    def marketplaces(self) -> tuple[Marketplace, ...]: ...

    @property
    def status_board(self) -> StatusBoard: ...

    @property
    def language_model(self) -> LanguageModel: ...

    @property
    def dry_run(self) -> bool: ...

    @property
    def brands(self) -> tuple[str, ...]: ...

    @property
    def calendar(self) -> Calendar:
        """Days in the configured time zone (``ADOLF_TIMEZONE``)."""

    @property
    def severities(self) -> AlertSeverities:
        """Severity per alert type (defaults overridden by ``ADOLF_ALERT_SEVERITIES``)."""
