"""The simulated Ozon FBO: deterministic per seed and order-free, stock that drains with the
sales and never goes below 0, supplies in transit that arrive after their lead time, Ozon's
batch limits and its 1-call-a-minute analytics quota on the simulated clock, malformed rows
skipped and counted."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.adapters.clocks import ManualClock
from adolf.adapters.marketplaces.simulated.fbo_model import (
    CLUSTERS,
    clusters_in_use,
    daily_demand,
    lead_days,
    sku_of,
)
from adolf.adapters.marketplaces.simulated.fbo_state import FboStateMismatch, InMemoryFboState
from adolf.adapters.marketplaces.simulated.ozon_fbo import (
    ANALYTICS_DATA,
    ANALYTICS_STOCKS,
    SimulatedOzonFbo,
    share_of_day,
)
from adolf.adapters.marketplaces.simulated.timeline import MOSCOW
from adolf.application.logistic.ozon_fbo import (
    ANALYTICS_LIMIT,
    STOCKS_BATCH,
    VELOCITY_DAYS,
    OzonFbo,
    QuotaExceeded,
    velocity,
)
from adolf.application.ports.ads_marketplace import MarketplaceError, MarketplaceRejected
from tests.unit.domain.generators import PROPERTY

START = date(2026, 1, 12)  # a Monday
CENT = Decimal("0.01")


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    """An aware UTC instant at a Moscow wall-clock time."""
    return datetime.combine(day, time(hour, minute), MOSCOW).astimezone(UTC)


def fbo(seed: int = 7, articles: int = 40, *, clusters: int = 10, malformed_rate: float = 0.0, hour: int = 12):
    clock = ManualClock(at(START, hour))
    return SimulatedOzonFbo(seed, articles, clock, clusters=clusters, malformed_rate=malformed_rate), clock


def days(count: int) -> list[date]:
    return [START + timedelta(days=n) for n in range(count)]


def grid(market: SimulatedOzonFbo, when: list[date]) -> dict[tuple[int, int, date], tuple[int, int, int]]:
    """(available at the day's start, sold, lost) of every cell on every day asked, in that order."""
    return {
        (sku, cluster, day): (
            market.available(sku, cluster, at(day)),
            market.sold(sku, cluster, day),
            market.lost(sku, cluster, day),
        )
        for day in when
        for sku in market.skus
        for cluster in market.cluster_ids
    }


def test_the_simulated_fbo_is_an_ozon_fbo_port() -> None:
    market: OzonFbo = fbo()[0]
    assert [c.name for c in market.clusters()][:2] == ["Москва, МО и Дальние регионы", "Санкт-Петербург и СЗО"]


# -- deterministic and order-free -----------------------------------------------------------


def test_the_same_seed_gives_the_same_market_whatever_the_order_of_the_questions() -> None:
    forwards, _ = fbo(articles=15)
    backwards, _ = fbo(articles=15)
    jumping, _ = fbo(articles=15)
    span = days(12)
    expected = grid(forwards, span)
    assert grid(backwards, span[::-1]) == expected
    jumping.outcome(span[-1])  # straight to the last day, then back
    assert grid(jumping, span) == expected
    other, _ = fbo(seed=8, articles=15)
    assert grid(other, span) != expected


def test_shipments_recorded_in_another_order_give_the_same_stock() -> None:
    first, _ = fbo(articles=10)
    second, _ = fbo(articles=10)
    a, b = first.skus[1], first.skus[4]
    shipments = [(a, 4001, 30, at(START, 10)), (b, 4003, 12, at(START + timedelta(days=1), 15))]
    for sku, cluster, units, when in shipments:
        first.ship(sku, cluster, units, when)
    second.outcome(START + timedelta(days=9))  # its cache runs past the arrivals before they are known
    for sku, cluster, units, when in reversed(shipments):
        second.ship(sku, cluster, units, when)
    assert grid(first, days(10)) == grid(second, days(10))


def test_stock_is_computed_incrementally_one_day_at_a_time_and_cached() -> None:
    market, _ = fbo(articles=5)
    market.outcome(START + timedelta(days=9))
    assert market.days_computed == 10
    market.outcome(START + timedelta(days=4))
    market.outcome(START + timedelta(days=9))
    assert market.days_computed == 10  # nothing recomputed
    market.outcome(START + timedelta(days=11))
    assert market.days_computed == 12  # two more days, not twelve
    sku = market.skus[0]
    shipped = market.ship(sku, 4001, 5, at(START + timedelta(days=3)))
    market.outcome(START + timedelta(days=11))
    # only the days from the arrival on are recomputed
    assert market.days_computed == 12 + (START + timedelta(days=11) - shipped.arrives_on).days + 1


@given(st.integers(0, 2**32), st.integers(0, 500), st.sampled_from(CLUSTERS), st.integers(730_000, 740_000))
def test_demand_is_a_pure_function_of_seed_article_cluster_and_day(
    seed: int, index: int, cluster, ordinal: int
) -> None:
    day = date.fromordinal(ordinal)
    assert daily_demand(seed, sku_of(index), cluster, day) == daily_demand(seed, sku_of(index), cluster, day)
    assert daily_demand(seed, sku_of(index), cluster, day) >= 0
    assert 2 <= lead_days(seed, sku_of(index), cluster.id, day) <= 5


# -- stock drains with the sales, never below 0 ----------------------------------------------


@PROPERTY
@given(st.integers(0, 2**32), st.integers(1, 12), st.integers(1, 6))
def test_stock_drains_by_the_sales_and_never_goes_below_zero(seed: int, clusters: int, articles: int) -> None:
    market, _ = fbo(seed, articles, clusters=clusters)
    span = days(15)
    for sku in market.skus:
        for cluster in market.cluster_ids:
            for day in span:
                start = market.available(sku, cluster, at(day))
                sold, lost = market.sold(sku, cluster, day), market.lost(sku, cluster, day)
                wanted = daily_demand(seed, sku, clusters_in_use(clusters)[market.cluster_ids.index(cluster)], day)
                assert start >= 0 and sold >= 0 and lost >= 0
                assert sold == min(wanted, start)  # a stock-out loses the rest of the day's demand
                assert sold + lost == wanted
                nxt = market.available(sku, cluster, at(day + timedelta(days=1)))
                assert nxt == start - sold  # no supplies: what is left tomorrow is what was not sold
    total = market.outcome(span[-1])
    assert total.lost == total.demand - total.sold >= 0


def test_stock_drains_along_the_day_and_some_articles_start_low_or_out() -> None:
    market, _ = fbo(articles=80)
    sku, cluster = next((s, c) for s in market.skus for c in market.cluster_ids if market.sold(s, c, START) >= 10)
    seen = [market.available(sku, cluster, at(START, hour)) for hour in range(24)]
    assert seen == sorted(seen, reverse=True) and seen[0] > seen[-1]
    assert seen[0] - market.available(sku, cluster, at(START + timedelta(days=1))) == market.sold(sku, cluster, START)
    assert share_of_day(at(START)) == 0
    assert 0.2 < share_of_day(at(START, 12)) < 0.4
    starts = [market.available(s, c, at(START)) for s in market.skus for c in market.cluster_ids]
    assert 0.04 < starts.count(0) / len(starts) < 0.14
    assert market.lost_sales(START) > 0 and market.stockouts(START) > 0


# -- supplies ----------------------------------------------------------------------------------


def test_a_shipment_is_in_transit_until_its_lead_time_then_arrives() -> None:
    market, clock = fbo(articles=10)
    twin, _ = fbo(articles=10)
    sku, cluster = market.skus[2], 4002
    shipped = market.ship(sku, cluster, 40, clock.now())
    lead = (shipped.arrives_on - START).days
    assert 2 <= lead <= 5 and lead == lead_days(7, sku, cluster, START)
    assert market.in_transit(sku, cluster, clock.now() - timedelta(minutes=1)) == 0  # not yet shipped
    for n in range(lead):
        moment = at(START + timedelta(days=n), 23, 59)
        assert market.in_transit(sku, cluster, moment) == 40
        assert market.available(sku, cluster, moment) == twin.available(sku, cluster, moment)
    arrival = at(shipped.arrives_on)
    assert market.in_transit(sku, cluster, arrival) == 0
    assert market.available(sku, cluster, arrival) == twin.available(sku, cluster, arrival) + 40
    clock.set(arrival - timedelta(hours=1))
    before = {r.cluster_id: r for r in market.stocks([sku]).rows}
    assert before[cluster].in_transit == 40 and before[cluster].requested == 0
    assert sum(r.in_transit for r in before.values()) == 40


def test_a_supply_recovers_lost_sales() -> None:
    market, clock = fbo(articles=60)
    twin, _ = fbo(articles=60)
    sku, cluster = next(
        (s, c)
        for s in market.skus
        for c in market.cluster_ids
        if market.available(s, c, at(START)) == 0 and market.sold(s, c, START - timedelta(days=1)) >= 2
    )
    shipped = market.ship(sku, cluster, 500, clock.now())
    after = [shipped.arrives_on + timedelta(days=n) for n in range(5)]
    assert all(market.lost(sku, cluster, day) == 0 for day in after)
    assert sum(twin.lost(sku, cluster, day) for day in after) > 0
    assert sum(market.lost_sales(day) for day in after) < sum(twin.lost_sales(day) for day in after)


def test_shipping_the_same_key_twice_ships_once_and_bad_shipments_are_refused() -> None:
    market, clock = fbo(articles=3)
    sku = market.skus[0]
    first = market.ship(sku, 4001, 10, clock.now(), key="task-1")
    assert market.ship(sku, 4001, 10, clock.now() + timedelta(hours=1), key="task-1") == first
    assert market.in_transit(sku, 4001, clock.now()) == 10
    with pytest.raises(ValueError, match="units=0"):
        market.ship(sku, 4001, 0, clock.now())
    with pytest.raises(ValueError, match="sku=1"):
        market.ship(1, 4001, 5, clock.now())
    with pytest.raises(ValueError, match="cluster_id=9"):
        market.ship(sku, 9, 5, clock.now())


# -- batches -----------------------------------------------------------------------------------


def test_the_stocks_endpoint_refuses_more_than_100_skus_and_the_port_batches() -> None:
    market, _ = fbo(articles=250)
    with pytest.raises(MarketplaceRejected, match="101 given, at most 100"):
        market.post_analytics_stocks({"skus": [str(s) for s in market.skus[:101]]})
    market.calls.clear()
    page = market.stocks([*market.skus, *market.skus[:30]])  # duplicates go once
    assert market.calls == {ANALYTICS_STOCKS: 3}
    assert len(page.rows) == 250 * 10 and page.skipped == []
    assert Counter(r.sku for r in page.rows) == dict.fromkeys(market.skus, 10)
    market.calls.clear()
    assert market.stocks([]).rows == [] and market.calls == {}
    only = market.stocks(market.skus[:STOCKS_BATCH], cluster_ids=[4001, 4005])
    assert market.calls == {ANALYTICS_STOCKS: 1}
    assert {r.cluster_id for r in only.rows} == {4001, 4005} and len(only.rows) == 200


def test_stock_rows_report_ozon_s_28_day_average_and_days_left() -> None:
    market, clock = fbo(articles=30)
    rows = market.stocks(market.skus).rows
    for row in rows:
        window = sum(market.sold(row.sku, row.cluster_id, START - timedelta(days=n)) for n in range(1, 29))
        assert row.ads == (Decimal(window) / 28).quantize(CENT, rounding=ROUND_HALF_UP)
        assert row.available == market.available(row.sku, row.cluster_id, clock.now())
        if row.ads:
            assert row.idc == (Decimal(row.available) / row.ads).quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            assert row.idc is None and row.turnover_grade == "NO_SALES"
    assert {r.turnover_grade for r in rows} >= {"DEFICIT", "POPULAR", "ACTUAL"}


def test_cluster_list_takes_ozon_s_cluster_type_only() -> None:
    market, _ = fbo(clusters=12)
    assert [c.id for c in market.clusters()] == [c.id for c in CLUSTERS]
    with pytest.raises(MarketplaceRejected, match="cluster_type"):
        market.post_cluster_list({"cluster_type": "CLUSTER_TYPE_CIS"})


# -- the analytics quota and paging ------------------------------------------------------------


def test_analytics_allow_one_call_a_minute_on_the_simulated_clock() -> None:
    market, clock = fbo(articles=5)
    frm, to = START - timedelta(days=3), START - timedelta(days=1)
    first = market.ordered_units(frm, to)
    clock.advance(59)
    with pytest.raises(QuotaExceeded) as refused:
        market.ordered_units(frm, to)
    assert isinstance(refused.value, MarketplaceError)
    assert refused.value.retry_after == pytest.approx(1.0)
    clock.advance(1)
    assert market.ordered_units(frm, to) == first
    assert market.calls[ANALYTICS_DATA] == 3


def test_the_analytics_endpoint_refuses_a_limit_over_1000() -> None:
    market, clock = fbo(articles=5)
    body = {
        "date_from": "2026-01-01",
        "date_to": "2026-01-10",
        "metrics": ["ordered_units", "revenue"],
        "dimension": ["sku", "day"],
        "limit": ANALYTICS_LIMIT + 1,
        "offset": 0,
    }
    with pytest.raises(MarketplaceRejected, match="limit=1001"):
        market.post_analytics_data(body)
    clock.advance(60)
    with pytest.raises(MarketplaceRejected, match="metrics"):
        market.post_analytics_data({**body, "limit": 10, "metrics": ["hits_view"]})


def test_analytics_pages_by_1000_over_complete_days_and_match_the_sales() -> None:
    market, clock = fbo(articles=60)
    clock.advance(3 * 86_400)  # three simulated days have passed: they are in the analytics
    today = START + timedelta(days=3)
    frm = today - timedelta(days=VELOCITY_DAYS)
    rows, offset, calls = [], 0, 0
    while True:
        page = market.ordered_units(frm, today + timedelta(days=5), offset=offset)
        calls += 1
        rows.extend(page.rows)
        if page.next_offset is None:
            break
        offset = page.next_offset
        clock.advance(60)
    assert calls == len(rows) // ANALYTICS_LIMIT + 1
    assert max(r.day for r in rows) == today - timedelta(days=1)  # complete days only
    assert [(r.day, r.sku) for r in rows] == sorted((r.day, r.sku) for r in rows)
    prices = {a.sku: a.price for a in market.articles()}
    for row in rows[::37]:
        assert row.ordered_units == sum(market.sold(row.sku, c, row.day) for c in market.cluster_ids) > 0
        assert row.revenue == row.ordered_units * prices[row.sku]
    # the port's velocity over 28 days is Ozon's SKU-wide ads
    window = [r for r in rows if r.day >= today - timedelta(days=VELOCITY_DAYS)]
    speeds = velocity(window)
    raw = market.post_analytics_stocks({"skus": [str(s) for s in market.skus[:50]]})["items"]
    for item in raw:
        assert speeds.get(item["sku"], Decimal("0.00")) == Decimal(repr(item["ads"])).quantize(CENT)


# -- malformed rows -----------------------------------------------------------------------------


def test_malformed_stock_rows_are_skipped_and_counted_the_rest_goes_on() -> None:
    market, _ = fbo(articles=300, malformed_rate=0.02)
    page = market.stocks(market.skus)
    assert len(page.rows) + len(page.skipped) == 300 * 10
    assert 20 <= len(page.skipped) <= 110
    for skipped in page.skipped:
        assert skipped.reason.startswith("stock row: ")
        assert any(name in skipped.reason for name in ("'sku'", "available_stock_count=-", "ads_cluster='abc'"))
        assert isinstance(skipped.raw, dict)
    assert market.stocks(market.skus) == page  # the same rows, broken the same way, that day


def test_by_default_about_one_row_in_500_is_malformed() -> None:
    market, _ = fbo(articles=1000, malformed_rate=0.002)
    page = market.stocks(market.skus)
    assert 5 <= len(page.skipped) <= 45  # 10 000 rows at 0.2 %: about 20


def test_malformed_sales_rows_are_skipped_and_counted() -> None:
    market, _ = fbo(articles=100, malformed_rate=0.03)
    page = market.ordered_units(START - timedelta(days=5), START - timedelta(days=1))
    clean, _ = fbo(articles=100)
    clock_rows = clean.ordered_units(START - timedelta(days=5), START - timedelta(days=1)).rows
    assert len(page.rows) + len(page.skipped) == len(clock_rows)
    assert page.skipped and all(s.reason.startswith("sales row: ") for s in page.skipped)
    assert set(page.rows) <= set(clock_rows)


# -- one market over several instances (processes): the shared state ------------------------


def on(state: InMemoryFboState, clock: ManualClock, *, start: date | None = START, articles: int = 10):
    return SimulatedOzonFbo(7, articles, clock, start=start, state=state)


def test_an_instance_binding_without_a_first_day_takes_the_one_stored() -> None:
    state, clock = InMemoryFboState(), ManualClock(at(START, 9))
    first = on(state, clock)
    clock.set(at(START + timedelta(days=3), 9))  # a worker waking up days later
    later = on(state, clock, start=None)
    assert later.origin == first.origin == START
    assert grid(later, days(5)) == grid(first, days(5))
    alone = SimulatedOzonFbo(7, 10, clock)  # a store of its own: the first day is today
    assert alone.origin == START + timedelta(days=3)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"seed": 8}, "seed=8"),
        ({"articles": 11}, "articles=11"),
        ({"clusters": 9}, "clusters=9"),
        ({"start": START + timedelta(days=1)}, "from 2026-01-13"),
    ],
)
def test_a_store_holding_another_market_is_refused_naming_both(change: dict[str, object], named: str) -> None:
    state, clock = InMemoryFboState(), ManualClock(at(START, 9))
    on(state, clock)
    asked: dict[str, object] = {"seed": 7, "articles": 10, "clusters": 10, "start": START, **change}
    with pytest.raises(FboStateMismatch, match="seed=7 articles=10 clusters=10 from 2026-01-12") as refused:
        SimulatedOzonFbo(asked.pop("seed"), asked.pop("articles"), clock, state=state, **asked)  # type: ignore[arg-type]
    assert named in str(refused.value)


def test_a_shipment_made_by_one_instance_is_seen_by_every_other() -> None:
    state, clock = InMemoryFboState(), ManualClock(at(START, 9))
    seller, worker, twin = on(state, clock), on(state, clock, start=None), fbo(articles=10)[0]
    sku, cluster = seller.skus[3], 4005
    worker.outcome(START + timedelta(days=8))  # its cache runs past the arrival before it is shipped
    shipped = seller.ship(sku, cluster, 70, clock.now(), key="task-9")
    assert worker.shipments() == [shipped]
    assert worker.in_transit(sku, cluster, clock.now()) == 70
    arrival = at(shipped.arrives_on)
    assert worker.available(sku, cluster, arrival) == twin.available(sku, cluster, arrival) + 70
    assert {r.cluster_id: r.in_transit for r in worker.stocks([sku]).rows}[cluster] == 70
    # the same task marked shipped again, in the other process: nothing more ships
    assert worker.ship(sku, cluster, 70, clock.now() + timedelta(hours=2), key="task-9") == shipped
    assert seller.in_transit(sku, cluster, clock.now()) == 70 and len(seller.shipments()) == 1
    assert grid(worker, days(9)) == grid(seller, days(9))


def test_the_analytics_minute_is_the_account_s_whichever_instance_calls() -> None:
    state, clock = InMemoryFboState(), ManualClock(at(START, 5))
    one, other = on(state, clock), on(state, clock, start=None)
    frm, to = START - timedelta(days=3), START - timedelta(days=1)
    first = one.ordered_units(frm, to)
    clock.advance(30)
    with pytest.raises(QuotaExceeded) as refused:
        other.ordered_units(frm, to)
    assert refused.value.retry_after == pytest.approx(30.0)
    clock.advance(30)
    assert other.ordered_units(frm, to) == first


shipping = st.lists(
    st.tuples(st.integers(0, 1), st.integers(0, 5), st.sampled_from([4001, 4002, 4007]), st.integers(1, 90),
              st.integers(0, 6 * 24 - 1)),
    max_size=12,
)  # fmt: skip  # (which instance, article, cluster, units, hour of the run)


@PROPERTY
@given(plan=shipping, asked=st.lists(st.integers(0, 1), min_size=1, max_size=6))
def test_instances_sharing_a_store_answer_as_one_market_does(
    plan: list[tuple[int, int, int, int, int]], asked: list[int]
) -> None:
    """Shipments split over two instances, each asked in between in any order, leave both
    answering exactly what a single market that made every shipment answers."""
    state, clock = InMemoryFboState(), ManualClock(at(START))
    pair = [on(state, clock, articles=6), on(state, clock, start=None, articles=6)]
    single = SimulatedOzonFbo(7, 6, ManualClock(at(START)), start=START)
    for n, (who, article, cluster, units, hour) in enumerate(sorted(plan, key=lambda p: p[4])):
        moment = at(START) + timedelta(hours=hour)
        pair[who].ship(sku_of(article), cluster, units, moment)
        single.ship(sku_of(article), cluster, units, moment)
        pair[asked[n % len(asked)]].outcome(START + timedelta(days=9))
    for market in pair:
        assert grid(market, days(10)) == grid(single, days(10))
        assert market.shipments() == single.shipments()
