"""``marketing.calculate_analytics`` and the embedded rule-based adviser."""

from __future__ import annotations

from datetime import date, timedelta

from adolf.application.marketing.adviser import RuleBasedAdviser
from adolf.application.marketing.analytics import calculate_analytics
from adolf.application.marketing.ports import AnalyticsFinding, DailyStats
from adolf.domain.marketing.metrics import StatsTotals
from tests.support.fakes import FakeServices
from tests.unit.application.builders import D, campaign, seed

TARGET = date(2024, 5, 9)  # yesterday, for the fake clock


def row(cid: int, days_back: int, spent: int, orders: int = 10) -> DailyStats:
    return DailyStats(
        cid,
        TARGET - timedelta(days=days_back),
        StatsTotals(views=1000, clicks=50, orders=orders, spent=D(spent), revenue=D(1000)),
    )


def test_analytics_finds_an_injected_anomaly_and_a_trend_and_stores_recommendations(services: FakeServices) -> None:
    for cid in (1, 2, 3):
        seed(services, campaign(cid))
    rows = [row(1, back, 100 + back % 3) for back in range(1, 14)] + [row(1, 0, 300)]  # spend spikes yesterday
    rows += [row(2, back, 100, orders=23 - back) for back in range(1, 14)] + [row(2, 0, 100, orders=20)]  # orders rise
    rows += [row(3, back, 100 + 50 * (back % 2)) for back in range(1, 14)]  # nothing yesterday: not judged
    rows += [row(99, 0, 5)]  # a campaign that no longer exists
    services.uow().stats.upsert_daily(rows)

    result = calculate_analytics(services)

    assert result["day"] == "2024-05-09" and result["campaigns"] == 4
    found = {(r.campaign_id, r.kind, r.message.split(":")[0]) for r in services.uow().recommendations.for_day(TARGET)}
    assert (1, "anomaly", "spent up") in found
    assert (2, "trend", "orders trending up over 14 days") in found
    assert not any(cid == 2 and kind == "anomaly" for cid, kind, _ in found)
    assert not any(cid in (3, 99) for cid, _, _ in found)
    advice = [r for r in services.uow().recommendations.items if r.kind == "advice"]
    assert [r.campaign_id for r in advice] == [1, 2] and result["recommendations"] == 2
    assert result["anomalies"] >= 1 and result["trends"] >= 1
    assert {f.campaign_id for f in services.language_model.seen} == {1, 2}
    assert services.uow().committed


def test_analytics_without_data_stores_nothing_but_commits(services: FakeServices) -> None:
    result = calculate_analytics(services)

    assert result == {"day": "2024-05-09", "campaigns": 0, "anomalies": 0, "trends": 0, "recommendations": 0}
    assert services.uow().recommendations.items == []


def test_the_adviser_gives_one_recommendation_per_campaign_from_its_worst_finding() -> None:
    findings = [
        AnalyticsFinding(2, "Bags", "trend", "ctr", "ctr trending down over 14 days"),
        AnalyticsFinding(1, "Shoes", "trend", "spent", "spent trending up over 14 days"),
        AnalyticsFinding(1, "Shoes", "anomaly", "drr", "drr up: 40 vs mean 10"),
        AnalyticsFinding(3, "Hats", "anomaly", "roas", "roas down: 1 vs mean 4"),
    ]

    advice = RuleBasedAdviser().recommend(findings)

    assert [cid for cid, _ in advice] == [1, 2, 3]
    assert advice[0][1].startswith("Shoes: DRR jumped") and "(drr up: 40 vs mean 10)" in advice[0][1]
    assert advice[1][1].startswith("Bags: CTR is trending")
    assert advice[2][1] == "Hats: roas down: 1 vs mean 4 (roas down: 1 vs mean 4)"  # no rule: the finding itself
    assert RuleBasedAdviser().recommend([]) == []
