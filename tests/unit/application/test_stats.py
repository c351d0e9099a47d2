"""Snapshots, daily and monthly aggregates, retention."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from adolf.application.marketing import stats
from adolf.application.marketing.ports import BidChangeRecord, DailyStats, KeywordDailyStats, StatsSnapshot
from adolf.application.ports.alerts import AlertRecord
from adolf.domain.marketing.campaign import CampaignStatus, KeywordStatus
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


YESTERDAY = DAY - timedelta(days=1)  # the clock is on 2024-05-10: the 00:30 run aggregates the 9th
LATE = datetime(2024, 5, 9, 20, 45, tzinfo=UTC)  # 23:45 Moscow: the day's last snapshot


def snapshot_day(services: FakeServices, *rows: tuple[int, str]) -> None:
    """Campaign-level snapshots of yesterday: an early one and the last one (``spent``)."""
    services.uow().stats.add_snapshots(
        [StatsSnapshot(cid, YESTERDAY, LATE - timedelta(hours=6), totals("1")) for cid, _ in rows]
        + [StatsSnapshot(cid, YESTERDAY, LATE, totals(spent)) for cid, spent in rows]
    )


def daily_spent(services: FakeServices, day: date = YESTERDAY) -> dict[int, Decimal]:
    return {r.campaign_id: r.totals.spent for r in services.uow().stats.daily_between(day, day)}


def keyword_spent(services: FakeServices) -> dict[int, Decimal]:
    return {kid: row.totals.spent for (kid, _day), row in sorted(services.uow().stats.keyword_daily.items())}


def two_campaigns(services: FakeServices) -> None:
    """c1 active (k11, k12), c2 paused (k21) — a paused campaign may have spent that day."""
    seed(services, campaign(1), keyword(11, 1), keyword(12, 1, status=KeywordStatus.PAUSED))
    seed(services, campaign(2, status=CampaignStatus.PAUSED), keyword(21, 2))
    snapshot_day(services, (1, "900"), (2, "40"))


def test_aggregate_daily_stats_writes_the_marketplaces_whole_day_totals_not_the_last_snapshot(
    services: FakeServices,
) -> None:
    wb = services.market()
    two_campaigns(services)
    wb.set_campaign_stats(
        cstats("c1", spent="1000", day=YESTERDAY, views=5000), cstats("c2", spent="45", day=YESTERDAY)
    )
    wb.set_keyword_stats(
        "c1", kstats("k11", spent="600", day=YESTERDAY), kstats("k12", spent="400", day=YESTERDAY, views=7)
    )
    wb.set_keyword_stats("c2", kstats("k21", spent="45", day=YESTERDAY), kstats("k-not-synced", day=YESTERDAY))

    result = stats.aggregate_daily_stats(services)

    assert result == {
        "day": "2024-05-09",
        "campaigns": 2,
        "keywords": 3,
        "from_snapshots": 0,
        "kept": 0,
        "skipped_rows": 0,
        "errors": 0,
    }
    assert daily_spent(services) == {1: D("1000"), 2: D("45")}  # not the snapshots' 900 and 40
    [c1] = services.uow().stats.daily_between(YESTERDAY, YESTERDAY, [1])
    assert c1.totals == totals("1000", orders=20, views=5000, clicks=500, revenue="20000")
    assert keyword_spent(services) == {11: D("600"), 12: D("400"), 21: D("45")}
    k12 = services.uow().stats.keyword_daily[(12, YESTERDAY)]
    assert (k12.campaign_id, k12.day, k12.totals.views) == (1, YESTERDAY, 7)
    # one campaign-stats call per marketplace and one keyword call per chunk, both for that day
    assert wb.calls == [
        ("campaign_stats", (("c1", "c2"), YESTERDAY)),
        ("keyword_stats_batch", (("c1", "c2"), YESTERDAY)),
    ]


def test_aggregate_daily_stats_is_idempotent(services: FakeServices) -> None:
    wb = services.market()
    two_campaigns(services)
    wb.set_campaign_stats(cstats("c1", spent="1000", day=YESTERDAY))  # c2: no row, from its snapshot
    wb.set_keyword_stats("c1", kstats("k11", spent="600", day=YESTERDAY))

    first = stats.aggregate_daily_stats(services, YESTERDAY)
    daily, keywords = daily_spent(services), keyword_spent(services)
    wb.set_campaign_stats(cstats("c1", spent="1000", day=YESTERDAY), cstats("c2", spent="45", day=YESTERDAY))
    second = stats.aggregate_daily_stats(services, YESTERDAY)  # a retry: the marketplace answers now
    third = stats.aggregate_daily_stats(services, YESTERDAY)

    assert (daily, keywords) == ({1: D("1000"), 2: D("40")}, {11: D("600")})
    assert first["from_snapshots"] == 1 and first["campaigns"] == 2
    assert second == third and third["from_snapshots"] == third["kept"] == 0
    assert daily_spent(services) == {1: D("1000"), 2: D("45")}
    assert keyword_spent(services) == {11: D("600")}
    assert len(services.uow().stats.daily) == 2 and len(services.uow().stats.keyword_daily) == 1


def test_when_the_campaign_stats_call_fails_every_campaign_falls_back_to_its_last_snapshot(
    services: FakeServices,
) -> None:
    wb = services.market()
    two_campaigns(services)
    services.uow().stats.add_snapshots(  # not counted: keyword level, and another day
        [
            StatsSnapshot(1, YESTERDAY, LATE + timedelta(minutes=5), totals("5"), keyword_id=11),
            StatsSnapshot(2, DAY, LATE + timedelta(hours=4), totals("4000")),
        ]
    )
    wb.fail("campaign_stats")
    wb.set_keyword_stats("c1", kstats("k11", spent="600", day=YESTERDAY))

    result = stats.aggregate_daily_stats(services)

    assert daily_spent(services) == {1: D("900"), 2: D("40")}
    assert keyword_spent(services) == {11: D("600")}  # the keyword call still went through
    assert (result["campaigns"], result["from_snapshots"], result["errors"]) == (2, 2, 2)
    assert services.uow().committed


def test_a_campaign_the_marketplace_failed_or_left_out_falls_back_and_the_rest_goes_on(
    services: FakeServices,
) -> None:
    wb = services.market()
    seed(services, campaign(1), keyword(11, 1))
    seed(services, campaign(2), keyword(21, 2))
    seed(services, campaign(3), keyword(31, 3))
    seed(services, campaign(4))
    snapshot_day(services, (1, "900"), (2, "40"), (3, "7"))  # c4: no snapshot either
    wb.set_campaign_stats(*(cstats(f"c{i}", spent=f"{i}000", day=YESTERDAY) for i in (1, 2)))  # c3, c4 missing
    wb.fail("campaign_stats", "c2")
    wb.set_keyword_stats("c1", kstats("k11", spent="600", day=YESTERDAY))
    wb.set_keyword_stats("c3", kstats("k31", spent="7", day=YESTERDAY))
    wb.fail("keyword_stats", "c3")

    result = stats.aggregate_daily_stats(services)

    assert daily_spent(services) == {1: D("1000"), 2: D("40"), 3: D("7")}
    assert keyword_spent(services) == {11: D("600")}
    assert result == {
        "day": "2024-05-09",
        "campaigns": 3,
        "keywords": 1,
        "from_snapshots": 2,
        "kept": 0,
        "skipped_rows": 0,
        "errors": 2,  # c2's campaign stats, c3's keyword stats
    }


def test_a_rerun_the_marketplace_cannot_answer_keeps_the_whole_day_rows(services: FakeServices) -> None:
    wb = services.market()
    two_campaigns(services)
    wb.set_campaign_stats(cstats("c1", spent="1000", day=YESTERDAY), cstats("c2", spent="45", day=YESTERDAY))
    wb.set_keyword_stats("c1", kstats("k11", spent="600", day=YESTERDAY))
    stats.aggregate_daily_stats(services)
    wb.fail("campaign_stats")
    wb.fail("keyword_stats_batch")

    result = stats.aggregate_daily_stats(services)

    assert daily_spent(services) == {1: D("1000"), 2: D("45")}  # not the snapshots' 900 and 40
    assert keyword_spent(services) == {11: D("600")}
    assert (result["campaigns"], result["kept"], result["from_snapshots"], result["errors"]) == (2, 2, 0, 4)


def test_bad_rows_are_skipped_and_counted_and_the_rest_is_written(services: FakeServices) -> None:
    wb = services.market()
    seed(services, campaign(1), keyword(11, 1), keyword(12, 1), keyword(13, 1))
    seed(services, campaign(2), keyword(21, 2))
    seed(services, campaign(3), keyword(31, 3))
    snapshot_day(services, (2, "40"), (3, "7"))
    wb.set_campaign_stats(
        cstats("c1", spent="1000", day=YESTERDAY),
        cstats("c2", spent="-5", day=YESTERDAY),  # impossible: from its snapshot instead
        cstats("c3", spent="70", day=DAY),  # another day's row
    )
    wb.set_keyword_stats(
        "c1",
        kstats("k11", spent="600", day=YESTERDAY),
        kstats("k12", views=-1, day=YESTERDAY),
        kstats("k13", day=DAY),
    )
    wb.set_keyword_stats("c2", kstats("k21", spent="40", day=YESTERDAY))
    wb.skipped = {"campaign_stats": ("spent='x' is not a number",), "keyword_stats": ("views='?' malformed",)}

    result = stats.aggregate_daily_stats(services)

    assert daily_spent(services) == {1: D("1000"), 2: D("40"), 3: D("7")}
    assert keyword_spent(services) == {11: D("600"), 21: D("40")}
    # 2 bad campaign rows + 2 bad keyword rows + one malformed row of each call (the adapter's)
    assert (result["skipped_rows"], result["from_snapshots"], result["keywords"], result["errors"]) == (6, 2, 2, 0)


def test_keyword_stats_are_asked_per_chunk_of_50_campaigns_on_every_marketplace(services: FakeServices) -> None:
    wb, ozon = services.market(), services.market(Marketplace.OZON)
    for cid in range(1, 53):
        seed(services, campaign(cid), keyword(1000 + cid, cid))
    seed(services, campaign(99, marketplace=Marketplace.OZON, external_id="o99"), keyword(9901, 99))
    for cid in range(1, 53):
        wb.set_keyword_stats(f"c{cid}", kstats(f"k{1000 + cid}", spent=str(cid), day=YESTERDAY))
    ozon.set_campaign_stats(cstats("o99", spent="5", day=YESTERDAY))
    ozon.set_keyword_stats("o99", kstats("k9901", spent="5", day=YESTERDAY))
    wb.fail("keyword_stats_batch")  # WB's keyword call fails for all: counted, Ozon goes on

    result = stats.aggregate_daily_stats(services)

    assert [len(args[0]) for args in wb.calls_of("keyword_stats_batch")] == [50, 2]
    assert [len(args[0]) for args in wb.calls_of("campaign_stats")] == [52]
    assert keyword_spent(services) == {9901: D("5")}
    assert daily_spent(services) == {99: D("5")}
    assert (result["errors"], result["keywords"], result["campaigns"]) == (52, 1, 1)


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
    uow.stats.upsert_keyword_daily(
        [
            KeywordDailyStats(11, 1, today - timedelta(days=90 + (0 if inside else 1)), totals("1")),
            KeywordDailyStats(12, 1, today - timedelta(days=1), totals("1")),  # always kept
        ]
    )

    result = stats.cleanup_old_stats(services)

    gone = 0 if inside else 1
    assert result == {
        "snapshots": gone,
        "bid_history": gone,
        "alerts": gone,
        "daily_stats": gone,
        "keyword_daily_stats": gone,
    }
    assert len(uow.stats.snapshots) == len(uow.bid_history.records) == len(uow.stats.daily) == 1 - gone
    assert sorted(kid for kid, _day in uow.stats.keyword_daily) == ([11, 12] if inside else [12])
    expected_modules = ["marketing", "system"] if inside else ["system"]
    assert [a.module for a in uow.alerts.items] == expected_modules


def test_retention_periods_are_30_days_12_months_6_months_and_24_months() -> None:
    assert stats.SNAPSHOT_DAYS == 30
    assert stats.BID_HISTORY_DAYS == 365
    assert 182 <= stats.ALERT_DAYS <= 184
    assert stats.DAILY_DAYS == 730
    assert stats.KEYWORD_DAILY_DAYS == 90
