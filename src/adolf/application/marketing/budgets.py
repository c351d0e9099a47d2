"""``marketing.check_budgets`` (:03 :18 :33 :48): spend against daily limits between cycles.

Spent ≥ limit → pause + ``budget_exceeded``; ≥ 80 % → ``budget_warning`` once a day per
campaign. A campaign we paused for its budget on an earlier Moscow day is started again:
its new day has a new budget (the seeds pause but never resume; a seller would).
"""

from __future__ import annotations

from typing import Any

from adolf.application.marketing.alerting import AlertDraft, queue_alerts
from adolf.application.marketing.calendar import day_start, moscow_day, slot_of
from adolf.application.marketing.campaign_cycle import totals_of
from adolf.application.marketing.ports import MarketingServices
from adolf.application.ports.ads_marketplace import MarketplaceError
from adolf.domain.marketing.campaign import CampaignStatus
from adolf.domain.marketing.safety import SafetyAction, SafetyReason, check_campaign

BUDGET_PAUSE = SafetyReason.BUDGET_EXCEEDED.value


def check_budgets(services: MarketingServices) -> dict[str, Any]:
    now = services.clock.now()
    today = moscow_day(now)
    counts = {"checked": 0, "paused": 0, "warned": 0, "resumed": 0, "errors": 0}
    drafts: list[AlertDraft] = []
    for marketplace in services.marketplaces:
        api = services.marketplace(marketplace)
        with services.uow() as uow:
            campaigns = uow.campaigns.all(marketplace)
            paused_today = {
                c.id
                for c in campaigns
                if c.pause_reason == BUDGET_PAUSE
                and uow.alert_queries.exists_since("marketing", BUDGET_PAUSE, str(c.id), day_start(today))
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
        changes: list[tuple[int, CampaignStatus, str | None]] = []
        for campaign in limited:
            counts["checked"] += 1
            totals = totals_of(stats.get(campaign.external_id))
            verdict = check_campaign(totals.spent, campaign.daily_budget, None, campaign.safety)
            try:
                if not campaign.is_active:
                    if campaign.id not in paused_today and verdict.action is not SafetyAction.PAUSE_CAMPAIGN:
                        api.start_campaign(campaign.external_id)
                        changes.append((campaign.id, CampaignStatus.ACTIVE, None))
                        counts["resumed"] += 1
                    continue
                if verdict.action is SafetyAction.PAUSE_CAMPAIGN:
                    api.pause_campaign(campaign.external_id)
                    changes.append((campaign.id, CampaignStatus.PAUSED, BUDGET_PAUSE))
                    counts["paused"] += 1
                    drafts.append(
                        AlertDraft(
                            BUDGET_PAUSE,
                            "warning",
                            f"{campaign.name} paused: {verdict.details[0]}",
                            campaign.brand,
                            str(campaign.id),
                        )
                    )
                elif SafetyReason.BUDGET_WARNING in verdict.reasons:
                    counts["warned"] += 1
                    drafts.append(
                        AlertDraft(
                            "budget_warning",
                            "info",
                            f"{campaign.name}: {verdict.details[0]}",
                            campaign.brand,
                            str(campaign.id),
                            once_a_day=True,
                        )
                    )
            except MarketplaceError:
                counts["errors"] += 1
        with services.uow() as uow:
            for campaign_id, status, reason in changes:
                uow.campaigns.set_status(campaign_id, status, reason)
            uow.commit()
    queue_alerts(services, drafts, f"check_budgets:{slot_of(now, 15)}")
    return counts
