"""Property tests guarding the bid engine's money rules (SPEC §4.1, "Every strategy")."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from adolf.domain.marketing.bidding import (
    MIN_BID_STEP,
    BidContext,
    BidReason,
    StrategyType,
    compute_bid,
)
from adolf.domain.marketing.metrics import StatsTotals

from .generators import PROPERTY, bid_contexts, counts, money

ANY_STRATEGY = st.sampled_from(list(StrategyType))
ENGINE_STRATEGIES = st.sampled_from([s for s in StrategyType if s is not StrategyType.MANUAL])


def _clamp(ctx: BidContext, bid: Decimal) -> Decimal:
    return min(max(bid, ctx.floor), ctx.max_bid)


@PROPERTY
@given(strategy=ANY_STRATEGY, ctx=bid_contexts())
def test_bids_stay_within_min_and_max_bid_for_any_input(strategy: StrategyType, ctx: BidContext) -> None:
    decision = compute_bid(strategy, ctx)
    assert ctx.min_bid <= decision.new_bid <= ctx.max_bid
    assert ctx.floor <= decision.new_bid  # and at or above the marketplace minimum when it fits


@PROPERTY
@given(strategy=ENGINE_STRATEGIES, ctx=bid_contexts(current_within_bounds=False))
def test_a_bid_outside_the_bounds_is_brought_inside_or_left_within_one_step(
    strategy: StrategyType, ctx: BidContext
) -> None:
    decision = compute_bid(strategy, ctx)
    if decision.changed:
        assert ctx.floor <= decision.new_bid <= ctx.max_bid
    else:
        assert decision.new_bid == ctx.current_bid
        assert abs(_clamp(ctx, ctx.current_bid) - ctx.current_bid) < MIN_BID_STEP


@PROPERTY
@given(ctx=bid_contexts(current_within_bounds=False))
def test_manual_never_moves(ctx: BidContext) -> None:
    decision = compute_bid("manual", ctx)
    assert decision.new_bid == ctx.current_bid
    assert not decision.changed
    assert not decision.capped


@PROPERTY
@given(strategy=ANY_STRATEGY, ctx=bid_contexts(current_within_bounds=False))
def test_a_move_under_one_is_never_reported_changed(strategy: StrategyType, ctx: BidContext) -> None:
    decision = compute_bid(strategy, ctx)
    assert decision.changed == (abs(decision.new_bid - ctx.current_bid) >= MIN_BID_STEP)
    if not decision.changed:
        assert decision.new_bid == ctx.current_bid


@PROPERTY
@given(strategy=ENGINE_STRATEGIES, ctx=bid_contexts(current_within_bounds=False))
def test_capped_means_the_rules_wanted_more_than_max_bid(strategy: StrategyType, ctx: BidContext) -> None:
    decision = compute_bid(strategy, ctx)
    assert decision.capped == (decision.computed_bid > ctx.max_bid)
    if decision.capped and decision.changed:
        assert decision.new_bid == ctx.max_bid


@PROPERTY
@given(strategy=ENGINE_STRATEGIES, ctx=bid_contexts())
def test_one_cycle_moves_a_bid_by_a_bounded_factor(strategy: StrategyType, ctx: BidContext) -> None:
    decision = compute_bid(strategy, ctx)
    current, tuning = ctx.current_bid, ctx.tuning
    if strategy is StrategyType.TARGET_POSITION:
        up = down = tuning.position_max_step
    else:
        up, down = tuning.max_raise, tuning.max_cut
    assert decision.new_bid - current <= max(current * up, MIN_BID_STEP)
    assert current - decision.new_bid <= max(current * down, MIN_BID_STEP)


@st.composite
def over_target(draw: st.DrawFn, ratio: str) -> BidContext:
    """A context whose actual DRR (or CPO) is above its target, with enough data."""
    ctx = draw(bid_contexts())
    orders = draw(st.integers(min_value=1, max_value=1000))
    spent = draw(money("300", "1000000"))
    revenue = draw(money("0.01", "1000000"))
    views, clicks = draw(counts()), draw(counts())
    stats = StatsTotals(views=views, clicks=clicks, orders=orders, spent=spent, revenue=revenue)
    actual = spent * 100 / revenue if ratio == "drr" else spent / orders
    target = draw(money("0.01", min(actual, Decimal("100000"))))
    assume(target < actual)
    if ratio == "drr":
        return replace(ctx, stats=stats, target_drr=target)
    return replace(ctx, stats=stats, target_cpo=target)


@PROPERTY
@given(ctx=over_target("drr"))
def test_target_drr_never_raises_the_bid_when_drr_is_above_target(ctx: BidContext) -> None:
    decision = compute_bid("target_drr", ctx)
    assert decision.new_bid <= ctx.current_bid
    assert decision.reason is BidReason.ABOVE_TARGET


@PROPERTY
@given(ctx=over_target("cpo"))
def test_target_cpo_never_raises_the_bid_when_cpo_is_above_target(ctx: BidContext) -> None:
    decision = compute_bid("target_cpo", ctx)
    assert decision.new_bid <= ctx.current_bid


@PROPERTY
@given(
    ctx=bid_contexts(current_within_bounds=True),
    clicks=st.integers(min_value=0, max_value=29),
    spent=money("0", "299.99"),
    strategy=st.sampled_from([StrategyType.TARGET_DRR, StrategyType.TARGET_CPO]),
)
def test_too_little_data_holds(ctx: BidContext, clicks: int, spent: Decimal, strategy: StrategyType) -> None:
    thin = replace(ctx.stats, clicks=clicks, spent=spent)
    context = replace(ctx, stats=thin, target_drr=Decimal("20"), target_cpo=Decimal("300"))
    decision = compute_bid(strategy, context)
    assert decision.held
    assert decision.reason is BidReason.INSUFFICIENT_DATA
    assert decision.new_bid == ctx.current_bid and not decision.changed


@PROPERTY
@given(ctx=bid_contexts(current_within_bounds=True), views=st.integers(min_value=0, max_value=99))
def test_target_position_without_trusted_data_holds(ctx: BidContext, views: int) -> None:
    context = replace(ctx, stats=replace(ctx.stats, views=views), competitor_bids=(), target_position=Decimal("3"))
    decision = compute_bid("target_position", context)
    assert decision.held and not decision.changed


@PROPERTY
@given(ctx=bid_contexts())
def test_target_position_never_raises_above_the_leader_plus_one_step(ctx: BidContext) -> None:
    assume(ctx.competitor_bids)
    decision = compute_bid("target_position", ctx)
    leader_cap = max(ctx.competitor_bids) + MIN_BID_STEP
    assert decision.new_bid <= max(ctx.current_bid, leader_cap, ctx.floor)
