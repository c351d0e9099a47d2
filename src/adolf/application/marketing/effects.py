"""The bid cycle's external effects through the outbox: recorded with the decision, then
sent, then applied to our records with the mark that they were sent.

Keys are ``{cycle slot}:{marketplace}:{campaign}:{kind}``: a retry, a redelivery or a
manual run inside the slot finds the effects an earlier delivery recorded, sends those
still pending and never re-sends one that was sent; a campaign whose effect of a kind is
already recorded keeps that decision (this run's is dropped). Every effect is a state the
marketplace is told to be in (a bid, paused), so sending one again after a delivery died
between the call and its record is harmless — and it is what makes our stored bids agree
with the marketplace's again.

A campaign pause or start the marketplace refuses as final (YM pauses and starts a sales
boost in the seller's cabinet only, SPEC §6) is not given up silently: the refusal raises
the campaign's alert saying the seller must do it in the cabinet, and it is not asked
again that day (``without_refused_today``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from adolf.application.marketing.alerting import AlertDraft
from adolf.application.marketing.campaign_cycle import CampaignOutcome
from adolf.application.marketing.ports import BidChangeRecord, MarketingServices
from adolf.application.ports.ads_marketplace import (
    AdsMarketplace,
    BidChange,
    BidUpdateResult,
    CampaignBids,
    MarketplaceError,
    MarketplaceRejected,
)
from adolf.application.ports.outbox import Outbox, OutboxEntry
from adolf.domain.marketing.campaign import Campaign, CampaignStatus
from adolf.domain.marketplace import Marketplace

log = logging.getLogger(__name__)

TASK = "marketing.run_bid_cycle"
BIDS, PAUSE_KEYWORDS, ALERT = "bids", "pause_keywords", "alert"
PAUSE_CAMPAIGN, START_CAMPAIGN = "pause_campaign", "start_campaign"
STATUS_KINDS = (PAUSE_CAMPAIGN, START_CAMPAIGN)
BUDGETS_TASK = "marketing.check_budgets"
#: the tasks that pause or start campaigns: a refusal seen by one holds back both
STATUS_TASKS = (TASK, BUDGETS_TASK)
PENDING_MAX_AGE = timedelta(hours=24)
#: Campaigns per bid-update call (WB's PATCH /api/advert/v1/bids limit).
BIDS_CHUNK = 50


@dataclass
class SendReport:
    bids_changed: int = 0
    keywords_paused: int = 0
    campaigns_paused: int = 0
    campaigns_started: int = 0
    rejected: int = 0
    alerts: int = 0
    api_calls: int = 0
    errors: dict[str, str] = field(default_factory=dict)  # "mp:campaign" → error


def campaign_key(cycle_key: str, outcome: CampaignOutcome) -> str:
    """The marketplace's idempotency key of the campaign's bid update in this slot."""
    return f"{cycle_key}:{outcome.campaign.marketplace.value}:{outcome.campaign.external_id}"


def campaign_effect(
    task: str, window: str, campaign: Campaign, kind: str, payload: dict[str, Any], now: datetime, suffix: str = ""
) -> OutboxEntry:
    """One effect on one campaign, keyed by the run's window: ``{window}:{mp}:{campaign}:{kind}``."""
    base = f"{window}:{campaign.marketplace.value}:{campaign.external_id}"
    common = {"mp": campaign.marketplace.value, "campaign_id": campaign.id, "campaign_ext": campaign.external_id}
    return OutboxEntry(f"{base}:{kind}{suffix}", task, kind, {**common, **payload}, now)


def alert_effect(task: str, window: str, campaign: Campaign, draft: AlertDraft, now: datetime) -> OutboxEntry:
    payload = {"alert": draft.payload() | {"key": f"{window}:{draft.campaign_id or '-'}"}}
    return campaign_effect(task, window, campaign, ALERT, payload, now, f":{draft.type}")


def status_payload(campaign: Campaign, reason: str, details: str) -> dict[str, Any]:
    """A pause's or start's payload: its reason, and what the alert needs if it is refused."""
    return {"reason": reason, "details": details, "name": campaign.name, "brand": campaign.brand}


def entries_of(outcome: CampaignOutcome, cycle_key: str, now: datetime) -> list[OutboxEntry]:
    """The effects one campaign's bid-cycle decision asks for, as outbox entries."""
    campaign = outcome.campaign
    entries: list[OutboxEntry] = []

    def add(kind: str, payload: dict[str, Any]) -> None:
        entries.append(campaign_effect(TASK, cycle_key, campaign, kind, payload, now))

    if outcome.campaign_pause is not None:
        add(PAUSE_CAMPAIGN, status_payload(campaign, outcome.campaign_pause, outcome.pause_details))
    if outcome.keyword_pauses:
        add(PAUSE_KEYWORDS, {"keywords": [[k.id, k.external_id, reason] for k, reason in outcome.keyword_pauses]})
    if outcome.bids:
        changes = [
            [k.id, ext, str(k.bid), str(new), reason, constraint]
            for ext, (k, new, reason, constraint) in outcome.bids.items()
        ]
        add(BIDS, {"strategy": campaign.strategy.value, "key": campaign_key(cycle_key, outcome), "changes": changes})
    entries.extend(alert_effect(TASK, cycle_key, campaign, draft, now) for draft in outcome.alerts)
    return entries


def flush_pending(services: MarketingServices, task: str, now: datetime) -> SendReport:
    """Effects of ``task`` an earlier run recorded but never sent (it died, or the
    marketplace failed): sent first, so this run decides on records that agree with the
    marketplace. Those older than ``PENDING_MAX_AGE`` are given up: their moment passed."""
    with services.uow() as uow:
        uow.outbox.expire_before(task, now - PENDING_MAX_AGE)
        pending = uow.outbox.pending(task)
        uow.commit()
    if not pending:
        return SendReport()
    log.info("%s: sending %d effect(s) recorded by an earlier run", task, len(pending))
    return send_pending(services, pending, now, services.marketplace)


def claim_and_send(
    services: MarketingServices,
    task: str,
    entries: Sequence[OutboxEntry],
    now: datetime,
    api_for: Callable[[Marketplace], AdsMarketplace],
    also: Callable[[Any], None] | None = None,
) -> SendReport:
    """Record the entries (a key already recorded keeps its earlier decision) in one
    transaction — with ``also(uow)``'s writes — then send what is pending of them."""
    since = services.calendar.day_start(services.calendar.day(now))
    with services.uow() as uow:
        uow.outbox.claim_many(without_refused_today(uow.outbox, entries, since))
        if also is not None:
            also(uow)
        pending = uow.outbox.pending(task, [e.key for e in entries])
        uow.commit()
    return send_pending(services, pending, now, api_for)


def without_refused_today(outbox: Outbox, entries: Sequence[OutboxEntry], since: datetime) -> list[OutboxEntry]:
    """The entries but the pauses and starts the marketplace refused as final for their
    campaign since ``since`` (the local day's start), with the campaign's alerts of their
    reason (they would say it was done).

    A refusal is the marketplace's answer for the day — YM's API has no pause — and the seller
    was told by the refusal's alert; asking every 15 minutes would only repeat both. The
    outbox keeps the refused effect (``failed``, for a week), so it is looked up there, by
    campaign and kind, from both tasks that pause or start; the next day asks again.
    """
    asks = [e for e in entries if e.kind in STATUS_KINDS]
    if not asks:
        return list(entries)
    refused = {(e.payload["campaign_id"], e.kind) for e in outbox.failed_since(STATUS_TASKS, STATUS_KINDS, since)}
    skipped = {
        e.payload["campaign_id"]: e.payload.get("reason") for e in asks if (e.payload["campaign_id"], e.kind) in refused
    }
    if not skipped:
        return list(entries)

    def kept(entry: OutboxEntry) -> bool:
        campaign = entry.payload["campaign_id"]
        if campaign not in skipped:
            return True
        if entry.kind == ALERT:
            return bool(entry.payload["alert"]["type"] != skipped[campaign])
        return entry.kind not in STATUS_KINDS

    log.info("%d campaign(s) not asked again today: their pause or start was refused", len(skipped))
    return [e for e in entries if kept(e)]


def send_pending(
    services: MarketingServices,
    entries: Sequence[OutboxEntry],
    now: datetime,
    api_for: Callable[[Marketplace], AdsMarketplace],
) -> SendReport:
    """Send recorded effects (oldest first), then record what was applied, and that they
    were sent, in one transaction per marketplace; alerts are queued last."""
    report = SendReport()
    by_mp: dict[str, list[OutboxEntry]] = defaultdict(list)
    for entry in entries:
        by_mp[entry.payload["mp"]].append(entry)
    for mp, group in by_mp.items():
        _send_marketplace(services, api_for(Marketplace(mp)), group, now, report)
    return report


@dataclass
class _Applied:
    sent: list[int] = field(default_factory=list)
    failed: list[tuple[int, str, bool]] = field(default_factory=list)
    statuses: list[tuple[int, CampaignStatus, str | None]] = field(default_factory=list)
    pauses: list[tuple[int, str]] = field(default_factory=list)
    bids: list[tuple[int, Decimal]] = field(default_factory=list)
    history: list[BidChangeRecord] = field(default_factory=list)
    alerts: list[OutboxEntry] = field(default_factory=list)
    calls: list[OutboxEntry] = field(default_factory=list)  # every effect tried but alerts
    refused: list[OutboxEntry] = field(default_factory=list)  # cabinet alerts of refused pauses and starts


def _send_marketplace(
    services: MarketingServices, api: AdsMarketplace, entries: Sequence[OutboxEntry], now: datetime, report: SendReport
) -> None:
    applied = _Applied()
    for entry in entries:
        if entry.kind in (PAUSE_CAMPAIGN, START_CAMPAIGN, PAUSE_KEYWORDS):
            refusal = _campaign_call(api, entry, applied, report)
            if refusal is not None and entry.kind in STATUS_KINDS:
                applied.refused.append(_cabinet_alert(services, entry, refusal, now))
        elif entry.kind == ALERT:
            applied.alerts.append(entry)
    bids = [e for e in entries if e.kind == BIDS]
    for start in range(0, len(bids), BIDS_CHUNK):
        _send_bids(api, bids[start : start + BIDS_CHUNK], applied, report, now)
    _hold_alerts_of_failed(applied)
    with services.uow() as uow:
        if applied.refused:
            uow.outbox.claim_many(applied.refused)
            for task in dict.fromkeys(e.task for e in applied.refused):
                applied.alerts.extend(uow.outbox.pending(task, [e.key for e in applied.refused if e.task == task]))
        uow.campaigns.set_bids(applied.bids)
        uow.campaigns.pause_keywords(applied.pauses)
        for campaign_id, status, reason in applied.statuses:
            uow.campaigns.set_status(campaign_id, status, reason)
        uow.bid_history.add_many(applied.history)
        uow.outbox.mark_sent(applied.sent, now)
        for entry_id, error, final in applied.failed:
            uow.outbox.mark_failed([entry_id], error, final)
        uow.commit()
    report.bids_changed += len(applied.history)
    report.keywords_paused += len(applied.pauses)
    report.campaigns_paused += sum(status is CampaignStatus.PAUSED for _, status, _ in applied.statuses)
    report.campaigns_started += sum(status is CampaignStatus.ACTIVE for _, status, _ in applied.statuses)
    _queue_alerts(services, applied.alerts, now, report)


def _cabinet_alert(services: MarketingServices, entry: OutboxEntry, refusal: str, now: datetime) -> OutboxEntry:
    """The alert of a pause or start the marketplace refused: not done, why it was wanted, the
    marketplace's reason, and that the seller does it in the cabinet. Recorded in the outbox
    with the refusal (a run dying before it is queued leaves it pending, not lost); keyed by
    the campaign and the day, so it is raised once a day whoever asked."""
    payload = entry.payload
    do, done = ("pause", "paused") if entry.kind == PAUSE_CAMPAIGN else ("start", "started")
    reason = payload.get("reason") or entry.kind
    why = f"{reason}: {payload['details']}" if payload.get("details") else reason
    name = payload.get("name") or f"campaign {payload['campaign_ext']}"
    draft = AlertDraft(
        reason,
        services.severities.of(reason),
        f"{name} not {done}: {why} — the marketplace refused it through its API ({refusal}): {do} it in the "
        "seller's cabinet",
        payload.get("brand"),
        str(payload["campaign_id"]),
        key=f"{entry.kind}_refused:{services.calendar.day(now).isoformat()}:{payload['campaign_id']}",
    )
    common = {k: payload[k] for k in ("mp", "campaign_id", "campaign_ext")}
    return OutboxEntry(f"{entry.key}:{ALERT}:refused", entry.task, ALERT, {**common, "alert": draft.payload()}, now)


def _hold_alerts_of_failed(applied: _Applied) -> None:
    """An alert says what was done ("paused"): while its campaign's effect failed it stays
    pending, raised by the run that gets the effect through; given up with it if refused
    (a refused pause or start raises its own alert, ``_cabinet_alert``)."""
    failed = {entry_id: final for entry_id, _, final in applied.failed}
    if not failed:
        return
    campaigns = {e.payload["campaign_ext"]: failed[e.id] for e in applied.calls if e.id in failed}
    held = [e for e in applied.alerts if e.payload["campaign_ext"] in campaigns]
    applied.alerts = [e for e in applied.alerts if e not in held]
    applied.failed.extend(
        (e.id, "held: an effect of its campaign failed", campaigns[e.payload["campaign_ext"]])
        for e in held
        if e.id is not None and campaigns[e.payload["campaign_ext"]]
    )


def _campaign_call(api: AdsMarketplace, entry: OutboxEntry, applied: _Applied, report: SendReport) -> str | None:
    """Make the call; the marketplace's reason when it refused it as final."""
    assert entry.id is not None
    applied.calls.append(entry)
    report.api_calls += 1
    try:
        if entry.kind == PAUSE_CAMPAIGN:
            api.pause_campaign(entry.payload["campaign_ext"])
        elif entry.kind == START_CAMPAIGN:
            api.start_campaign(entry.payload["campaign_ext"])
        else:
            api.pause_keywords(entry.payload["campaign_ext"], [ext for _, ext, _ in entry.payload["keywords"]])
    except MarketplaceError as exc:
        error = f"{type(exc).__name__}: {exc}"
        applied.failed.append((entry.id, error, isinstance(exc, MarketplaceRejected)))
        report.errors[f"{entry.payload['mp']}:{entry.payload['campaign_ext']}"] = error
        log.warning("bid cycle: %s of campaign %s failed: %s", entry.kind, entry.payload["campaign_ext"], exc)
        return str(exc) if isinstance(exc, MarketplaceRejected) else None
    applied.sent.append(entry.id)
    if entry.kind == PAUSE_CAMPAIGN:
        applied.statuses.append((entry.payload["campaign_id"], CampaignStatus.PAUSED, entry.payload["reason"]))
    elif entry.kind == START_CAMPAIGN:
        applied.statuses.append((entry.payload["campaign_id"], CampaignStatus.ACTIVE, None))
    else:
        applied.pauses.extend((kid, reason) for kid, _, reason in entry.payload["keywords"])
    return None


def _send_bids(
    api: AdsMarketplace, batch: Sequence[OutboxEntry], applied: _Applied, report: SendReport, now: datetime
) -> None:
    requests = [
        CampaignBids(
            e.payload["campaign_ext"],
            tuple(BidChange(change[1], Decimal(change[3])) for change in e.payload["changes"]),
            e.payload["key"],
        )
        for e in batch
    ]
    report.api_calls += 1
    try:
        results = api.update_bids_batch(requests)
    except MarketplaceError as exc:
        error = f"{type(exc).__name__}: {exc}"
        results = {e.payload["campaign_ext"]: BidUpdateResult((), (), error) for e in batch}
        final = isinstance(exc, MarketplaceRejected)
    else:
        final = False
    for entry in batch:
        assert entry.id is not None
        applied.calls.append(entry)
        result = results.get(entry.payload["campaign_ext"]) or BidUpdateResult((), (), "no answer for the campaign")
        if result.error is not None:
            applied.failed.append((entry.id, result.error, final))
            report.errors[f"{entry.payload['mp']}:{entry.payload['campaign_ext']}"] = result.error
            continue
        applied.sent.append(entry.id)
        report.rejected += len(result.rejected)
        done = set(result.applied)
        for change in entry.payload["changes"]:
            keyword_id, ext, old, new, reason = change[:5]
            if ext not in done:
                continue
            applied.bids.append((keyword_id, Decimal(new)))
            applied.history.append(
                BidChangeRecord(
                    keyword_id=keyword_id,
                    campaign_id=entry.payload["campaign_id"],
                    old_bid=Decimal(old),
                    new_bid=Decimal(new),
                    source="bid_cycle",
                    strategy=entry.payload["strategy"],
                    reason=reason,
                    created_at=now,
                    idempotency_key=entry.payload["key"],
                    constraint=change[5] if len(change) > 5 else None,  # entries recorded before it have none
                )
            )


def _queue_alerts(
    services: MarketingServices, entries: Sequence[OutboxEntry], now: datetime, report: SendReport
) -> None:
    """Queueing is the alert's sending here: ``send_alert`` keeps one row per key, so an
    alert queued twice (a delivery dying before its mark) is raised once."""
    if not entries:
        return
    for entry in entries:
        services.queue.enqueue("marketing.send_alert", entry.payload["alert"])
    with services.uow() as uow:
        uow.outbox.mark_sent([e.id for e in entries if e.id is not None], now)
        uow.commit()
    report.alerts += len(entries)
