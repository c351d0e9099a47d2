"""One campaign's turn in the bid cycle (SPEC §4.1): its decisions, and no effect.

Keyword stats come in from the cycle's batched call. The function calls nothing and writes
nothing: it returns a ``CampaignOutcome`` (bid changes, keyword pauses or a campaign pause,
alerts) that the cycle records in the outbox with the other campaigns of its chunk, then
sends (``marketing.effects``), so a campaign that fails half-way leaves no trace.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from adolf.application.marketing.alerting import AlertDraft
from adolf.application.marketing.ports import BidChangeRecord
from adolf.application.ports.ads_marketplace import (
    CampaignStats,
    Fetched,
    KeywordStats,
    MarketplaceError,
)
from adolf.domain.marketing.bidding import BidContext, compute_bid
from adolf.domain.marketing.campaign import Campaign, Keyword
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketing.safety import SafetyAction, check_campaign, check_keyword
from adolf.domain.marketplace import Marketplace

EMPTY = StatsTotals()


@dataclass
class CampaignOutcome:
    campaign: Campaign
    history: list[BidChangeRecord] = field(default_factory=list)  # dry-run decisions only
    #: decided, not yet sent: keyword external id → (keyword, new bid, reason)
    bids: dict[str, tuple[Keyword, Decimal, str]] = field(default_factory=dict)
    keyword_pauses: list[tuple[Keyword, str]] = field(default_factory=list)
    campaign_pause: str | None = None  # the reason, when the campaign is to be paused
    alerts: list[AlertDraft] = field(default_factory=list)
    keywords_seen: int = 0
    capped: int = 0
    held: int = 0
    skipped_rows: int = 0


def record_of(
    campaign: Campaign, keyword: Keyword, new_bid: Decimal, reason: str, now: datetime, source: str, key: str | None
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
    )


def totals_of(stats: CampaignStats | KeywordStats | None) -> StatsTotals:
    if stats is None:
        return EMPTY
    return StatsTotals(
        views=stats.views, clicks=stats.clicks, orders=stats.orders, spent=stats.spent, revenue=stats.revenue
    )


class KeywordStatsUnavailable(MarketplaceError):
    """The batched keyword-stats call could not answer for this campaign."""


def run_campaign(
    campaign: Campaign,
    keywords: list[Keyword],
    campaign_stats: CampaignStats | None,
    competitor_bids: Mapping[str, tuple[Decimal, ...]],
    keyword_stats: Fetched[KeywordStats],
    *,
    now: datetime,
    day: date,
    cycle_key: str,
    dry_run: bool,
) -> CampaignOutcome:
    outcome = CampaignOutcome(campaign)
    dry = dry_run or campaign.dry_run
    if not _campaign_safety(campaign, campaign_stats, outcome, dry):
        return outcome
    if campaign.kill_switch or not keywords:
        return outcome

    if campaign.external_id in keyword_stats.failed:
        raise KeywordStatsUnavailable(f"no keyword stats for campaign {campaign.external_id}")
    stats_by_keyword = {
        s.keyword_external_id: s for s in keyword_stats.items if s.campaign_external_id in (None, campaign.external_id)
    }

    changes: dict[str, tuple[Keyword, Decimal, str]] = {}
    pauses: list[tuple[Keyword, str]] = []
    low_ctr = 0
    for keyword in keywords:
        outcome.keywords_seen += 1
        stats = stats_by_keyword.get(keyword.external_id)
        totals = totals_of(stats)
        verdict = check_keyword(totals, campaign.safety)
        if verdict.action is SafetyAction.PAUSE_KEYWORD:
            pauses.append((keyword, verdict.reason))
            continue
        if verdict.action is SafetyAction.ALERT:
            low_ctr += 1
        decision = compute_bid(
            campaign.strategy,
            BidContext(
                current_bid=keyword.bid,
                min_bid=campaign.min_bid,
                max_bid=campaign.max_bid,
                stats=totals,
                avg_position=stats.avg_position if stats else None,
                target_position=campaign.target_position,
                target_drr=campaign.target_drr,
                target_cpo=campaign.target_cpo,
                competitor_bids=competitor_bids.get(keyword.external_id, ()),
                marketplace_min_bid=keyword.marketplace_min_bid,
                cpm_auction=campaign.marketplace is Marketplace.WB,
            ),
        )
        outcome.capped += decision.capped
        outcome.held += decision.held
        if decision.changed:
            changes[keyword.external_id] = (keyword, decision.new_bid, decision.reason.value)

    key = f"{cycle_key}:{campaign.marketplace.value}:{campaign.external_id}"
    if dry:
        for keyword, new_bid, reason in changes.values():
            outcome.history.append(record_of(campaign, keyword, new_bid, reason, now, "dry_run", key))
    else:
        outcome.bids = changes  # sent with the other campaigns' bids in one batched call

    if pauses:
        if not dry:
            outcome.keyword_pauses = pauses
        reasons = sorted({reason for _, reason in pauses})
        outcome.alerts.append(
            AlertDraft(
                type="keywords_paused",
                severity="warning",
                brand=campaign.brand,
                campaign_id=str(campaign.id),
                message=f"{campaign.name}: {len(pauses)} keyword(s) paused ({', '.join(reasons)})"
                + (" [dry run]" if dry else ""),
            )
        )
    if low_ctr:
        outcome.alerts.append(
            AlertDraft(
                type="low_ctr",
                severity="info",
                brand=campaign.brand,
                campaign_id=str(campaign.id),
                once_a_day=True,
                message=f"{campaign.name}: {low_ctr} keyword(s) with a very low CTR",
            )
        )
    if outcome.capped:
        outcome.alerts.append(
            AlertDraft(
                type="cap_bid",
                severity="info",
                brand=campaign.brand,
                campaign_id=str(campaign.id),
                once_a_day=True,
                message=f"{campaign.name}: {outcome.capped} bid(s) capped at max_bid={campaign.max_bid}",
            )
        )
    return outcome


def _campaign_safety(campaign: Campaign, stats: CampaignStats | None, outcome: CampaignOutcome, dry: bool) -> bool:
    """Campaign check; False when the campaign was paused and its keywords are skipped."""
    totals = totals_of(stats)
    verdict = check_campaign(
        totals.spent, campaign.daily_budget, totals.drr if totals.revenue else None, campaign.safety
    )
    if verdict.action is SafetyAction.OK:
        return True
    detail = "; ".join(verdict.details)
    if verdict.action is SafetyAction.PAUSE_CAMPAIGN:
        if not dry:
            outcome.campaign_pause = verdict.reason
        outcome.alerts.append(
            AlertDraft(
                type=verdict.reason,
                severity="warning",
                brand=campaign.brand,
                campaign_id=str(campaign.id),
                message=f"{campaign.name} paused: {detail}" + (" [dry run]" if dry else ""),
            )
        )
        return False
    for reason, line in zip(verdict.reasons, verdict.details, strict=False):
        outcome.alerts.append(
            AlertDraft(
                type=reason.value,
                severity=(verdict.severity or "info").__str__(),
                brand=campaign.brand,
                campaign_id=str(campaign.id),
                message=f"{campaign.name}: {line}",
                once_a_day=True,
            )
        )
    return True
