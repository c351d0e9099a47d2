"""``default_bounds``: the bounds of a newly synced campaign pass the settings rules and hold
every bid the marketplace reports."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign import Campaign, CampaignStatus
from adolf.domain.marketing.campaign_settings import check_settings
from adolf.domain.marketing.default_bounds import default_bounds
from adolf.domain.marketing.pricing import bid_step, pricing_of
from adolf.domain.marketplace import Marketplace
from tests.unit.domain.generators import PROPERTY, money

D = Decimal

bids = st.lists(money("0", "5000"), max_size=12)
minimums = st.lists(st.none() | money("0", "500"), max_size=12)
# Marketplaces report minimums with more places than we store (YM: hundredths of a percent).
fine_minimums = st.lists(
    st.none() | st.decimals(min_value=0, max_value=50, places=4, allow_nan=False, allow_infinity=False), max_size=6
)


def _campaign(marketplace: Marketplace, min_bid: Decimal, max_bid: Decimal) -> Campaign:
    return Campaign(
        id=1,
        marketplace=marketplace,
        external_id="c1",
        name="synced",
        brand="b",
        status=CampaignStatus.ACTIVE,
        strategy=StrategyType.MANUAL,
        min_bid=min_bid,
        max_bid=max_bid,
    )


@PROPERTY
@given(st.sampled_from(list(Marketplace)), bids, minimums | fine_minimums)
def test_bounds_are_positive_ordered_decimal_cents_and_hold_every_current_bid(
    marketplace: Marketplace, current: list[Decimal], lows: list[Decimal | None]
) -> None:
    low, high = default_bounds(marketplace, current, lows)

    assert isinstance(low, Decimal) and isinstance(high, Decimal)
    assert D(0) < low <= high
    assert all(bid <= high for bid in current)
    assert low == low.quantize(D("0.01")) and high == high.quantize(D("0.01"))
    check_settings(_campaign(marketplace, low, high))  # the settings rules pass as they are


@PROPERTY
@given(st.sampled_from(list(Marketplace)), bids, minimums)
def test_min_bid_is_the_lowest_positive_minimum_else_one_bid_step(
    marketplace: Marketplace, current: list[Decimal], lows: list[Decimal | None]
) -> None:
    low, high = default_bounds(marketplace, current, lows)

    known = [m for m in lows if m is not None and m > 0]
    assert low == (min(known) if known else bid_step(pricing_of(marketplace)))
    assert high == max([*current, low])


def test_examples() -> None:
    assert default_bounds(Marketplace.WB, [D("55.50"), D("70")], [D("10"), None]) == (D("10.00"), D("70.00"))
    assert default_bounds(Marketplace.OZON, [D("30")], [None]) == (D("1.00"), D("30.00"))
    assert default_bounds(Marketplace.YM, [D("5.7")], [D("0")]) == (D("0.10"), D("5.70"))  # a percent bid's step
    assert default_bounds(Marketplace.WB, [], []) == (D("1.00"), D("1.00"))
    assert default_bounds(Marketplace.WB, [D("3")], [D("125")]) == (D("125.00"), D("125.00"))
    assert default_bounds(Marketplace.YM, [D("0.3")], [D("0.005")]) == (D("0.01"), D("0.30"))  # never 0.00
