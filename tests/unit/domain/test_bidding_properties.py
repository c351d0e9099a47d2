"""Property tests guarding the bid engine's money rules (SPEC §4.1, "Every strategy")."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import assume, given
from hypothesis import strategies as st

from adolf.domain.marketing.bidding import (
    MIN_BID_STEP,
    BidConstraint,
    BidContext,
    BidReason,
    StrategyType,
    compute_bid,
)
from adolf.domain.marketing.ladder import position_of
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketing.pricing import Pricing

from .generators import PROPERTY, bid_contexts, money

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
        assert abs(_clamp(ctx, ctx.current_bid) - ctx.current_bid) < ctx.step


@PROPERTY
@given(ctx=bid_contexts(current_within_bounds=False))
def test_manual_never_moves(ctx: BidContext) -> None:
    decision = compute_bid("manual", ctx)
    assert decision.new_bid == ctx.current_bid
    assert not decision.changed
    assert not decision.capped


@PROPERTY
@given(strategy=ANY_STRATEGY, ctx=bid_contexts(current_within_bounds=False))
def test_a_move_under_one_step_is_reported_changed_only_when_it_changes_position(
    strategy: StrategyType, ctx: BidContext
) -> None:
    decision = compute_bid(strategy, ctx)
    assert ctx.step == (Decimal("0.1") if ctx.pricing is Pricing.CPA else MIN_BID_STEP)
    moves_position = position_of(decision.new_bid, ctx.competitor_bids) != position_of(
        ctx.current_bid, ctx.competitor_bids
    )
    assert decision.changed == (abs(decision.new_bid - ctx.current_bid) >= ctx.step or moves_position)
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
    assert decision.new_bid - current <= max(current * up, ctx.step)
    assert current - decision.new_bid <= max(current * down, ctx.step)


@st.composite
def paid_at_current_bid(draw: st.DrawFn, ratio: str, above: bool) -> BidContext:
    """A CPC context whose window was bought at the current bid, its DRR (or CPO) above
    (or below) its target, with enough data."""
    ctx = draw(bid_contexts())
    assume(ctx.current_bid >= 1)
    clicks = draw(st.integers(min_value=30, max_value=100_000))
    orders = draw(st.integers(min_value=1, max_value=clicks))
    revenue = draw(money("1", "10000000"))
    stats = StatsTotals(
        views=clicks * 10, clicks=clicks, orders=orders, spent=ctx.current_bid * clicks, revenue=revenue
    )
    actual = stats.spent * 100 / revenue if ratio == "drr" else stats.spent / orders
    factor = draw(st.decimals(min_value="0.05", max_value="0.95", places=2))
    target = (actual * factor if above else actual / factor).quantize(Decimal("0.0001"))
    assume(target > 0)
    base = replace(ctx, stats=stats, pricing=Pricing.CPC, budget_limited=False)
    return replace(base, target_drr=target) if ratio == "drr" else replace(base, target_cpo=target)


@PROPERTY
@given(ctx=paid_at_current_bid("drr", above=True))
def test_target_drr_never_raises_the_bid_when_drr_is_above_target(ctx: BidContext) -> None:
    decision = compute_bid("target_drr", ctx)
    assert decision.new_bid <= max(ctx.current_bid, ctx.floor)


@PROPERTY
@given(ctx=paid_at_current_bid("cpo", above=True))
def test_target_cpo_never_raises_the_bid_when_cpo_is_above_target(ctx: BidContext) -> None:
    decision = compute_bid("target_cpo", ctx)
    assert decision.new_bid <= max(ctx.current_bid, ctx.floor)


@PROPERTY
@given(ctx=paid_at_current_bid("drr", above=False), strategy=st.just("target_drr"))
def test_a_ratio_under_target_never_gives_up_position(ctx: BidContext, strategy: str) -> None:
    """Under target the bid never loses position; it may only drop what it overpays for the
    position it holds (with no competitor bids known, it never drops at all)."""
    decision = compute_bid(strategy, ctx)
    kept = min(ctx.current_bid, ctx.max_bid)
    if not ctx.competitor_bids:
        assert decision.new_bid >= kept
    else:
        assert position_of(decision.new_bid, ctx.competitor_bids) <= position_of(kept, ctx.competitor_bids)


@PROPERTY
@given(
    ctx=bid_contexts(current_within_bounds=True),
    clicks=st.integers(min_value=0, max_value=29),
    spent=money("0", "299.99"),
    strategy=st.sampled_from([StrategyType.TARGET_DRR, StrategyType.TARGET_CPO]),
)
def test_too_little_data_holds(ctx: BidContext, clicks: int, spent: Decimal, strategy: StrategyType) -> None:
    thin = replace(ctx.stats, clicks=clicks, spent=spent)
    pricing = Pricing.CPC if ctx.pricing is Pricing.CPA else ctx.pricing  # a percent-of-price DRR needs no data
    context = replace(ctx, stats=thin, target_drr=Decimal("20"), target_cpo=Decimal("300"), pricing=pricing)
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
def test_target_position_never_raises_above_the_leaders_bid(ctx: BidContext) -> None:
    assume(ctx.competitor_bids)
    decision = compute_bid("target_position", ctx)
    leader = max(ctx.competitor_bids)
    assert decision.new_bid <= max(ctx.current_bid, leader, ctx.floor)
    if decision.new_bid > ctx.current_bid:
        assert decision.new_bid <= max(leader, ctx.floor)


@PROPERTY
@given(strategy=ANY_STRATEGY, ctx=bid_contexts(current_within_bounds=False))
def test_every_decision_names_a_constraint_that_holds(strategy: StrategyType, ctx: BidContext) -> None:
    decision = compute_bid(strategy, ctx)
    if decision.constraint is BidConstraint.AT_MAX_BID:
        assert ctx.max_bid - decision.new_bid < ctx.step
    if decision.constraint is BidConstraint.AT_MIN_BID:
        assert decision.new_bid - ctx.floor < ctx.step
    if decision.constraint is BidConstraint.RAISED:
        assert decision.changed and decision.new_bid > ctx.current_bid
    if decision.constraint is BidConstraint.LOWERED:
        assert decision.changed and decision.new_bid < ctx.current_bid
    if decision.constraint is BidConstraint.BUDGET_LIMITED:
        assert ctx.budget_limited and decision.new_bid <= max(ctx.current_bid, ctx.floor)
    assert isinstance(decision.new_bid, Decimal) and isinstance(decision.computed_bid, Decimal)
