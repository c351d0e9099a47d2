"""Snapshots, daily and monthly aggregates, retention."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from adolf.application.marketing import stats
from adolf.application.marketing.ports import BidChangeRecord, DailyStats, StatsSnapshot
from adolf.application.ports.alerts import AlertRecord
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketplace import Marketplace
from tests.support.fakes import FakeServices
from tests.unit.application.builders import DAY, D, campaign, cstats, keyword, kstats, seed


def totals(spent: str, orders: int = 1, views: int = 100, clicks: int = 10, revenue: str = "1000") -> StatsTotals:
    return StatsTotals(views=views, clicks=clicks, orders=orders, spent=D(spent), revenue=D(revenue))


def test_collect_stats_writes_campaign_and_keyword_snapshots_and_counts_skipped_rows(services: FakeServices) -> None:
    wb = services.market()
    seed(services, campaign(1), keyword(11, 1), keyword(12, 1))
    seed(services, campaign(2), keyword(21, 2))
    wb.set_campaign_stats(cstats("c1", spent="700"), cstats("c2", spent="30"))
    wb.set_keyword_stats("c1", kstats("k11", avg_position=D("2.5")), kstats("k12"), kstats("k-unknown"))
    wb.set_keyword_stats("c2", kstats("k21"))
    wb.skipped = {"campaign_stats": ("spent='x' is not a number",), "keyword_stats": ("views=-1 must be >= 0",)}

    result = stats.collect_stats(services, Marketplace.WB)

    snapshots = services.uow().stats.snapshots
    assert {(s.campaign_id, s.keyword_id) for s in snapshots} == {(1, None), (1, 11), (1, 12), (2, None), (2, 21)}
    assert all(s.day == DAY and s.captured_at == services.clock.now() for s in snapshots)
    [k11] = [s for s in snapshots if s.keyword_id == 11]
    assert k11.avg_position == D("2.5") and k11.totals.spent == D("300")
    # one campaign-stats call and one batched keyword-stats call, each with one malformed row
    assert result == {"campaigns": 2, "snapshots": 5, "skipped_rows": 2, "errors": 0}
    assert [name for name, _ in wb.calls] == ["campaign_stats", "keyword_stats_batch"]
    assert services.uow().committed


def test_collect_stats_counts_a_campaign_whose_keyword_stats_fail_and_keeps_the_rest(services: FakeServices) -> None:
    wb = services.market()
    seed(services, campaign(1), keyword(11, 1))
    seed(services, campaign(2), keyword(21, 2))
    wb.set_campaign_stats(cstats("c1"), cstats("c2"))
    wb.set_keyword_stats("c1", kstats("k11"))
    wb.fail("keyword_stats", "c2")

    result = stats.collect_stats(services, Marketplace.WB)

    assert result["errors"] == 1
    assert {(s.campaign_id, s.keyword_id) for s in services.uow().stats.snapshots} == {(1, None), (1, 11), (2, None)}


def test_aggregate_daily_stats_takes_each_campaigns_last_snapshot_of_the_day_and_is_idempotent(
    services: FakeServices,
) -> None:
    day = date(2024, 5, 9)
    at = datetime(2024, 5, 9, 6, 0, tzinfo=UTC)
    services.uow().stats.add_snapshots(
        [
            StatsSnapshot(1, day, at, totals("100")),
            StatsSnapshot(1, day, at + timedelta(hours=12), totals("900")),  # the day's total
            StatsSnapshot(1, day, at + timedelta(hours=6), totals("500")),
            StatsSnapshot(1, day, at + timedelta(hours=13), totals("5"), keyword_id=11),  # keyword rows don't count
            StatsSnapshot(2, day, at, totals("40")),
            StatsSnapshot(2, date(2024, 5, 10), at + timedelta(days=1), totals("4000")),  # another day
        ]
    )

    first = stats.aggregate_daily_stats(services)  # the clock is on 2024-05-10: yesterday
    second = stats.aggregate_daily_stats(services)

    assert first == second == {"day": "2024-05-09", "campaigns": 2}
    daily = services.uow().stats.daily_between(day, day)
    assert [(r.campaign_id, r.totals.spent) for r in daily] == [(1, D("900")), (2, D("40"))]


def test_aggregate_monthly_stats_sums_the_previous_months_daily_rows(services: FakeServices) -> None:
    repo = services.uow().stats
    repo.upsert_daily(
        [
            DailyStats(1, date(2024, 4, 1), totals("100", orders=2)),
            DailyStats(1, date(2024, 4, 30), totals("50", orders=1)),
            DailyStats(2, date(2024, 4, 15), totals("7")),
            DailyStats(1, date(2024, 3, 31), totals("9999")),  # outside the month
            DailyStats(1, date(2024, 5, 1), totals("9999")),
        ]
    )

    result = stats.aggregate_monthly_stats(services)
    stats.aggregate_monthly_stats(services)  # an upsert: no duplicates

    assert result == {"year": 2024, "month": 4, "campaigns": 2}
    monthly = repo.monthly(2024, 4)
    assert [(m.campaign_id, m.totals.spent, m.totals.orders, m.totals.views) for m in monthly] == [
        (1, D("150"), 3, 200),
        (2, D("7"), 1, 100),
    ]
    assert monthly[0].totals.drr == D("7.50")  # 150 / 2000 revenue


def test_aggregate_monthly_stats_in_january_means_the_previous_december(services: FakeServices) -> None:
    services.clock.set(datetime(2025, 1, 1, 0, 0, tzinfo=UTC))  # 03:00 Moscow on the 1st
    services.uow().stats.upsert_daily([DailyStats(1, date(2024, 12, 31), totals("1"))])

    assert stats.aggregate_monthly_stats(services) == {"year": 2024, "month": 12, "campaigns": 1}


@pytest.mark.parametrize("inside", [True, False])
def test_cleanup_keeps_rows_at_the_retention_boundary_and_deletes_older_ones(
    services: FakeServices, inside: bool
) -> None:
    now = services.clock.now()
    today = date(2024, 5, 10)
    nudge = timedelta(0) if inside else timedelta(microseconds=1)
    uow = services.uow()
    uow.stats.add_snapshots([StatsSnapshot(1, today, now - timedelta(days=30) - nudge, totals("1"))])
    uow.bid_history.add_many(
        [BidChangeRecord(11, 1, D("1"), D("2"), "bid_cycle", "target_drr", "x", now - timedelta(days=365) - nudge)]
    )
    uow.alerts.add(AlertRecord("marketing", "low_ctr", "info", "m", now - timedelta(days=183) - nudge))
    uow.alerts.add(AlertRecord("system", "task_dead_lettered", "critical", "kept", now - timedelta(days=999)))
    uow.stats.upsert_daily([DailyStats(1, today - timedelta(days=730 + (0 if inside else 1)), totals("1"))])

    result = stats.cleanup_old_stats(services)

    gone = 0 if inside else 1
    assert result == {"snapshots": gone, "bid_history": gone, "alerts": gone, "daily_stats": gone}
    assert len(uow.stats.snapshots) == len(uow.bid_history.records) == len(uow.stats.daily) == 1 - gone
    expected_modules = ["marketing", "system"] if inside else ["system"]
    assert [a.module for a in uow.alerts.items] == expected_modules


def test_retention_periods_are_30_days_12_months_6_months_and_24_months() -> None:
    assert stats.SNAPSHOT_DAYS == 30
    assert stats.BID_HISTORY_DAYS == 365
    assert 182 <= stats.ALERT_DAYS <= 184
    assert stats.DAILY_DAYS == 730
