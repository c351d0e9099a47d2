"""Campaigns and keywords as the bid engine sees them.

A campaign carries its strategy and bounds; ``kill_switch`` stops every automatic bid
change for it, ``dry_run`` logs decisions without sending them (SPEC §4.1 "always").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.safety_thresholds import SafetyThresholds
from adolf.domain.marketplace import Marketplace


class CampaignStatus(StrEnum):
    """A campaign's status on its marketplace; only an active one is bid for."""

    ACTIVE = "active"
    PAUSED = "paused"
    ARCHIVED = "archived"


class KeywordStatus(StrEnum):
    """A keyword's status: active, or paused with a ``pause_reason``."""

    ACTIVE = "active"
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class Campaign:
    """An advertising campaign as the bid engine sees it: where it runs, its ``strategy``, bid bounds,
    daily budget and targets, safety overrides, and the ``kill_switch`` and ``dry_run`` switches."""

    id: int
    marketplace: Marketplace
    external_id: str
    name: str
    brand: str
    status: CampaignStatus
    strategy: StrategyType
    min_bid: Decimal
    max_bid: Decimal
    daily_budget: Decimal | None = None
    target_position: Decimal | None = None
    target_drr: Decimal | None = None
    target_cpo: Decimal | None = None
    safety: SafetyThresholds = field(default_factory=SafetyThresholds)
    kill_switch: bool = False
    dry_run: bool = False
    pause_reason: str | None = None
    binding_constraint: str | None = None  # what bound its last bid-cycle plan (``BidConstraint``)

    @property
    def is_active(self) -> bool:
        return self.status is CampaignStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class Keyword:
    """A keyword of a campaign (a search phrase; a product on Ozon and YM) with its current ``bid`` and
    the marketplace's minimum bid for it."""

    id: int
    campaign_id: int
    external_id: str
    phrase: str
    bid: Decimal
    status: KeywordStatus = KeywordStatus.ACTIVE
    pause_reason: str | None = None
    marketplace_min_bid: Decimal | None = None

    @property
    def is_active(self) -> bool:
        return self.status is KeywordStatus.ACTIVE
