"""``marketing.calculate_analytics`` (01:00): anomalies (7-day baseline, threshold 1.5) and
trends (14 days) per campaign, turned into recommendations by the language-model port."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from adolf.application.bounds import Day
from adolf.application.marketing.ports import AnalyticsFinding, DailyStats, MarketingServices, Recommendation
from adolf.domain.marketing.anomalies import detect_anomaly
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketing.trends import TrendDirection, trend

METRICS: dict[str, Callable[[StatsTotals], Decimal | int]] = {
    "spent": lambda t: t.spent,
    "orders": lambda t: t.orders,
    "drr": lambda t: t.drr,
    "ctr": lambda t: t.ctr,
}
TREND_DAYS = 14
BASELINE_DAYS = 7


def calculate_analytics(services: MarketingServices, day: Day | None = None) -> dict[str, Any]:
    target = day or services.calendar.yesterday(services.clock.now())
    with services.uow() as uow:
        campaigns = {c.id: c for c in uow.campaigns.all()}
        rows = uow.stats.daily_between(target - timedelta(days=TREND_DAYS - 1), target)
    series: dict[int, list[DailyStats]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r.day):
        series[row.campaign_id].append(row)
    findings: list[AnalyticsFinding] = []
    for campaign_id, days in series.items():
        campaign = campaigns.get(campaign_id)
        if campaign is None or days[-1].day != target:
            continue
        for metric, read in METRICS.items():
            values = [read(d.totals) for d in days]
            check = detect_anomaly(values[-1 - BASELINE_DAYS : -1], values[-1])
            if check.is_anomaly:
                findings.append(
                    AnalyticsFinding(
                        campaign_id,
                        campaign.name,
                        "anomaly",
                        metric,
                        f"{metric} {check.direction.value}: {check.value} vs mean {check.mean}",
                    )
                )
            direction = trend(values).direction
            if direction is not TrendDirection.FLAT and len(values) >= TREND_DAYS:
                findings.append(
                    AnalyticsFinding(
                        campaign_id,
                        campaign.name,
                        "trend",
                        metric,
                        f"{metric} trending {direction.value} over {len(values)} days",
                    )
                )
    advice = services.language_model.recommend(findings)
    now = services.clock.now()
    items = [Recommendation(f.campaign_id, target, f.kind, f.detail, now) for f in findings]
    items += [Recommendation(cid, target, "advice", text, now) for cid, text in advice]
    with services.uow() as uow:
        uow.recommendations.add_many(items)
        uow.commit()
    return {
        "day": target.isoformat(),
        "campaigns": len(series),
        "anomalies": sum(f.kind == "anomaly" for f in findings),
        "trends": sum(f.kind == "trend" for f in findings),
        "recommendations": len(advice),
    }
