"""The review points of the bid-engine rework (d2edd4d), each a test that fails on the old
behaviour: the leader cap, the percent step of YM bids, CAP_BID's configured severity,
severities and the time zone from configuration, and the linear grouping of a batch's
keyword rows. (Sync's min_bid: tests/unit/domain/test_default_bounds.py and
tests/integration/test_marketing_repositories.py.)"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from adolf.application.marketing import stats
from adolf.application.marketing.alerting import send_alert
from adolf.application.marketing.bid_cycle import STATS_CHUNK, CycleMetrics, _keyword_stats, run_bid_cycle
from adolf.application.marketing.calendar import Calendar
from adolf.application.marketing.severities import AlertSeverities
from adolf.application.ports.ads_marketplace import Fetched, KeywordStats
from adolf.container import build_container
from adolf.domain.marketing.bid_context import BidContext, StrategyType
from adolf.domain.marketing.bidding import compute_bid
from adolf.domain.marketing.campaign import Campaign
from adolf.domain.marketing.constraints import BidConstraint
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketing.pricing import Pricing
from adolf.domain.marketplace import Marketplace
from adolf.settings import Settings, SettingsError, load_settings
from tests.support.fakes import FakeMarketplace, FakeServices
from tests.unit.application.builders import D, campaign, cstats, keyword, kstats, seed


def bid(services: FakeServices, keyword_id: int) -> Decimal:
    kw = services.uow().campaigns.get_keyword(keyword_id)
    assert kw is not None
    return kw.bid


def alerts_of(services: FakeServices, type_: str) -> list[dict[str, Any]]:
    return [p for p in services.queue.payloads("marketing.send_alert") if p["type"] == type_]


# --- leader cap -------------------------------------------------------------------------------


def _position_campaign(**overrides: Any) -> Campaign:
    return campaign(
        1,
        strategy=StrategyType.TARGET_POSITION,
        target_drr=None,
        target_position=D("1"),
        min_bid=D("10"),
        max_bid=D("500"),
        **overrides,
    )


@pytest.mark.parametrize(
    ("avg_position", "views"),
    [(None, 2000), (D("3"), 2000)],  # from the competitors' bids alone; and a trusted position 2 below target
    ids=["competitor_bids", "position_too_low"],
)
def test_target_position_never_bids_above_the_leaders_bid(
    services: FakeServices, avg_position: Decimal | None, views: int
) -> None:
    """Position 1 needs the leader's bid + 1.0 — the old cap let the bid go there (121);
    it now stops at the leader's bid."""
    wb = services.market()
    seed(services, _position_campaign(), keyword(11, 1, bid=D("100")))
    wb.set_campaign_stats(cstats("c1"))
    wb.set_keyword_stats("c1", kstats("k11", views=views, avg_position=avg_position))
    services.uow().competitor_bids.replace(Marketplace.WB, {"k11": [D("120"), D("90")]}, services.clock.now())

    run_bid_cycle(services)

    assert bid(services, 11) == D("120") == wb.remote_bid("c1", "k11")
    [record] = services.uow().bid_history.records
    assert record.constraint == BidConstraint.AT_LEADER.value


def test_the_engine_caps_target_position_at_the_leader_whatever_the_competitors() -> None:
    for leader in (D("50"), D("120.55"), D("499")):
        ctx = BidContext(
            current_bid=leader - D("5"),
            min_bid=D("1"),
            max_bid=D("1000"),
            target_position=D("1"),
            competitor_bids=(leader, leader / 2),
            pricing=Pricing.CPM,
        )
        decision = compute_bid(StrategyType.TARGET_POSITION, ctx)
        assert decision.new_bid == leader and decision.constraint is BidConstraint.AT_LEADER


# --- the step of a percent bid ----------------------------------------------------------------


def _ym_world(services: FakeServices, current: str, target_drr: str) -> FakeMarketplace:
    """A YM target_drr keyword: its bid is the percent of the price, and so is its DRR: the
    bid that meets the target is the target itself."""
    ym = services.market(Marketplace.YM)
    seed(
        services,
        campaign(1, marketplace=Marketplace.YM, min_bid=D("0.50"), max_bid=D("20"), target_drr=D(target_drr)),
        keyword(11, 1, bid=D(current)),
    )
    ym.set_campaign_stats(cstats("c1"))
    ym.set_keyword_stats("c1", kstats("k11", spent="150", revenue="3000"))
    return ym


def test_a_ym_percent_bid_moved_by_four_tenths_of_a_point_is_sent(services: FakeServices) -> None:
    """5.0 % → 5.4 %: the old 1.0 step (a 20 % move of this bid) never sent it."""
    ym = _ym_world(services, current="5.00", target_drr="5.4")

    run_bid_cycle(services)

    assert bid(services, 11) == D("5.40") == ym.remote_bid("c1", "k11")
    [(campaign_ext, changes, _key)] = ym.calls_of("update_bids")
    assert campaign_ext == "c1" and [(c.keyword_external_id, c.bid) for c in changes] == [("k11", D("5.40"))]


def test_a_ym_percent_bid_moved_by_five_hundredths_of_a_point_is_not_sent(services: FakeServices) -> None:
    """0.80 % → 0.85 %: outside the ±5 % band, but under the 0.1-point step."""
    ym = _ym_world(services, current="0.80", target_drr="0.85")

    run_bid_cycle(services)

    assert ym.calls_of("update_bids") == []
    assert bid(services, 11) == D("0.80") and services.uow().bid_history.records == []


@pytest.mark.parametrize(
    ("marketplace", "current", "row"),
    [
        # WB, CPM: 106 ₽ from 2000 views at 20 % → 10.60 per 1000 views; the bid is 10
        (Marketplace.WB, "10", {"spent": "21", "revenue": "106"}),
        # Ozon, CPC: 3000 ₽ from 50 clicks at 20 % → 12.00 per click; the bid is 11.20
        (Marketplace.OZON, "11.20", {"spent": "300", "revenue": "3000"}),
    ],
)
def test_a_ruble_bid_moved_by_less_than_one_ruble_is_not_sent(
    services: FakeServices, marketplace: Marketplace, current: str, row: dict[str, str]
) -> None:
    market = services.market(marketplace)
    seed(services, campaign(1, marketplace=marketplace, min_bid=D("5")), keyword(11, 1, bid=D(current)))
    market.set_campaign_stats(cstats("c1"))
    market.set_keyword_stats("c1", kstats("k11", **row))  # type: ignore[arg-type]

    run_bid_cycle(services)

    assert market.calls_of("update_bids") == []
    assert bid(services, 11) == D(current) and services.uow().bid_history.records == []


# --- CAP_BID's severity -----------------------------------------------------------------------


def _capped(services: FakeServices) -> None:
    wb = services.market()
    seed(services, campaign(1, max_bid=D("110")), keyword(11, 1))
    wb.set_campaign_stats(cstats("c1"))
    wb.set_keyword_stats("c1", kstats("k11"))  # the strategy wants 115


def test_a_capped_bid_queues_a_cap_bid_warning_by_default(services: FakeServices) -> None:
    _capped(services)

    run_bid_cycle(services)

    assert bid(services, 11) == D("110")
    [cap] = alerts_of(services, "cap_bid")
    assert cap["severity"] == "warning"  # it was "info"


def test_a_capped_bid_queues_cap_bid_with_the_configured_severity(services: FakeServices) -> None:
    services.severities = AlertSeverities.from_text("cap_bid=critical")
    _capped(services)

    run_bid_cycle(services)

    [cap] = alerts_of(services, "cap_bid")
    assert cap["severity"] == "critical"


# --- severities and the time zone from configuration ------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("ADOLF_"):
            monkeypatch.delenv(name)


@pytest.mark.usefixtures("clean_env")
def test_alert_severities_load_from_settings_and_a_bad_entry_is_refused_naming_it() -> None:
    assert Settings(alert_severities="low_ctr=warning").alert_severities == "low_ctr=warning"

    with pytest.raises(ValidationError, match="cap_bid=loud"):
        Settings(alert_severities="cap_bid=loud")
    with pytest.raises(SettingsError, match=r"ADOLF_ALERT_SEVERITIES=.*entry 'cap_bid=loud'"):
        load_settings(alert_severities="low_ctr=warning, cap_bid=loud")


@pytest.fixture
def container_of(tmp_path: Path, clean_env: None) -> Iterator[Any]:
    built: list[Any] = []

    def build(**settings: Any) -> Any:
        container = build_container(Settings(database_url=f"sqlite:///{tmp_path / 'adolf.sqlite3'}", **settings))
        built.append(container)
        return container

    yield build
    for container in built:
        container.engine().dispose()


def test_the_container_builds_services_with_the_configured_severities_and_time_zone(container_of: Any) -> None:
    services = container_of(alert_severities="low_ctr=warning", timezone="Asia/Vladivostok").services()

    assert services.severities.of("low_ctr") == "warning"
    assert services.severities.of("cap_bid") == "warning"  # the default, untouched
    assert services.calendar.zone == ZoneInfo("Asia/Vladivostok")


def test_the_container_defaults_to_moscow_and_the_default_severities(container_of: Any) -> None:
    services = container_of().services()

    assert services.severities.of("low_ctr") == "info"
    assert services.calendar.zone == ZoneInfo("Europe/Moscow")


AT = datetime(2026, 1, 12, 15, 30, tzinfo=UTC)  # 13 January 01:30 in Vladivostok, 12 January 18:30 in Moscow
LOCAL_TODAY = date(2026, 1, 13)


@pytest.fixture
def vladivostok(services: FakeServices) -> FakeServices:
    services.calendar = Calendar.of("Asia/Vladivostok")
    services.clock.set(AT)
    assert Calendar().day(AT) == date(2026, 1, 12)  # Moscow would still say the 12th
    return services


def test_the_bid_cycle_asks_for_today_in_the_configured_time_zone(
    vladivostok: FakeServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = vladivostok
    wb = services.market()
    seed(services, campaign(1), keyword(11, 1))
    wb.set_campaign_stats(cstats("c1", day=LOCAL_TODAY))
    wb.set_keyword_stats("c1", kstats("k11", day=LOCAL_TODAY))
    repo = services.uow().stats
    asked: list[date] = []
    windows = repo.keyword_windows

    def spy(campaign_ids: Sequence[int], today: date, spans: Sequence[int]) -> dict[int, tuple[StatsTotals, ...]]:
        asked.append(today)
        return windows(campaign_ids, today, spans)

    monkeypatch.setattr(repo, "keyword_windows", spy)

    run_bid_cycle(services)

    assert [args[1] for args in wb.calls_of("campaign_stats")] == [LOCAL_TODAY]
    assert [args[1] for args in wb.calls_of("keyword_stats_batch")] == [LOCAL_TODAY]
    assert asked == [LOCAL_TODAY]  # the whole days before the 13th judge the keyword
    assert bid(services, 11) == D("115.00")


def test_collect_stats_snapshots_today_in_the_configured_time_zone(vladivostok: FakeServices) -> None:
    services = vladivostok
    wb = services.market()
    seed(services, campaign(1), keyword(11, 1))
    wb.set_campaign_stats(cstats("c1", day=LOCAL_TODAY))
    wb.set_keyword_stats("c1", kstats("k11", day=LOCAL_TODAY))

    result = stats.collect_stats(services, Marketplace.WB)

    assert result["snapshots"] == 2
    assert {s.day for s in services.uow().stats.snapshots} == {LOCAL_TODAY}
    assert [args[1] for args in wb.calls_of("campaign_stats")] == [LOCAL_TODAY]


def test_aggregate_daily_stats_closes_yesterday_of_the_configured_time_zone(vladivostok: FakeServices) -> None:
    services = vladivostok
    yesterday = date(2026, 1, 12)  # the local day before the 13th (Moscow's would be the 11th)
    wb = services.market()
    seed(services, campaign(1), keyword(11, 1))
    wb.set_campaign_stats(cstats("c1", day=yesterday))
    wb.set_keyword_stats("c1", kstats("k11", day=yesterday))

    result = stats.aggregate_daily_stats(services)

    assert result["day"] == yesterday.isoformat() and result["campaigns"] == 1 and result["keywords"] == 1
    assert [args[1] for args in wb.calls_of("campaign_stats")] == [yesterday]
    assert {row.day for row in services.uow().stats.daily.values()} == {yesterday}


def test_send_alert_once_a_day_counts_days_in_the_configured_time_zone(vladivostok: FakeServices) -> None:
    services = vladivostok
    alert = {"type": "low_ctr", "severity": "info", "message": "low CTR", "campaign_id": "1", "once_a_day": True}
    services.clock.set(datetime(2026, 1, 12, 13, 30, tzinfo=UTC))  # 12 January 23:30 in Vladivostok
    first = send_alert(services, **alert)
    services.clock.set(AT)  # 13 January 01:30 there (still the 12th, 18:30, in Moscow)

    second = send_alert(services, **alert)
    services.clock.set(datetime(2026, 1, 12, 20, 0, tzinfo=UTC))  # 13 January 06:00 there
    third = send_alert(services, **alert)

    assert "alert_id" in first and "alert_id" in second  # a new local day: alerted again
    assert third == {"sent": 0, "skipped": "already_alerted_today"}
    keys = [a.dedupe_key for a in services.uow().alerts.of_type("low_ctr")]
    assert keys == ["marketing:low_ctr:1:day:2026-01-12", "marketing:low_ctr:1:day:2026-01-13"]


# --- the keyword rows of a batch, grouped once ------------------------------------------------


class CountingRows(tuple[KeywordStats, ...]):
    """A batch's rows that count how often they are walked."""

    walks = 0

    def __iter__(self) -> Iterator[KeywordStats]:
        type(self).walks += 1
        return super().__iter__()


class InterleavingMarket(FakeMarketplace):
    """Answers a batch with every campaign's rows interleaved (row 1 of each campaign, then
    row 2 of each, …), the same keyword ids in every campaign, and counts the walks."""

    batches: list[CountingRows]

    def keyword_stats_batch(self, campaign_external_ids: Sequence[str], day: date) -> Fetched[KeywordStats]:
        self._call("keyword_stats_batch", None, tuple(campaign_external_ids), day)
        rows = [
            KeywordStats(f"k{n}", day, 100, n, 0, D(n), D(0), campaign_external_id=cid)
            for n in range(1, 4)
            for cid in campaign_external_ids
        ]
        batch = type("Rows", (CountingRows,), {"walks": 0})(rows)
        self.batches.append(batch)
        return Fetched(batch)


def test_a_batchs_keyword_rows_go_to_their_own_campaigns_in_one_walk_per_batch() -> None:
    campaigns = [campaign(n) for n in range(1, 2 * STATS_CHUNK + 2)]  # 101: batches of 50, 50 and 1
    market = InterleavingMarket()
    market.batches = []

    found, failed = _keyword_stats(market, campaigns, CycleMetrics(), date(2026, 1, 13))

    assert failed == frozenset()
    assert [len(args[0]) for args in market.calls_of("keyword_stats_batch")] == [STATS_CHUNK, STATS_CHUNK, 1]
    assert found.keys() == {c.external_id for c in campaigns}
    for c in campaigns:
        rows = found[c.external_id]
        assert sorted(rows) == ["k1", "k2", "k3"]
        assert all(row.campaign_external_id == c.external_id for row in rows.values())
        assert [rows[k].clicks for k in ("k1", "k2", "k3")] == [1, 2, 3]
    # Linear: each batch's rows are walked once, not once per campaign (50 × 150 rows per batch).
    assert [type(batch).walks for batch in market.batches] == [1, 1, 1]


def test_the_container_builds_watcher_alert_rules_from_configuration(container_of: Any) -> None:
    from decimal import Decimal

    from adolf.domain.watcher.alerts import AlertKind

    services = container_of(watcher_alerts="dumping_margin_percent=15,out_of_stock=warning").services()

    assert services.alert_rules.dumping_margin_percent == Decimal(15)
    assert services.alert_rules.severity(AlertKind.OUT_OF_STOCK) == "warning"
