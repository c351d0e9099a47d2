"""Properties of the whole bid cycle over any stats the marketplace reports."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.application.marketing.bid_cycle import run_bid_cycle
from adolf.application.ports.ads_marketplace import KeywordStats
from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.ladder import position_of
from adolf.domain.marketplace import Marketplace
from tests.support.fakes import FakeServices
from tests.unit.application.builders import DAY, campaign, cstats, keyword, seed
from tests.unit.domain.generators import money

PROPERTY = settings(max_examples=40, deadline=None)


@st.composite
def keyword_stats(draw: st.DrawFn, external_id: str) -> KeywordStats:
    return KeywordStats(
        keyword_external_id=external_id,
        day=DAY,
        views=draw(st.integers(0, 50_000)),
        clicks=draw(st.integers(0, 2_000)),
        orders=draw(st.integers(0, 100)),
        spent=draw(money("0", "5000")),
        revenue=draw(money("0", "50000")),
        avg_position=draw(st.none() | st.decimals(min_value=1, max_value=30, places=1)),
    )


@st.composite
def worlds(draw: st.DrawFn) -> tuple[FakeServices, dict[int, tuple[Decimal, Decimal]]]:
    """Up to 4 campaigns of random strategy and bounds, 1–4 keywords each, random stats."""
    services = FakeServices()
    bounds: dict[int, tuple[Decimal, Decimal]] = {}
    for cid in range(1, draw(st.integers(1, 4)) + 1):
        min_bid = draw(money("1", "200"))
        max_bid = draw(money(min_bid, "1000"))
        camp = campaign(
            cid,
            strategy=draw(st.sampled_from(list(StrategyType))),
            min_bid=min_bid,
            max_bid=max_bid,
            target_drr=draw(money("1", "50")),
            target_cpo=draw(money("1", "2000")),
            target_position=draw(st.decimals(min_value=1, max_value=10, places=0)),
            daily_budget=draw(st.none() | money("100", "20000")),
        )
        kws = [keyword(cid * 10 + n, cid, bid=draw(money(min_bid, max_bid))) for n in range(draw(st.integers(1, 4)))]
        seed(services, camp, *kws)
        services.uow().competitor_bids.replace(
            camp.marketplace,
            {k.external_id: draw(st.lists(money("0", "1500"), max_size=5)) for k in kws},
            services.clock.now(),
        )
        services.market().set_campaign_stats(cstats(camp.external_id, spent=str(draw(money("0", "20000")))))
        services.market().set_keyword_stats(camp.external_id, *(draw(keyword_stats(k.external_id)) for k in kws))
        bounds[cid] = (min_bid, max_bid)
    return services, bounds


@PROPERTY
@given(worlds())
def test_every_bid_the_cycle_writes_or_sends_stays_within_min_and_max_bid(
    world: tuple[FakeServices, dict[int, tuple[Decimal, Decimal]]],
) -> None:
    services, bounds = world

    run_bid_cycle(services)

    uow = services.uow()
    for record in uow.bid_history.records:
        low, high = bounds[record.campaign_id]
        assert low <= record.new_bid <= high
        # a move under one step is sent only when it wins or gives up a place among the
        # competitor bids (bid_steps.decide), e.g. 1.00 → 1.01 past a rival at 1.00
        keyword_ = uow.campaigns.keywords[record.keyword_id]
        rivals = uow.competitor_bids.bids.get((Marketplace.WB, keyword_.external_id), ())
        assert abs(record.new_bid - record.old_bid) >= 1 or (
            position_of(record.new_bid, rivals) != position_of(record.old_bid, rivals)
        )
    for kw in services.uow().campaigns.keywords.values():
        low, high = bounds[kw.campaign_id]
        assert low <= kw.bid <= high
    for args in services.market().calls_of("update_bids"):
        low, high = bounds[int(args[0][1:])]
        assert all(low <= change.bid <= high for change in args[1])


@PROPERTY
@given(worlds())
def test_the_cycle_stays_within_its_api_call_budget_and_sent_bids_match_local_ones(
    world: tuple[FakeServices, dict[int, tuple[Decimal, Decimal]]],
) -> None:
    services, bounds = world

    result = run_bid_cycle(services)

    market = services.market()
    assert len(market.calls) <= 3 * len(bounds) + 1 == 3 * result["campaigns"] + 1
    for kw in services.uow().campaigns.keywords.values():
        assert market.remote_bid(f"c{kw.campaign_id}", kw.external_id) == kw.bid
