"""The simulated marketplace: a deterministic market model behind the AdsMarketplace port."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from adolf.adapters.marketplaces.http.ym_boost import YmBoostAds
from adolf.adapters.marketplaces.simulated import (
    InMemorySimState,
    SimStateMismatch,
    SimulatedAdsMarketplace,
    SimulatedMarket,
    build_simulated_market,
)
from adolf.application.ports.ads_marketplace import (
    AdsMarketplace,
    BidChange,
    CampaignStats,
    KeywordStats,
    MarketplaceRejected,
)
from adolf.domain.marketplace import Marketplace

MIDNIGHT_MSK = datetime(2026, 3, 9, 21, 0, tzinfo=UTC)  # 2026-03-10 00:00 Moscow
DAY = date(2026, 3, 10)


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


def market(
    seed: int = 11, campaigns: int = 6, keywords: int = 8, at: datetime = MIDNIGHT_MSK
) -> tuple[SimulatedMarket, FakeClock]:
    clock = FakeClock(at)
    return build_simulated_market(seed, campaigns, keywords, clock), clock


def ids(adapter: SimulatedAdsMarketplace) -> list[str]:
    return [c.external_id for c in adapter.list_campaigns().items]


def snapshot(m: SimulatedMarket, day: date = DAY) -> list[object]:
    """Every campaign's and keyword's stats on every marketplace."""
    out: list[object] = []
    for mp in Marketplace:
        adapter = m.adapter(mp)
        campaign_ids = ids(adapter)
        out.extend(adapter.campaign_stats(campaign_ids, day).items)
        for cid in campaign_ids:
            out.extend(adapter.keyword_stats(cid, day).items)
    return out


def keyword_row(adapter: AdsMarketplace, campaign_id: str, keyword_id: str, day: date = DAY) -> KeywordStats:
    return next(s for s in adapter.keyword_stats(campaign_id, day).items if s.keyword_external_id == keyword_id)


def campaign_row(adapter: AdsMarketplace, campaign_id: str, day: date = DAY) -> CampaignStats:
    [row] = adapter.campaign_stats([campaign_id], day).items
    return row


def first_active_keyword(adapter: SimulatedAdsMarketplace, campaign_id: str) -> str:
    return next(k.external_id for k in adapter.list_keywords(campaign_id).items if k.status == "active")


def first_active_campaign(adapter: SimulatedAdsMarketplace) -> str:
    return next(c.external_id for c in adapter.list_campaigns().items if c.status == "active")


def script(m: SimulatedMarket, clock: FakeClock) -> list[object]:
    """A fixed sequence of bid changes, pauses and reads over a day and a half."""
    seen: list[object] = []
    for hour in range(36):
        clock.advance(minutes=53)
        for mp in Marketplace:
            adapter = m.adapter(mp)
            campaign_ids = ids(adapter)
            cid = campaign_ids[hour % len(campaign_ids)]
            keywords = adapter.list_keywords(cid).items
            factor = Decimal("1.3") if hour % 3 else Decimal("0.8")
            adapter.update_bids(cid, [BidChange(k.external_id, k.bid * factor) for k in keywords[::2]], f"{hour}")
            if hour == 7:
                adapter.pause_keywords(cid, [keywords[1].external_id])
            if hour == 9 and mp is not Marketplace.YM:  # YM pauses a boost in the cabinet only
                adapter.pause_campaign(campaign_ids[-1])
            if hour == 20 and mp is not Marketplace.YM:
                adapter.start_campaign(campaign_ids[-1])
            seen.append(adapter.keyword_stats(cid, m.today()).items)
    return seen


# -- determinism --------------------------------------------------------------------------


def test_same_seed_same_changes_and_same_times_give_identical_stats() -> None:
    (a, clock_a), (b, clock_b) = market(), market()
    assert script(a, clock_a) == script(b, clock_b)
    assert snapshot(a, a.today()) == snapshot(b, b.today())


def test_stats_do_not_depend_on_which_campaigns_are_read_or_when() -> None:
    (eager, clock_e), (lazy, clock_l) = market(), market()
    for _ in range(40):  # one market is read every 15 minutes, in reverse order
        clock_e.advance(minutes=15)
        for mp in reversed(Marketplace):
            adapter = eager.adapter(mp)
            adapter.campaign_stats(list(reversed(ids(adapter))), DAY)
    clock_l.advance(minutes=15 * 40)  # the other only at the end
    assert snapshot(eager) == snapshot(lazy)


def test_a_different_seed_gives_a_different_market() -> None:
    (a, clock_a), (b, clock_b) = market(seed=1), market(seed=2)
    clock_a.advance(hours=12)
    clock_b.advance(hours=12)
    assert snapshot(a) != snapshot(b)


# -- the auction --------------------------------------------------------------------------


def test_position_improves_when_our_bid_rises_above_the_competitors() -> None:
    m, clock = market()
    wb = m.adapter(Marketplace.WB)
    cid = first_active_campaign(wb)
    keyword = next(k for k in wb.list_keywords(cid).items if k.status == "active")
    rivals = m.competitor_bids(keyword.external_id)
    assert list(rivals) == sorted(rivals, reverse=True)

    wb.update_bids(cid, [BidChange(keyword.external_id, keyword.min_bid or keyword.bid)], "low")
    clock.advance(hours=10)
    low = keyword_row(wb, cid, keyword.external_id).avg_position
    wb.update_bids(cid, [BidChange(keyword.external_id, rivals[0] + 1)], "high")
    clock.advance(minutes=30)
    high = keyword_row(wb, cid, keyword.external_id).avg_position

    assert low == Decimal(len(rivals) + 1)
    assert high == Decimal(1)


def test_a_higher_position_brings_more_views() -> None:
    (low_m, low_clock), (high_m, high_clock) = market(), market()
    for m, clock, top in ((low_m, low_clock, False), (high_m, high_clock, True)):
        wb = m.adapter(Marketplace.WB)
        cid = first_active_campaign(wb)
        kid = first_active_keyword(wb, cid)
        bid = m.competitor_bids(kid)[0] + 1 if top else min(m.competitor_bids(kid))
        wb.update_bids(cid, [BidChange(kid, bid)], "k")
        clock.advance(hours=12)
    low_views = keyword_row(low_m.adapter(Marketplace.WB), cid, kid).views
    high_views = keyword_row(high_m.adapter(Marketplace.WB), cid, kid).views
    assert high_views > low_views


def test_each_marketplace_charges_its_own_way() -> None:
    m, clock = market(campaigns=3, keywords=10)
    clock.advance(hours=14)
    checked = 0
    for mp in Marketplace:
        adapter = m.adapter(mp)
        for cid in ids(adapter):
            bids = {k.external_id: k.bid for k in adapter.list_keywords(cid).items}
            for row in adapter.keyword_stats(cid, DAY).items:
                bid = bids[row.keyword_external_id]
                if mp is Marketplace.OZON:  # CPC: clicks × bid
                    assert row.spent == row.clicks * bid
                elif mp is Marketplace.WB:  # CPM: views / 1000 × bid
                    assert abs(row.spent - row.views * bid / 1000) <= Decimal("0.01")
                else:  # CPA: bid % of the order value
                    assert abs(row.spent - row.revenue * bid / 100) <= Decimal("0.01")
                checked += 1
    assert checked == 90


def test_campaign_totals_are_the_sum_of_their_keywords() -> None:
    m, clock = market()
    script(m, clock)
    for mp in Marketplace:
        adapter = m.adapter(mp)
        for cid in ids(adapter):
            campaign = campaign_row(adapter, cid, m.today())
            keywords = adapter.keyword_stats(cid, m.today()).items
            assert campaign.spent == sum((k.spent for k in keywords), Decimal(0))
            assert campaign.views == sum(k.views for k in keywords)
            assert campaign.orders == sum(k.orders for k in keywords)
            assert campaign.revenue == sum((k.revenue for k in keywords), Decimal(0))


# -- time ---------------------------------------------------------------------------------


def test_spend_accrues_with_time_in_whole_15_minute_steps() -> None:
    m, clock = market(at=MIDNIGHT_MSK + timedelta(hours=9))
    wb = m.adapter(Marketplace.WB)
    cid = first_active_campaign(wb)
    at_nine = campaign_row(wb, cid)
    clock.advance(minutes=14)
    within_the_step = campaign_row(wb, cid)
    clock.advance(minutes=2)
    next_step = campaign_row(wb, cid)
    clock.advance(hours=3)
    later = campaign_row(wb, cid)

    assert at_nine.spent > 0  # the market has been running since midnight
    assert within_the_step == at_nine
    assert at_nine.spent < next_step.spent < later.spent
    assert at_nine.views < next_step.views < later.views


def test_a_campaign_stops_spending_once_it_reaches_its_daily_budget() -> None:
    m, clock = market(campaigns=12)
    hourly: dict[str, list[CampaignStats]] = {}
    budgets = {}
    for _hour in range(24):
        clock.advance(hours=1)
        clock.current -= timedelta(seconds=1)  # 0:59:59, 1:59:59, …: still the same day at the end
        for mp in Marketplace:
            adapter = m.adapter(mp)
            campaigns = adapter.list_campaigns().items
            budgets.update({c.external_id: c.daily_budget for c in campaigns})
            for row in adapter.campaign_stats([c.external_id for c in campaigns], DAY).items:
                hourly.setdefault(row.campaign_external_id, []).append(row)
        clock.current += timedelta(seconds=1)

    capped = [cid for cid, rows in hourly.items() if budgets[cid] and rows[-1].spent >= (budgets[cid] or 0)]
    assert capped, "the generator should give some campaigns a budget they reach"
    for cid in capped:
        budget = budgets[cid]
        assert budget is not None
        rows = hourly[cid]
        reached = next(i for i, row in enumerate(rows) if row.spent >= budget)
        assert all(row == rows[reached] for row in rows[reached:])  # nothing more that day
        assert rows[reached].spent - budget < rows[reached].spent - rows[reached - 1].spent  # < an hour's spend


def test_day_totals_reset_at_moscow_midnight_and_yesterday_is_kept() -> None:
    m, clock = market(at=MIDNIGHT_MSK + timedelta(hours=23, minutes=50))
    wb = m.adapter(Marketplace.WB)
    cid = first_active_campaign(wb)
    assert m.today() == DAY
    late = campaign_row(wb, cid, DAY)
    clock.current = MIDNIGHT_MSK + timedelta(days=1) - timedelta(microseconds=1)
    assert m.today() == DAY  # 20:59:59 UTC is still the 10th in Moscow
    clock.current = MIDNIGHT_MSK + timedelta(days=1, minutes=5)
    next_day = DAY + timedelta(days=1)

    assert m.today() == next_day
    today = campaign_row(wb, cid, next_day)
    yesterday = campaign_row(wb, cid, DAY)
    assert (today.views, today.clicks, today.orders, today.spent) == (0, 0, 0, Decimal(0))
    assert yesterday.spent >= late.spent > 0
    assert yesterday.views >= late.views
    keywords_yesterday = wb.keyword_stats(cid, DAY).items
    assert sum((k.spent for k in keywords_yesterday), Decimal(0)) == yesterday.spent


def test_days_before_yesterday_are_refused() -> None:
    m, clock = market()
    clock.advance(days=3)
    wb = m.adapter(Marketplace.WB)
    with pytest.raises(MarketplaceRejected, match="keeps today"):
        wb.keyword_stats(first_active_campaign(wb), DAY)


def test_days_without_a_change_are_skipped_cheaply_and_match_day_by_day_accrual() -> None:
    (jump, clock_j), (walk, clock_w) = market(), market()
    for _ in range(5 * 24):
        clock_w.advance(hours=1)
        for mp in Marketplace:
            walk.adapter(mp).campaign_stats(ids(walk.adapter(mp)), walk.today())
    clock_j.advance(days=5)
    yesterday = jump.today() - timedelta(days=1)
    assert snapshot(jump, yesterday) == snapshot(walk, yesterday)


# -- changes ------------------------------------------------------------------------------


def test_update_bids_is_idempotent_on_the_key() -> None:
    (twice, clock_t), (once, clock_o) = market(), market()
    for m, clock in ((twice, clock_t), (once, clock_o)):
        clock.advance(hours=8)
        wb = m.adapter(Marketplace.WB)
        cid = first_active_campaign(wb)
        kid = first_active_keyword(wb, cid)
        first = wb.update_bids(cid, [BidChange(kid, Decimal("777"))], "cycle-1:" + cid)
        clock.advance(hours=1)
        if m is twice:
            again = wb.update_bids(cid, [BidChange(kid, Decimal("555"))], "cycle-1:" + cid)
            assert again == first
        clock.advance(hours=3)
        bid = next(k.bid for k in wb.list_keywords(cid).items if k.external_id == kid)
        assert bid == Decimal("777.00")
    assert snapshot(twice) == snapshot(once)


def test_bids_below_the_minimum_or_for_unknown_keywords_are_rejected_and_the_rest_applied() -> None:
    m, _clock = market()
    ozon = m.adapter(Marketplace.OZON)
    cid = first_active_campaign(ozon)
    first, second = ozon.list_keywords(cid).items[:2]
    assert first.min_bid is not None
    result = ozon.update_bids(
        cid,
        [
            BidChange(first.external_id, first.min_bid - Decimal("0.01")),
            BidChange(second.external_id, Decimal("42.37")),
            BidChange("99999999001", Decimal("10")),
        ],
        "k",
    )

    assert result.applied == (second.external_id,)
    assert [kid for kid, _ in result.rejected] == [first.external_id, "99999999001"]
    assert "below the minimum" in result.rejected[0][1]
    after = {k.external_id: k.bid for k in ozon.list_keywords(cid).items}
    assert after[second.external_id] == Decimal("42.37")
    assert after[first.external_id] == first.bid


def test_a_paused_keyword_accrues_nothing() -> None:
    m, clock = market(at=MIDNIGHT_MSK + timedelta(hours=9))
    wb = m.adapter(Marketplace.WB)
    cid = first_active_campaign(wb)
    kid = first_active_keyword(wb, cid)
    wb.pause_keywords(cid, [kid])
    before = keyword_row(wb, cid, kid)
    clock.advance(hours=6)

    assert keyword_row(wb, cid, kid) == before
    assert campaign_row(wb, cid).views > 0
    assert next(k.status for k in wb.list_keywords(cid).items if k.external_id == kid) == "paused"


def test_a_paused_campaign_accrues_nothing_until_it_is_started_again() -> None:
    m, clock = market(at=MIDNIGHT_MSK + timedelta(hours=9))
    ozon = m.adapter(Marketplace.OZON)
    cid = first_active_campaign(ozon)
    ozon.pause_campaign(cid)
    paused = campaign_row(ozon, cid)
    clock.advance(hours=4)
    assert campaign_row(ozon, cid) == paused
    assert next(c.status for c in ozon.list_campaigns().items if c.external_id == cid) == "paused"

    ozon.start_campaign(cid)
    clock.advance(hours=1)
    assert campaign_row(ozon, cid).clicks > paused.clicks


def test_ym_refuses_a_campaign_pause_or_start_as_its_live_client_does_and_keeps_the_campaign_running() -> None:
    m, clock = market(at=MIDNIGHT_MSK + timedelta(hours=9))
    ym = m.adapter(Marketplace.YM)
    cid = first_active_campaign(ym)
    live = YmBoostAds(None, 1)  # type: ignore[arg-type]  # refuses before any request
    before = campaign_row(ym, cid)

    for simulated, real in ((ym.pause_campaign, live.pause_campaign), (ym.start_campaign, live.start_campaign)):
        with pytest.raises(MarketplaceRejected) as ours:
            simulated(cid)
        with pytest.raises(MarketplaceRejected) as theirs:
            real(cid)
        assert str(ours.value) == str(theirs.value)
        assert "cabinet only" in str(ours.value)
    clock.advance(hours=2)

    assert next(c.status for c in ym.list_campaigns().items if c.external_id == cid) == "active"
    assert campaign_row(ym, cid).clicks > before.clicks
    assert "pause_campaign" not in ym.calls and "start_campaign" not in ym.calls  # no request made


def test_a_ym_keyword_pause_takes_the_sku_out_of_the_boost() -> None:
    m, clock = market(at=MIDNIGHT_MSK + timedelta(hours=9))
    ym = m.adapter(Marketplace.YM)
    cid = first_active_campaign(ym)
    kid = first_active_keyword(ym, cid)
    ym.pause_keywords(cid, [kid])
    before = keyword_row(ym, cid, kid)
    clock.advance(hours=3)

    assert keyword_row(ym, cid, kid) == before
    assert next(k.status for k in ym.list_keywords(cid).items if k.external_id == kid) == "paused"


def test_unknown_campaigns_are_refused_and_left_out_of_batched_stats() -> None:
    m, _clock = market()
    wb = m.adapter(Marketplace.WB)
    with pytest.raises(MarketplaceRejected):
        wb.list_keywords("20000001")  # an Ozon campaign
    fetched = wb.campaign_stats(["10000001", "10999999"], DAY)
    assert [s.campaign_external_id for s in fetched.items] == ["10000001"]
    assert fetched.skipped == ("campaign 10999999: no stats returned",)


# -- the generated market -----------------------------------------------------------------


def test_the_generator_gives_a_realistic_variety() -> None:
    m, clock = market(campaigns=30, keywords=20)
    clock.advance(hours=23, minutes=59)
    statuses, no_budget, clicks_no_orders = set(), 0, 0
    min_bids: dict[Marketplace, list[Decimal]] = {}
    for mp in Marketplace:
        adapter = m.adapter(mp)
        campaigns = adapter.list_campaigns().items
        statuses |= {c.status for c in campaigns}
        no_budget += sum(c.daily_budget is None for c in campaigns)
        for c in campaigns[:10]:
            min_bids.setdefault(mp, []).extend(
                k.min_bid or Decimal(0) for k in adapter.list_keywords(c.external_id).items
            )
            clicks_no_orders += sum(
                s.clicks >= 20 and s.orders == 0 for s in adapter.keyword_stats(c.external_id, DAY).items
            )

    assert statuses == {"active", "paused"}
    assert no_budget > 0
    assert clicks_no_orders > 0
    assert Decimal(50) <= min(min_bids[Marketplace.WB]) and max(min_bids[Marketplace.WB]) <= Decimal(150)
    assert Decimal(3) <= min(min_bids[Marketplace.OZON]) and max(min_bids[Marketplace.OZON]) <= Decimal(10)
    assert Decimal("0.5") <= min(min_bids[Marketplace.YM]) and max(min_bids[Marketplace.YM]) <= Decimal(3)
    assert all(b == b.quantize(Decimal("0.01")) for bids in min_bids.values() for b in bids)


def test_competitor_bids_are_what_a_watcher_sees_highest_first() -> None:
    m, _clock = market()
    bids = m.competitor_bids("20000001001")
    assert 3 <= len(bids) <= 10
    assert list(bids) == sorted(bids, reverse=True)
    assert all(isinstance(b, Decimal) for b in bids)


def test_a_large_market_is_built_without_generating_it() -> None:
    clock = FakeClock(MIDNIGHT_MSK)
    m = build_simulated_market(5, 10_000, 50, clock)
    wb = m.adapter(Marketplace.WB)
    assert len(wb.list_keywords("10009999").items) == 50


def test_a_state_holding_another_market_is_refused() -> None:
    state = InMemorySimState()
    build_simulated_market(1, 5, 5, FakeClock(MIDNIGHT_MSK), state)
    with pytest.raises(SimStateMismatch):
        build_simulated_market(2, 5, 5, FakeClock(MIDNIGHT_MSK), state)


def test_a_second_market_on_the_same_state_keeps_the_first_ones_start() -> None:
    state = InMemorySimState()
    first_clock = FakeClock(MIDNIGHT_MSK + timedelta(hours=5))
    first = build_simulated_market(1, 5, 5, first_clock, state)
    second = build_simulated_market(1, 5, 5, FakeClock(MIDNIGHT_MSK + timedelta(days=1, hours=5)), state)
    assert second.meta == first.meta


def test_the_adapter_satisfies_the_port() -> None:
    m, _clock = market()
    adapter: AdsMarketplace = m.adapter(Marketplace.YM)
    assert adapter.marketplace is Marketplace.YM
    assert m.adapter(Marketplace.YM) is adapter


@pytest.mark.slow
def test_a_benchmark_sized_market_of_500_000_keywords_is_generated_and_answers_stats() -> None:
    # Speed is the benchmark's business (bench/bid_cycle.py); this checks the size works at all.
    clock = FakeClock(MIDNIGHT_MSK + timedelta(hours=9))
    m = build_simulated_market(5, 3334, 50, clock)  # 10 002 campaigns × 50 keywords
    campaigns = {mp: ids(m.adapter(mp)) for mp in Marketplace}  # generates every campaign
    answered = 0
    for mp, campaign_ids in campaigns.items():
        answered += len(m.adapter(mp).campaign_stats(campaign_ids, DAY).items)
    assert sum(len(c) for c in campaigns.values()) == 10_002
    assert answered == 10_002
