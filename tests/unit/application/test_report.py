"""``marketing.generate_report``: per day and per strategy, with DRR, pauses, bid changes, alerts."""

from __future__ import annotations

from datetime import UTC, date, datetime

from adolf.application.marketing.ports import BidChangeRecord, DailyStats
from adolf.application.marketing.report import generate_report
from adolf.application.ports.alerts import AlertRecord
from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign import CampaignStatus, KeywordStatus
from adolf.domain.marketing.metrics import StatsTotals
from tests.support.fakes import FakeServices
from tests.unit.application.builders import D, campaign, keyword, seed


def day_row(cid: int, day: date, spent: str, revenue: str, orders: int = 1) -> DailyStats:
    return DailyStats(cid, day, StatsTotals(views=1000, clicks=20, orders=orders, spent=D(spent), revenue=D(revenue)))


def history(at: datetime, source: str) -> BidChangeRecord:
    return BidChangeRecord(11, 1, D("10"), D("12"), source, "target_drr", "below_target", at)


def test_the_report_sums_per_day_and_per_strategy_with_drr(services: FakeServices) -> None:
    seed(
        services,
        campaign(1, strategy=StrategyType.TARGET_DRR),
        keyword(11, 1),
        keyword(12, 1, status=KeywordStatus.PAUSED, pause_reason="spend_without_orders"),
    )
    seed(services, campaign(2, strategy=StrategyType.MANUAL))
    seed(services, campaign(3, status=CampaignStatus.PAUSED, pause_reason="budget_exceeded"))
    uow = services.uow()
    uow.stats.upsert_daily(
        [
            day_row(1, date(2024, 5, 8), "100", "1000"),
            day_row(2, date(2024, 5, 8), "50", "0", orders=0),
            day_row(1, date(2024, 5, 9), "200", "1000", orders=2),
            day_row(1, date(2024, 5, 3), "9999", "1"),  # before the 7-day window
        ]
    )
    uow.bid_history.add_many(
        [
            history(datetime(2024, 5, 9, 10, tzinfo=UTC), "bid_cycle"),
            history(datetime(2024, 5, 9, 11, tzinfo=UTC), "bid_cycle"),
            history(datetime(2024, 5, 9, 12, tzinfo=UTC), "manual"),
            history(datetime(2024, 5, 1, 12, tzinfo=UTC), "bid_cycle"),  # outside
        ]
    )
    uow.alerts.add(AlertRecord("marketing", "budget_exceeded", "warning", "m", datetime(2024, 5, 9, tzinfo=UTC)))

    report = generate_report(services)

    assert report["period"] == {"start": "2024-05-04", "end": "2024-05-10"}
    assert report["campaigns"] == 3
    assert report["per_day"]["2024-05-08"]["spent"] == "150" and report["per_day"]["2024-05-08"]["drr"] == "15.00"
    assert report["per_day"]["2024-05-09"]["drr"] == "20.00" and report["per_day"]["2024-05-09"]["orders"] == 2
    assert list(report["per_day"]) == ["2024-05-08", "2024-05-09"]
    assert (
        report["per_strategy"]["target_drr"]["spent"] == "300"
        and report["per_strategy"]["target_drr"]["drr"] == "15.00"
    )
    assert report["per_strategy"]["manual"] == {
        "spent": "50",
        "orders": 0,
        "revenue": "0",
        "drr": "0.00",
        "views": 1000,
        "clicks": 20,
        "ctr": "2.00",
    }
    assert report["total"]["spent"] == "350" and report["total"]["drr"] == "17.50"
    assert report["bids_changed"] == {"bid_cycle": 2, "manual": 1}
    assert report["campaigns_paused"] == {"budget_exceeded": 1}
    assert report["keywords_paused"] == {"spend_without_orders": 1}
    assert report["alerts"] == {"budget_exceeded": 1}


def test_a_report_for_a_given_period_only_reads_that_period(services: FakeServices) -> None:
    seed(services, campaign(1))
    services.uow().stats.upsert_daily(
        [day_row(1, date(2024, 4, 1), "10", "100"), day_row(1, date(2024, 4, 2), "30", "100")]
    )

    report = generate_report(services, start=date(2024, 4, 2), end=date(2024, 4, 2))

    assert list(report["per_day"]) == ["2024-04-02"] and report["total"]["spent"] == "30"


def test_attainment_judges_each_target_campaign_from_the_third_day_against_its_target(
    services: FakeServices,
) -> None:
    from dataclasses import replace

    seed(services, replace(campaign(1, target_drr=D("10")), binding_constraint="within_band"))
    seed(services, replace(campaign(2, target_drr=D("10")), binding_constraint="at_max_bid"))
    seed(
        services,
        replace(
            campaign(3, strategy=StrategyType.TARGET_CPO, target_drr=None, target_cpo=D("50")),
            binding_constraint="lowered",
        ),
    )
    seed(services, campaign(4, strategy=StrategyType.MANUAL, target_drr=None))
    first = date(2024, 5, 1)
    uow = services.uow()
    uow.stats.upsert_daily(
        [
            day_row(1, first, "900", "1000"),  # run-in days are not judged
            day_row(1, date(2024, 5, 3), "105", "1000"),  # DRR 10.5 vs 10: within
            day_row(2, date(2024, 5, 3), "50", "1000"),  # DRR 5: short, bound at max_bid
            day_row(3, date(2024, 5, 3), "240", "5000", orders=4),  # CPO 60 vs 50: outside
            day_row(4, date(2024, 5, 3), "10", "1000", orders=5),
            day_row(4, date(2024, 5, 4), "10", "1000", orders=5),
        ]
    )

    report = generate_report(services, first, date(2024, 5, 4))

    attainment = report["attainment"]
    assert attainment["judged"] == {"start": "2024-05-03", "end": "2024-05-04"}
    rows = {r["campaign_id"]: r for r in attainment["campaigns"]}
    assert set(rows) == {1, 2, 3}  # manual has no ratio target
    assert (rows[1]["achieved"], rows[1]["within"], rows[1]["bound"]) == ("10.50", True, False)
    assert (rows[2]["achieved"], rows[2]["within"], rows[2]["bound"]) == ("5.00", False, True)
    assert (rows[3]["achieved"], rows[3]["within"], rows[3]["constraint"]) == ("60.00", False, "lowered")
    drr = attainment["summary"]["target_drr"]
    assert (drr["campaigns"], drr["within"], drr["unbound"], drr["unbound_within"]) == (2, 1, 1, 1)
    assert drr["line"] == "target_drr: 1/2 within ±10 % (1/1 of those not bound), 1 bound at_max_bid"
    assert attainment["summary"]["target_cpo"]["line"] == "target_cpo: 0/1 within ±10 % (0/1 of those not bound)"
    assert attainment["orders_per_1000_rub"]["manual"] == "500.00"  # 10 orders for 20 ₽
