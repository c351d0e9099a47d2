"""One campaign's turn in the bid cycle (SPEC §4.1): load what the planner needs, plan, and
turn the plan into a ``CampaignOutcome`` — no call, no write.

The decisions are ``adolf.domain.marketing.planner.plan_campaign``'s; this module only
puts together its inputs (today's keyword stats from the cycle's batched call, whole-day
windows from our daily rows, Watcher's competitor bids) and gives its alerts their
configured severities. The cycle records the outcome in the outbox with the other
campaigns of its chunk, then sends it (``marketing.effects``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from adolf.application.marketing.alerting import AlertDraft
from adolf.application.marketing.ports import BidChangeRecord
from adolf.application.marketing.severities import AlertSeverities
from adolf.application.ports.ads_marketplace import CampaignStats, KeywordStats, MarketplaceError
from adolf.domain.marketing.campaign import Campaign, Keyword
from adolf.domain.marketing.constraints import BidConstraint
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketing.planner import CampaignPlan, KeywordInput, pauses_campaign, plan_campaign
from adolf.domain.marketing.windows import SPANS, KeywordWindow

EMPTY = StatsTotals()


@dataclass
class CampaignOutcome:
    campaign: Campaign
    history: list[BidChangeRecord] = field(default_factory=list)  # dry-run decisions only
    #: decided, not yet sent: keyword external id → (keyword, new bid, reason, constraint)
    bids: dict[str, tuple[Keyword, Decimal, str, str]] = field(default_factory=dict)
    keyword_pauses: list[tuple[Keyword, str]] = field(default_factory=list)
    campaign_pause: str | None = None  # the reason, when the campaign is to be paused
    pause_details: str = ""  # the numbers behind it, for the alert if the marketplace refuses the pause
    alerts: list[AlertDraft] = field(default_factory=list)
    constraint: BidConstraint | None = None
    keywords_seen: int = 0
    capped: int = 0
    held: int = 0
    skipped_rows: int = 0


def totals_of(stats: CampaignStats | KeywordStats | None) -> StatsTotals:
    if stats is None:
        return EMPTY
    return StatsTotals(
        views=stats.views, clicks=stats.clicks, orders=stats.orders, spent=stats.spent, revenue=stats.revenue
    )


class KeywordStatsUnavailable(MarketplaceError):
    """The batched keyword-stats call could not answer for this campaign."""


@dataclass(frozen=True)
class CampaignInputs:
    """What the cycle loaded for a chunk, shared by its campaigns."""

    keyword_stats: Mapping[str, Mapping[str, KeywordStats]]  # campaign ext → keyword ext → today's row
    failed: frozenset[str]  # campaigns the keyword-stats call did not answer for
    windows: Mapping[int, tuple[StatsTotals, ...]]  # keyword id → sums over SPANS whole days
    competitor_bids: Mapping[str, tuple[Decimal, ...]]


def run_campaign(
    campaign: Campaign,
    keywords: list[Keyword],
    campaign_stats: CampaignStats | None,
    inputs: CampaignInputs,
    *,
    now: datetime,
    cycle_key: str,
    dry_run: bool,
    severities: AlertSeverities,
) -> CampaignOutcome:
    totals = totals_of(campaign_stats)
    wanted = keywords and not campaign.kill_switch and not pauses_campaign(campaign, totals)
    if wanted and campaign.external_id in inputs.failed:
        raise KeywordStatsUnavailable(f"no keyword stats for campaign {campaign.external_id}")
    today = inputs.keyword_stats.get(campaign.external_id, {})
    items = [
        KeywordInput(
            keyword=k,
            window=KeywordWindow.of(totals_of(today.get(k.external_id)), inputs.windows.get(k.id), SPANS),
            avg_position=row.avg_position if (row := today.get(k.external_id)) else None,
            competitor_bids=inputs.competitor_bids.get(k.external_id, ()),
        )
        for k in keywords
    ]
    plan = plan_campaign(campaign, items, totals, dry_run=dry_run)
    return outcome_of(plan, now=now, cycle_key=cycle_key, severities=severities)


def outcome_of(plan: CampaignPlan, *, now: datetime, cycle_key: str, severities: AlertSeverities) -> CampaignOutcome:
    campaign = plan.campaign
    outcome = CampaignOutcome(
        campaign, constraint=plan.constraint, campaign_pause=plan.pause_campaign, pause_details=plan.pause_details
    )
    outcome.keywords_seen = len(plan.keywords)
    outcome.capped, outcome.held = plan.capped, plan.held
    changes = {
        k.keyword.external_id: (k.keyword, k.decision.new_bid, k.decision.reason.value, k.constraint.value)
        for k in plan.bid_changes
        if k.decision is not None
    }
    if plan.sends:
        outcome.bids = changes  # sent with the other campaigns' bids in one batched call
        outcome.keyword_pauses = plan.keyword_pauses
    else:
        key = f"{cycle_key}:{campaign.marketplace.value}:{campaign.external_id}"
        outcome.history = [
            record_of(campaign, keyword, new_bid, reason, now, "dry_run", key, constraint)
            for keyword, new_bid, reason, constraint in changes.values()
        ]
    outcome.alerts = [
        AlertDraft(
            type=a.type,
            severity=severities.of(a.type),
            brand=campaign.brand,
            campaign_id=str(campaign.id),
            message=a.message,
            once_a_day=a.once_a_day,
        )
        for a in plan.alerts
    ]
    return outcome


def record_of(
    campaign: Campaign,
    keyword: Keyword,
    new_bid: Decimal,
    reason: str,
    now: datetime,
    source: str,
    key: str | None,
    constraint: str | None = None,
) -> BidChangeRecord:
    return BidChangeRecord(
        keyword_id=keyword.id,
        campaign_id=campaign.id,
        old_bid=keyword.bid,
        new_bid=new_bid,
        source=source,
        strategy=campaign.strategy.value,
        reason=reason,
        created_at=now,
        idempotency_key=key,
        constraint=constraint,
    )
