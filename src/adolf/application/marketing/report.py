"""``marketing.generate_report``: what the bid engine did and what it bought, per day and
per strategy (spend, orders, revenue, DRR), with pauses and alerts."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

from adolf.application.bounds import Day
from adolf.application.marketing.ports import MarketingServices
from adolf.domain.marketing.campaign import CampaignStatus
from adolf.domain.marketing.metrics import StatsTotals


def _row(totals: StatsTotals) -> dict[str, Any]:
    return {
        "spent": str(totals.spent),
        "orders": totals.orders,
        "revenue": str(totals.revenue),
        "drr": str(totals.drr),
        "views": totals.views,
        "clicks": totals.clicks,
        "ctr": str(totals.ctr),
    }


def generate_report(services: MarketingServices, start: Day | None = None, end: Day | None = None) -> dict[str, Any]:
    today = services.calendar.day(services.clock.now())
    end = end or today
    start = start or end - timedelta(days=6)
    since, until = services.calendar.day_start(start), services.calendar.day_start(end + timedelta(days=1))
    with services.uow() as uow:
        campaigns = {c.id: c for c in uow.campaigns.all()}
        daily = uow.stats.daily_between(start, end)
        keywords = uow.campaigns.keywords_of(list(campaigns), active_only=False)
        bids = uow.bid_history.count_between(since, until)
        alerts = uow.alert_queries.counts_between("marketing", since, until)
    per_day: dict[date, StatsTotals] = defaultdict(StatsTotals)
    per_strategy: dict[str, StatsTotals] = defaultdict(StatsTotals)
    for row in daily:
        per_day[row.day] = per_day[row.day] + row.totals
        campaign = campaigns.get(row.campaign_id)
        if campaign is not None:
            per_strategy[campaign.strategy.value] = per_strategy[campaign.strategy.value] + row.totals
    total = StatsTotals.total(per_day.values())
    campaign_pauses = Counter(
        c.pause_reason or "by the seller" for c in campaigns.values() if c.status is CampaignStatus.PAUSED
    )
    keyword_pauses = Counter(
        k.pause_reason or "by the seller" for ks in keywords.values() for k in ks if not k.is_active
    )
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "campaigns": len(campaigns),
        "bids_changed": dict(bids),
        "campaigns_paused": dict(campaign_pauses),
        "keywords_paused": dict(keyword_pauses),
        "alerts": dict(alerts),
        "per_day": {d.isoformat(): _row(t) for d, t in sorted(per_day.items())},
        "per_strategy": {s: _row(t) for s, t in sorted(per_strategy.items())},
        "total": _row(total),
    }
