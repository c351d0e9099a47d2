"""Bid shading on a ladder of competitor bids: the cheapest bid that holds a position, and the
position price nearest a bid a target affords."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.marketing.bid_context import BidContext, BidReason
from adolf.domain.marketing.bidding import compute_bid
from adolf.domain.marketing.ladder import nearest_position_price, position_of, position_prices, shade
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketing.pricing import Pricing

from .generators import PROPERTY, money

STEP = Decimal("0.01")
ladders = st.lists(money("0.01", "500"), min_size=1, max_size=10)


def _position(bid: Decimal, rivals: list[Decimal]) -> int:
    """Written again here: 1 + how many competitors bid at least as much (a tie loses)."""
    return 1 + len([r for r in rivals if r >= bid])


@PROPERTY
@given(bid=money("0.01", "600"), rivals=ladders, floor=money("0", "50"))
def test_a_shaded_bid_holds_the_same_position_for_no_more_money(
    bid: Decimal, rivals: list[Decimal], floor: Decimal
) -> None:
    shaded = shade(bid, rivals, floor, STEP)
    assert shaded <= bid
    if bid >= floor:
        assert shaded >= floor
        assert _position(shaded, rivals) == _position(bid, rivals)
        # one kopeck less would lose the position, or go below the floor
        assert shaded - STEP < floor or _position(shaded - STEP, rivals) > _position(bid, rivals)


@PROPERTY
@given(ideal=money("0.01", "600"), rivals=ladders, floor=money("0", "50"))
def test_the_nearest_position_price_is_a_position_price_no_further_than_its_neighbours(
    ideal: Decimal, rivals: list[Decimal], floor: Decimal
) -> None:
    prices = position_prices(rivals, floor, STEP)
    chosen = nearest_position_price(ideal, rivals, floor, STEP)
    assert chosen in prices
    assert all(abs(chosen - ideal) <= abs(other - ideal) for other in prices if other >= floor)


def test_the_nearest_of_two_position_prices_is_taken_either_way() -> None:
    rivals = [Decimal(100), Decimal(60)]
    assert nearest_position_price(Decimal(75), rivals, Decimal(10), STEP) == Decimal("60.01")
    assert nearest_position_price(Decimal(90), rivals, Decimal(10), STEP) == Decimal("100.01")
    assert nearest_position_price(Decimal(500), rivals, Decimal(10), STEP) == Decimal("100.01")
    assert nearest_position_price(Decimal(20), rivals, Decimal(10), STEP) == Decimal(10)
    assert position_of(Decimal("100.01"), rivals) == 1
    assert position_of(Decimal(100), rivals) == 2


def _paying(bid: str, rivals: list[str], spent_per_click: str, revenue: str) -> BidContext:
    clicks = 100
    return BidContext(
        current_bid=Decimal(bid),
        min_bid=Decimal(1),
        max_bid=Decimal(500),
        stats=StatsTotals(
            views=clicks * 20,
            clicks=clicks,
            orders=5,
            spent=Decimal(spent_per_click) * clicks,
            revenue=Decimal(revenue),
        ),
        target_drr=Decimal(10),
        competitor_bids=tuple(Decimal(r) for r in rivals),
        pricing=Pricing.CPC,
    )


def test_a_bid_above_the_price_of_its_position_comes_down_to_it_when_on_target() -> None:
    # 20 ₽ a click at DRR 10 % of 20 000 ₽ revenue over 100 clicks: exactly on target, but
    # the competitor below bids 12 ₽, so 12.01 ₽ holds the same position.
    decision = compute_bid("target_drr", _paying("20", ["30", "12"], "20", "20000"))
    assert decision.reason is BidReason.POSITION_PRICE
    assert decision.new_bid == Decimal("14.00")  # one cycle cuts at most 30 %
    assert position_of(decision.new_bid, [Decimal(30), Decimal(12)]) == 2


def test_a_target_past_the_top_position_stops_at_the_leader_and_says_so() -> None:
    # The target affords 40 ₽ a click; the leader bids 30 ₽, so 30.01 ₽ buys the top.
    decision = compute_bid("target_drr", _paying("30.01", ["30", "12"], "30.01", "40010"))
    assert decision.new_bid == Decimal("30.01")
    assert decision.constraint.value == "at_leader"
