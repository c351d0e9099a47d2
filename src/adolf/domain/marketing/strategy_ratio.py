"""The ``target_drr`` and ``target_cpo`` strategies: steer a cost ratio to its target.

Rules (SPEC §4.1 "How the field does it"):
- act only after a minimum of data: ``min_clicks`` clicks *or* ``min_spend`` of spend in the
  window; below both, hold;
- clicks (or spend) past that minimum and no orders (no revenue for DRR) → step down by
  ``no_orders_cut``;
- otherwise ``new = bid × target / actual``:
  - actual above target → cut (never a raise while above target),
  - actual ≤ ``raise_below_ratio`` (0.8) × target → raise,
  - in between → hold (the dead band stops the bid oscillating around the target);
- each step dampened to −``max_cut`` … +``max_raise`` (−30 % … +15 %);
- CPM auctions (WB), target_drr only: a raise never goes past the break-even CPM
  1000 × CTR × CR × order value × target DRR, which the window gives as
  1000 × revenue / views × target / 100.
"""

from __future__ import annotations

from decimal import Decimal

from adolf.domain.marketing.bid_context import BidContext, BidDecision, BidReason
from adolf.domain.marketing.bid_steps import dampen, decide, hold

HUNDRED = Decimal(100)


def has_enough_data(ctx: BidContext) -> bool:
    stats, tuning = ctx.stats, ctx.tuning
    return stats.clicks >= tuning.min_clicks or stats.spent >= tuning.min_spend


def _too_little(ctx: BidContext) -> BidDecision:
    stats, tuning = ctx.stats, ctx.tuning
    return hold(
        ctx,
        BidReason.INSUFFICIENT_DATA,
        f"clicks={stats.clicks} < {tuning.min_clicks} and spent={stats.spent} < {tuning.min_spend}",
    )


def _step_down(ctx: BidContext, detail: str) -> BidDecision:
    tuning = ctx.tuning
    wanted = ctx.current_bid * (1 - tuning.no_orders_cut)
    wanted = dampen(ctx.current_bid, wanted, max_raise=tuning.max_raise, max_cut=tuning.max_cut)
    return decide(ctx, wanted, BidReason.NO_ORDERS, detail, held=False)


def _steer(ctx: BidContext, name: str, actual: Decimal, target: Decimal, ceiling: Decimal | None = None) -> BidDecision:
    """Move the bid by ``target / actual`` (``actual`` > 0), inside the dead band hold."""
    tuning, current = ctx.tuning, ctx.current_bid
    shown = f"{name}={actual:.2f} target={target}"
    if actual > target:
        reason = BidReason.ABOVE_TARGET
        wanted = current * target / actual
    elif actual <= target * tuning.raise_below_ratio:
        reason = BidReason.BELOW_TARGET
        wanted = current * target / actual
        if ceiling is not None:
            # The ceiling limits raises only; it never turns a raise into a cut.
            wanted = min(wanted, max(ceiling, current))
            shown += f" cpm_ceiling={ceiling:.2f}"
    else:
        return hold(ctx, BidReason.WITHIN_TARGET, shown)
    wanted = dampen(current, wanted, max_raise=tuning.max_raise, max_cut=tuning.max_cut)
    return decide(ctx, wanted, reason, shown, held=False)


def cpm_ceiling(ctx: BidContext, target_drr: Decimal) -> Decimal | None:
    """Break-even CPM bid for the target DRR; None when the window has no views or revenue."""
    stats = ctx.stats
    if not ctx.cpm_auction or stats.views == 0 or stats.revenue == 0:
        return None
    return 1000 * stats.revenue / stats.views * target_drr / HUNDRED


def target_drr(ctx: BidContext) -> BidDecision:
    target = ctx.target_drr
    if target is None:
        return hold(ctx, BidReason.NO_TARGET, "target_drr is not set")
    if not has_enough_data(ctx):
        return _too_little(ctx)
    stats = ctx.stats
    if stats.spent == 0:
        return hold(ctx, BidReason.NO_SPEND, "nothing spent: DRR cannot be judged")
    if stats.revenue == 0:
        return _step_down(ctx, f"spent={stats.spent} clicks={stats.clicks} and no revenue")
    actual = stats.spent * HUNDRED / stats.revenue
    return _steer(ctx, "drr", actual, target, cpm_ceiling(ctx, target))


def target_cpo(ctx: BidContext) -> BidDecision:
    target = ctx.target_cpo
    if target is None:
        return hold(ctx, BidReason.NO_TARGET, "target_cpo is not set")
    if not has_enough_data(ctx):
        return _too_little(ctx)
    stats = ctx.stats
    if stats.spent == 0:
        return hold(ctx, BidReason.NO_SPEND, "nothing spent: CPO cannot be judged")
    if stats.orders == 0:
        return _step_down(ctx, f"spent={stats.spent} clicks={stats.clicks} and no orders")
    actual = stats.spent / stats.orders
    return _steer(ctx, "cpo", actual, target)
