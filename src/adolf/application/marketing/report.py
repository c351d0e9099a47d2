"""``marketing.generate_report``: what the bid engine did and what it bought, per day and
per strategy (spend, orders, revenue, DRR, orders per 1000 ₽), with pauses and alerts, and
how each target campaign did against its target (``attainment``).

Attainment is judged from the period's third day on (``judge_from``; the whole period when
it is shorter than three days): the first two days are the strategies' run-in from bids
nobody tuned, and the first day has no earlier whole day to judge on."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from adolf.application.bounds import Day
from adolf.application.marketing.ports import MarketingServices
from adolf.domain.marketing.attainment import Attainment, attainment, summarise
from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign import Campaign, CampaignStatus
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


RUN_IN_DAYS = 2


def generate_report(
    services: MarketingServices, start: Day | None = None, end: Day | None = None, judge_from: Day | None = None
) -> dict[str, Any]:
    today = services.calendar.day(services.clock.now())
    end = end or today
    start = start or end - timedelta(days=6)
    if judge_from is None:
        judge_from = start + timedelta(days=RUN_IN_DAYS) if (end - start).days >= RUN_IN_DAYS else start
    since, until = services.calendar.day_start(start), services.calendar.day_start(end + timedelta(days=1))
    with services.uow() as uow:
        campaigns = {c.id: c for c in uow.campaigns.all()}
        daily = uow.stats.daily_between(start, end)
        keywords = uow.campaigns.keywords_of(list(campaigns), active_only=False)
        bids = uow.bid_history.count_between(since, until)
        alerts = uow.alert_queries.counts_between("marketing", since, until)
    per_day: dict[date, StatsTotals] = defaultdict(StatsTotals)
    per_strategy: dict[str, StatsTotals] = defaultdict(StatsTotals)
    judged: dict[int, StatsTotals] = defaultdict(StatsTotals)
    judged_strategy: dict[str, StatsTotals] = defaultdict(StatsTotals)
    for row in daily:
        if row.day >= judge_from:
            judged[row.campaign_id] = judged[row.campaign_id] + row.totals
            if row.campaign_id in campaigns:
                name = campaigns[row.campaign_id].strategy.value
                judged_strategy[name] = judged_strategy[name] + row.totals
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
        **_attainment(campaigns, judged, judged_strategy, judge_from, end),
    }


def _attainment(
    campaigns: dict[int, Campaign],
    judged: dict[int, StatsTotals],
    per_strategy: dict[str, StatsTotals],
    judge_from: date,
    end: date,
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    found: dict[str, list[Attainment]] = defaultdict(list)
    for campaign in sorted(campaigns.values(), key=lambda c: (c.strategy.value, c.marketplace.value, c.id)):
        target = campaign.target_drr if campaign.strategy is StrategyType.TARGET_DRR else campaign.target_cpo
        totals = judged.get(campaign.id, StatsTotals())
        constraint = campaign.binding_constraint or (None if campaign.is_active else "paused")
        result = attainment(campaign.strategy, target, totals, constraint)
        if result is None:
            continue
        found[campaign.strategy.value].append(result)
        rows.append(
            {
                "campaign_id": campaign.id,
                "name": campaign.name,
                "marketplace": campaign.marketplace.value,
                "strategy": campaign.strategy.value,
                "target": str(result.target),
                "achieved": None if result.achieved is None else str(result.achieved),
                "within": result.within,
                "constraint": result.constraint,
                "bound": result.bound,
                "spent": str(totals.spent),
                "orders": totals.orders,
            }
        )
    summaries = {name: summarise(items) for name, items in sorted(found.items())}
    return {
        "attainment": {
            "judged": {"start": judge_from.isoformat(), "end": end.isoformat()},
            "campaigns": rows,
            "summary": {name: asdict(s) | {"line": s.line(name)} for name, s in summaries.items()},
            "orders_per_1000_rub": {name: str(orders_per_thousand(t)) for name, t in sorted(per_strategy.items())},
        }
    }


def orders_per_thousand(totals: StatsTotals) -> Decimal:
    """Orders bought per 1000 ₽ of spend (0 with no spend): what a strategy buys for its money."""
    if not totals.spent:
        return Decimal(0)
    return (Decimal(totals.orders) * 1000 / totals.spent).quantize(Decimal("0.01"))
