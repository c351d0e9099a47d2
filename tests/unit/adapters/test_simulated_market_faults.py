"""The simulated client: call counting, batching, injected faults and row validation."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from adolf.adapters.marketplaces.simulated import Faults, SimulatedAdsMarketplace, build_simulated_market, parsing
from adolf.application.ports.ads_marketplace import BidChange, MarketplaceError, MarketplaceRejected
from adolf.domain.marketplace import Marketplace

MIDNIGHT_MSK = datetime(2026, 3, 9, 21, 0, tzinfo=UTC)
DAY = date(2026, 3, 10)


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


def wb(campaigns: int = 5, faults: Faults | None = None) -> SimulatedAdsMarketplace:
    clock = FakeClock(MIDNIGHT_MSK + timedelta(hours=10))
    return build_simulated_market(3, campaigns, 6, clock).adapter(Marketplace.WB, faults)


def test_campaign_stats_splits_into_chunks_of_50_and_counts_each_as_a_call() -> None:
    adapter = wb(campaigns=120)
    ids = [c.external_id for c in adapter.list_campaigns().items]
    adapter.reset_calls()

    fetched = adapter.campaign_stats(ids, DAY)

    assert len(fetched.items) == 120
    assert adapter.calls == {"campaign_stats": 3}
    assert adapter.total_calls == 3


def test_every_method_is_counted_by_name() -> None:
    adapter = wb()
    cid = adapter.list_campaigns().items[0].external_id
    adapter.ping()
    adapter.list_keywords(cid)
    adapter.keyword_stats(cid, DAY)
    adapter.update_bids(cid, [], "k")
    adapter.pause_keywords(cid, [])
    adapter.pause_campaign(cid)
    adapter.start_campaign(cid)

    assert adapter.calls == {
        name: 1
        for name in (
            "list_campaigns",
            "ping",
            "list_keywords",
            "keyword_stats",
            "update_bids",
            "pause_keywords",
            "pause_campaign",
            "start_campaign",
        )
    }
    adapter.reset_calls()
    assert adapter.total_calls == 0


def test_a_failing_campaign_raises_marketplace_error_only_for_that_campaign() -> None:
    adapter = wb(faults=Faults(failing_campaigns=frozenset({"10000002"})))
    with pytest.raises(MarketplaceError):
        adapter.keyword_stats("10000002", DAY)
    with pytest.raises(MarketplaceError):
        adapter.update_bids("10000002", [], "k")

    assert adapter.keyword_stats("10000003", DAY).items
    fetched = adapter.campaign_stats(["10000001", "10000002", "10000003"], DAY)
    assert [s.campaign_external_id for s in fetched.items] == ["10000001", "10000003"]
    assert len(fetched.skipped) == 1 and fetched.skipped[0].startswith("campaign 10000002:")


def test_a_rejected_campaign_raises_the_do_not_retry_error() -> None:
    adapter = wb(faults=Faults(rejected_campaigns=frozenset({"10000001"})))
    with pytest.raises(MarketplaceRejected):
        adapter.pause_campaign("10000001")


def test_an_error_rate_fails_that_share_of_calls_the_same_way_every_run() -> None:
    def outcomes() -> list[bool]:
        adapter = wb(faults=Faults(error_rate=0.3, seed=4))
        results = []
        for _ in range(200):
            try:
                adapter.ping()
                results.append(True)
            except MarketplaceError:
                results.append(False)
        return results

    first = outcomes()
    assert first == outcomes()
    assert 30 < first.count(False) < 90


def test_malformed_rows_are_skipped_and_counted_with_a_reason_naming_field_and_value() -> None:
    adapter = wb(faults=Faults(malformed_rate=0.5, seed=1))
    cid = "10000001"
    fetched = adapter.keyword_stats(cid, DAY)

    assert fetched.skipped
    assert len(fetched.items) + len(fetched.skipped) == 6
    for reason in fetched.skipped:
        assert re.fullmatch(r"keyword 10000001\d{3}: (\w+=.+ is (not .+|negative)|field '\w+' is missing)", reason)


def test_a_malformed_count_is_reported_like_the_api_sent_it() -> None:
    row = {
        "id": "123",
        "date": "2026-03-10",
        "views": "abc",
        "clicks": 1,
        "orders": 0,
        "spent": "1.00",
        "revenue": "0.00",
        "avg_position": None,
    }
    with pytest.raises(parsing.RowError) as caught:
        parsing.keyword_stats(Marketplace.WB, row)
    assert parsing.describe("keyword", row, caught.value) == "keyword 123: views='abc' is not an integer"


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("clicks", -3, "clicks=-3 is negative"),
        ("spent", "12,50", "spent='12,50' is not a decimal"),
        ("spent", "NaN", "spent='NaN' is not a decimal"),
        ("orders", True, "orders=True is not an integer"),
        ("date", "yesterday", "date='yesterday' is not a date"),
    ],
)
def test_every_field_is_validated(field: str, value: object, reason: str) -> None:
    row: dict[str, object] = {
        "id": "1",
        "date": "2026-03-10",
        "views": 1,
        "clicks": 1,
        "orders": 0,
        "spent": "1.00",
        "revenue": "0.00",
    }
    row[field] = value
    with pytest.raises(parsing.RowError, match=re.escape(reason)):
        parsing.campaign_stats(Marketplace.WB, row)


def test_slow_answers_wait_in_the_injected_sleep() -> None:
    clock = FakeClock(MIDNIGHT_MSK)
    slept: list[float] = []
    market = build_simulated_market(3, 2, 2, clock)
    adapter = SimulatedAdsMarketplace(market, Marketplace.OZON, Faults(latency=2.5), sleep=slept.append)
    adapter.ping()
    adapter.list_campaigns()
    assert slept == [2.5, 2.5]


def test_a_lost_reply_applies_the_change_and_a_retry_with_the_same_key_gets_the_answer() -> None:
    adapter = wb(faults=Faults(lost_reply_rate=1.0))
    keyword = adapter.list_keywords("10000001").items[0]
    with pytest.raises(MarketplaceError, match="applied"):
        adapter.update_bids("10000001", [BidChange(keyword.external_id, Decimal("333"))], "key-1")
    adapter.faults = Faults()

    result = adapter.update_bids("10000001", [BidChange(keyword.external_id, Decimal("333"))], "key-1")

    assert result.applied == (keyword.external_id,)
    assert adapter.list_keywords("10000001").items[0].bid == Decimal("333.00")


def test_bids_travel_in_each_marketplaces_wire_unit_and_come_back_in_rubles() -> None:
    clock = FakeClock(MIDNIGHT_MSK)
    market = build_simulated_market(3, 2, 2, clock)
    for mp, cid, bid in (
        (Marketplace.WB, "10000001", Decimal("151.37")),
        (Marketplace.OZON, "20000001", Decimal("12.34")),
        (Marketplace.YM, "30000001", Decimal("5.70")),
    ):
        adapter = market.adapter(mp)
        keyword = adapter.list_keywords(cid).items[0]
        assert adapter.update_bids(cid, [BidChange(keyword.external_id, bid)], "k").applied
        assert adapter.list_keywords(cid).items[0].bid == bid


def test_faults_refuse_impossible_rates() -> None:
    with pytest.raises(ValueError, match="error_rate"):
        Faults(error_rate=1.5)


def test_quotas_when_enforced_refuse_the_fourth_wb_stats_call_in_a_minute() -> None:
    clock = FakeClock(MIDNIGHT_MSK)
    adapter = build_simulated_market(3, 2, 2, clock).adapter(Marketplace.WB, Faults(quotas=True))
    for _ in range(3):
        adapter.campaign_stats(["10000001"], DAY)
    with pytest.raises(MarketplaceError, match="429"):
        adapter.campaign_stats(["10000001"], DAY)
    clock.current += timedelta(seconds=60)
    assert adapter.campaign_stats(["10000001"], DAY).items
