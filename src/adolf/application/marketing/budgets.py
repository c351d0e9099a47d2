"""``marketing.check_budgets`` (:03 :18 :33 :48): spend against daily limits between cycles.

Spent ≥ limit → pause + ``budget_exceeded``; ≥ 80 % → ``budget_warning`` once a day per
campaign. A pause the marketplace refuses (YM: cabinet only) raises ``budget_exceeded``
saying so and is not asked again that day (``effects.without_refused_today``). A campaign we paused for its budget on an earlier local day is started again:
its new day has a new budget (the seeds pause but never resume; a seller would).
"""

from __future__ import annotations

from typing import Any

from adolf.application.marketing.alerting import AlertDraft
from adolf.application.marketing.calendar import slot_of
from adolf.application.marketing.campaign_cycle import totals_of
from adolf.application.marketing.effects import (
    BUDGETS_TASK,
    PAUSE_CAMPAIGN,
    START_CAMPAIGN,
    alert_effect,
    campaign_effect,
    claim_and_send,
    flush_pending,
    status_payload,
)
from adolf.application.marketing.ports import MarketingServices
from adolf.application.ports.ads_marketplace import MarketplaceError
from adolf.application.ports.outbox import OutboxEntry
from adolf.domain.marketing.safety import SafetyAction, SafetyReason, check_campaign

BUDGET_PAUSE = SafetyReason.BUDGET_EXCEEDED.value


TASK = BUDGETS_TASK


def check_budgets(services: MarketingServices) -> dict[str, Any]:
    """Pauses, starts and alerts go through the outbox (``marketing.effects``): recorded
    with the decision under the run's 15-minute window, then sent; a redelivered run sends
    what is pending and nothing twice."""
    now = services.clock.now()
    today = services.calendar.day(now)
    window = f"check_budgets:{slot_of(now, 15)}"
    counts = {"checked": 0, "paused": 0, "warned": 0, "resumed": 0, "errors": 0}
    earlier = flush_pending(services, TASK, now)
    counts["paused"] += earlier.campaigns_paused
    counts["resumed"] += earlier.campaigns_started
    for marketplace in services.marketplaces:
        api = services.marketplace(marketplace)
        with services.uow() as uow:
            campaigns = uow.campaigns.all(marketplace)
            paused_today = {
                c.id
                for c in campaigns
                if c.pause_reason == BUDGET_PAUSE
                and uow.alert_queries.exists_since(
                    "marketing", BUDGET_PAUSE, str(c.id), services.calendar.day_start(today)
                )
            }
        limited = [c for c in campaigns if c.daily_budget and (c.is_active or c.pause_reason == BUDGET_PAUSE)]
        if not limited:
            continue
        try:
            fetched = api.campaign_stats([c.external_id for c in limited], today)
        except MarketplaceError:
            counts["errors"] += len(limited)
            continue
        stats = {s.campaign_external_id: s for s in fetched.items}
        entries: list[OutboxEntry] = []
        for campaign in limited:
            counts["checked"] += 1
            totals = totals_of(stats.get(campaign.external_id))
            verdict = check_campaign(totals.spent, campaign.daily_budget, None, campaign.safety)
            if not campaign.is_active:
                if campaign.id not in paused_today and verdict.action is not SafetyAction.PAUSE_CAMPAIGN:
                    why = f"a new day's budget: spent_today={totals.spent} < daily_limit={campaign.daily_budget}"
                    start = status_payload(campaign, BUDGET_PAUSE, why)
                    entries.append(campaign_effect(TASK, window, campaign, START_CAMPAIGN, start, now))
                continue
            if verdict.action is SafetyAction.PAUSE_CAMPAIGN:
                pause = status_payload(campaign, BUDGET_PAUSE, verdict.details[0])
                entries.append(campaign_effect(TASK, window, campaign, PAUSE_CAMPAIGN, pause, now))
                draft = AlertDraft(
                    BUDGET_PAUSE,
                    services.severities.of(BUDGET_PAUSE),
                    f"{campaign.name} paused: {verdict.details[0]}",
                    campaign.brand,
                    str(campaign.id),
                )
                entries.append(alert_effect(TASK, window, campaign, draft, now))
            elif SafetyReason.BUDGET_WARNING in verdict.reasons:
                counts["warned"] += 1
                draft = AlertDraft(
                    "budget_warning",
                    services.severities.of("budget_warning"),
                    f"{campaign.name}: {verdict.details[0]}",
                    campaign.brand,
                    str(campaign.id),
                    once_a_day=True,
                )
                entries.append(alert_effect(TASK, window, campaign, draft, now))
        sent = claim_and_send(services, TASK, entries, now, services.marketplace)
        counts["paused"] += sent.campaigns_paused
        counts["resumed"] += sent.campaigns_started
        counts["errors"] += len(sent.errors)
    return counts
