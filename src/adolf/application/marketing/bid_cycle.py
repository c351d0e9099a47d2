"""``marketing.run_bid_cycle``: every 15 minutes, every active campaign of every marketplace.

Per marketplace: one (batched) campaign-stats call, then campaigns in chunks — one query
each for a chunk's keywords, their whole-day windows and competitor bids, batched calls
for today's keyword stats, each campaign planned on its own (``planner.plan_campaign``; a
failure is counted and isolated), one transaction for the chunk's effects and constraints. The runner holds the lock
``marketing:lock:bid_cycle`` (catalogue), so two cycles never overlap.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from adolf.application.marketing.campaign_cycle import CampaignInputs, CampaignOutcome, run_campaign
from adolf.application.marketing.effects import TASK, SendReport, claim_and_send, entries_of, flush_pending
from adolf.application.marketing.ports import MarketingServices
from adolf.application.ports.ads_marketplace import (
    AdsMarketplace,
    CampaignStats,
    KeywordStats,
    MarketplaceError,
)
from adolf.application.ports.metrics import BidCycleFigures, current_metrics
from adolf.domain.marketing.campaign import Campaign, Keyword
from adolf.domain.marketing.windows import SPANS
from adolf.domain.marketplace import Marketplace

log = logging.getLogger(__name__)

CHUNK = 500  # campaigns per keyword query and per transaction
STATS_CHUNK = 50  # campaigns per keyword-stats call (WB's and Ozon's batch limits)
LAST_CYCLE_KEY = "marketing:last_bid_cycle"
LAST_CYCLE_TTL = 3600
SLOT_MINUTES = 15  # the cycle's period: every run (and retry) inside one slot shares its keys


@dataclass
class CycleMetrics:
    campaigns: int = 0
    campaigns_paused: int = 0
    keywords: int = 0
    bids_changed: int = 0
    keywords_paused: int = 0
    capped: int = 0
    held: int = 0
    rejected: int = 0
    skipped_rows: int = 0
    errors: int = 0
    api_calls: int = 0
    alerts: int = 0
    errors_by_campaign: dict[str, str] = field(default_factory=dict)

    def add(self, outcome: CampaignOutcome) -> None:
        self.campaigns += 1
        self.keywords += outcome.keywords_seen
        self.bids_changed += len(outcome.history)  # dry-run decisions; sent ones come from ``record``
        self.capped += outcome.capped
        self.held += outcome.held
        self.skipped_rows += outcome.skipped_rows

    def failed(self, campaign: Campaign, exc: Exception) -> None:
        self.errors += 1
        self.errors_by_campaign[f"{campaign.marketplace.value}:{campaign.external_id}"] = f"{type(exc).__name__}: {exc}"
        log.warning("bid cycle: campaign %s failed: %s", campaign.external_id, exc)

    def record(self, sent: SendReport) -> None:
        self.bids_changed += sent.bids_changed
        self.keywords_paused += sent.keywords_paused
        self.campaigns_paused += sent.campaigns_paused
        self.rejected += sent.rejected
        self.alerts += sent.alerts
        self.api_calls += sent.api_calls
        self.errors += len(sent.errors)
        self.campaigns -= len(sent.errors)  # a failed one is counted in errors
        self.errors_by_campaign.update(sent.errors)


def run_bid_cycle(services: MarketingServices) -> dict[str, Any]:
    started = time.perf_counter()
    now = services.clock.now()
    day = services.calendar.day(now)
    cycle_key = cycle_slot_key(now)
    metrics = CycleMetrics()
    metrics.record(flush_pending(services, TASK, now))
    for marketplace in services.marketplaces:
        _run_marketplace(services, marketplace, metrics, now=now, day=day, cycle_key=cycle_key)
    result = {k: v for k, v in asdict(metrics).items() if k != "errors_by_campaign"}
    result["duration_s"] = round(time.perf_counter() - started, 3)
    current_metrics().bid_cycle(
        BidCycleFigures(
            metrics.campaigns, metrics.bids_changed, metrics.api_calls, metrics.errors, result["duration_s"]
        )
    )
    result["at"] = now.isoformat()
    services.status_board.put(LAST_CYCLE_KEY, result, ttl=LAST_CYCLE_TTL)
    if metrics.errors_by_campaign:
        result["errors_by_campaign"] = dict(list(metrics.errors_by_campaign.items())[:20])
    return result


def cycle_slot_key(now: datetime) -> str:
    """The idempotency prefix of the 15-minute slot ``now`` falls in (a retry, a redelivery
    or a manual run inside the slot reuses it, so the marketplace applies a slot's bids once)."""
    slot = now.replace(minute=now.minute - now.minute % SLOT_MINUTES, second=0, microsecond=0)
    return f"bid_cycle:{slot.strftime('%Y%m%dT%H%M')}"


def _run_marketplace(
    services: MarketingServices, marketplace: Marketplace, metrics: CycleMetrics, **cycle: Any
) -> None:
    with services.uow() as uow:
        campaigns = uow.campaigns.active(marketplace)
    if not campaigns:
        return
    api = services.marketplace(marketplace)
    try:
        fetched = api.campaign_stats([c.external_id for c in campaigns], cycle["day"])
    except MarketplaceError as exc:
        log.warning("bid cycle: campaign stats of %s failed: %s", marketplace.value, exc)
        metrics.errors += len(campaigns)
        metrics.api_calls += 1
        return
    metrics.api_calls += 1
    metrics.skipped_rows += len(fetched.skipped)
    stats = {s.campaign_external_id: s for s in fetched.items}
    for start in range(0, len(campaigns), CHUNK):
        _run_chunk(services, api, campaigns[start : start + CHUNK], stats, metrics, **cycle)


def _keyword_stats(
    api: AdsMarketplace, campaigns: Sequence[Campaign], metrics: CycleMetrics, day: date
) -> tuple[dict[str, dict[str, KeywordStats]], frozenset[str]]:
    """Today's keyword rows by campaign and keyword, one batched call per STATS_CHUNK
    campaigns; a call that fails fails its campaigns only (returned as the second item)."""
    found: dict[str, dict[str, KeywordStats]] = {}
    failed: set[str] = set()
    for start in range(0, len(campaigns), STATS_CHUNK):
        ids = [c.external_id for c in campaigns[start : start + STATS_CHUNK]]
        metrics.api_calls += 1
        try:
            fetched = api.keyword_stats_batch(ids, day)
        except MarketplaceError as exc:
            log.warning("bid cycle: keyword stats of %d campaign(s) failed: %s", len(ids), exc)
            failed.update(ids)
            continue
        # One reason per failed campaign, as an adapter reports them: skipped rows never go negative.
        metrics.skipped_rows += len(fetched.skipped) - len(fetched.failed)
        failed.update(fetched.failed)
        wanted = set(ids)
        for row in fetched.items:
            if row.campaign_external_id in wanted:
                found.setdefault(row.campaign_external_id, {})[row.keyword_external_id] = row
            elif row.campaign_external_id is None and len(ids) == 1:
                found.setdefault(ids[0], {})[row.keyword_external_id] = row
    return found, frozenset(failed)


def _load(
    services: MarketingServices, api: AdsMarketplace, chunk: Sequence[Campaign], metrics: CycleMetrics, day: date
) -> tuple[dict[int, list[Keyword]], CampaignInputs]:
    """The chunk's keywords, their windows and competitor bids (one query each), and
    today's keyword stats (batched calls)."""
    with services.uow() as uow:
        keywords = uow.campaigns.keywords_of([c.id for c in chunk])
        windows = uow.stats.keyword_windows([c.id for c in chunk], day, SPANS)
        competitor = uow.competitor_bids.bids_for(
            api.marketplace, [k.external_id for ks in keywords.values() for k in ks]
        )
    wanted = [c for c in chunk if keywords.get(c.id) and not c.kill_switch]
    today, failed = _keyword_stats(api, wanted, metrics, day)
    return keywords, CampaignInputs(today, failed, windows, competitor)


def _run_chunk(
    services: MarketingServices,
    api: AdsMarketplace,
    chunk: Sequence[Campaign],
    stats: dict[str, CampaignStats],
    metrics: CycleMetrics,
    **cycle: Any,
) -> None:
    """Plan the chunk's campaigns, record their effects in the outbox (one transaction, with
    their binding constraints), then send what is pending for them."""
    keywords, inputs = _load(services, api, chunk, metrics, cycle["day"])
    outcomes: list[CampaignOutcome] = []
    for campaign in chunk:
        try:
            outcomes.append(
                run_campaign(
                    campaign,
                    keywords.get(campaign.id, []),
                    stats.get(campaign.external_id),
                    inputs,
                    now=cycle["now"],
                    cycle_key=cycle["cycle_key"],
                    dry_run=services.dry_run,
                    severities=services.severities,
                )
            )
        except Exception as exc:  # noqa: BLE001 — one campaign never stops the cycle
            metrics.failed(campaign, exc)
    for outcome in outcomes:
        metrics.add(outcome)
    sent = claim_and_send(
        services,
        TASK,
        [e for o in outcomes for e in entries_of(o, cycle["cycle_key"], cycle["now"])],
        cycle["now"],
        lambda _mp: api,
        also=lambda uow: _record_plans(uow, outcomes),
    )
    metrics.record(sent)


def _record_plans(uow: Any, outcomes: Sequence[CampaignOutcome]) -> None:
    """Dry-run decisions into the bid history; binding constraints that changed onto the campaigns."""
    uow.bid_history.add_many([h for o in outcomes for h in o.history])
    moved = [
        (o.campaign.id, o.constraint.value if o.constraint else None)
        for o in outcomes
        if (o.constraint.value if o.constraint else None) != o.campaign.binding_constraint
    ]
    if moved:
        uow.campaigns.set_constraints(moved)
