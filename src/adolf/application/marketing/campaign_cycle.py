"""One campaign's turn in the bid cycle (SPEC §4.1).

Remote calls: keyword pauses (≤ 1), or a campaign pause (1) instead; keyword stats come in
from the cycle's batched call and the decided bids go out in its batched bid update. The function decides and calls the marketplace; it writes
nothing to the database itself: it returns a ``CampaignOutcome`` that the cycle commits
with the other campaigns of its chunk, so a campaign that fails half-way leaves no trace.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from adolf.application.marketing.alerting import AlertDraft
from adolf.application.marketing.ports import BidChangeRecord
from adolf.application.ports.ads_marketplace import (
    AdsMarketplace,
    BidChange,
    BidUpdateResult,
    CampaignBids,
    CampaignStats,
    Fetched,
    KeywordStats,
    MarketplaceError,
)
from adolf.domain.marketing.bidding import BidContext, compute_bid
from adolf.domain.marketing.campaign import Campaign, CampaignStatus, Keyword
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketing.safety import SafetyAction, check_campaign, check_keyword
from adolf.domain.marketplace import Marketplace

EMPTY = StatsTotals()


@dataclass
class CampaignOutcome:
    campaign: Campaign
    bids: list[tuple[int, Decimal]] = field(default_factory=list)  # (keyword id, new bid) applied
    history: list[BidChangeRecord] = field(default_factory=list)
    keyword_pauses: list[tuple[int, str]] = field(default_factory=list)
    campaign_status: tuple[CampaignStatus, str] | None = None
    alerts: list[AlertDraft] = field(default_factory=list)
    keywords_seen: int = 0
    capped: int = 0
    held: int = 0
    rejected: int = 0
    skipped_rows: int = 0
    api_calls: int = 0
    bid_key: str | None = None  # the idempotency key of the update_bids call, when one was made
    #: bids decided but not yet sent: keyword external id → (keyword, new bid, reason)
    pending: dict[str, tuple[Keyword, Decimal, str]] = field(default_factory=dict)
    failed: str | None = None  # the batched bid update failed for this campaign

    def bid_request(self) -> CampaignBids:
        assert self.bid_key is not None
        changes = tuple(BidChange(ext, new) for ext, (_, new, _) in self.pending.items())
        return CampaignBids(self.campaign.external_id, changes, self.bid_key)

    def record_bids(self, result: BidUpdateResult, now: datetime) -> None:
        """What the marketplace applied becomes our bids and history; nothing else does.
        A repeated key is answered from the marketplace's record of the first call, which
        may name keywords this run does not change: only this run's changes are recorded."""
        if result.error is not None:
            self.failed = result.error
            self.pending.clear()
            return
        self.rejected += len(result.rejected)
        for ext in set(result.applied) & set(self.pending):
            keyword, new_bid, reason = self.pending[ext]
            self.bids.append((keyword.id, new_bid))
            self.history.append(_record(self.campaign, keyword, new_bid, reason, now, "bid_cycle", self.bid_key))
        self.pending.clear()


def _record(
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
    api: AdsMarketplace,
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
    if not _campaign_safety(api, campaign, campaign_stats, outcome, dry):
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
            outcome.history.append(_record(campaign, keyword, new_bid, reason, now, "dry_run", key))
    elif changes:
        outcome.pending = changes  # sent with the other campaigns' bids in one batched call
        outcome.bid_key = key

    if pauses:
        if not dry:
            api.pause_keywords(campaign.external_id, [k.external_id for k, _ in pauses])
            outcome.api_calls += 1
            outcome.keyword_pauses = [(k.id, reason) for k, reason in pauses]
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


def _campaign_safety(
    api: AdsMarketplace, campaign: Campaign, stats: CampaignStats | None, outcome: CampaignOutcome, dry: bool
) -> bool:
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
            api.pause_campaign(campaign.external_id)
            outcome.api_calls += 1
            outcome.campaign_status = (CampaignStatus.PAUSED, verdict.reason)
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
