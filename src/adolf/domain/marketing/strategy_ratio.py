"""The ``target_drr`` and ``target_cpo`` strategies: bid what a click, a thousand views or an
order is worth at the target.

Rules (SPEC §4.1 "How the field does it", as value-based bidding):
- the keyword's judging window (``windows``: today plus whole earlier days) gives what its
  traffic is worth — revenue and orders per click (CPC, Ozon) or per 1000 views (CPM, WB),
  or revenue per order (YM, where the bid is a percent of the order value);
- the bid that meets the target is that worth × the target:
  DRR: CPC ``target % × revenue / clicks``; CPM ``target % × 1000 × revenue / views``
  (the SPEC's CPM ceiling 1000 × CTR × CR × order value × target DRR); percent of the
  price: the target itself (an order costs bid % of its value, so DRR *is* the bid).
  CPO: CPC ``target × orders / clicks``; CPM ``target × 1000 × orders / views``; percent of
  the price ``target / (revenue / orders) × 100``;
  It is ``bid × target / actual`` with the bid the window actually paid, so bids that moved
  inside the window do not skew it (the current bid would);
- act only after a minimum of data: ``min_clicks`` clicks *or* ``min_spend`` of spend in the
  window; below both, hold (``too_little_data``). Percent-of-price bids are the exception,
  as their cost is known per order: the DRR target is the bid itself (no data needed) and
  the CPO target needs one order, for its value (an order costs ``value × bid / 100``);
- clicks (or spend) past that minimum and no orders (no revenue for DRR) → step down by
  ``no_orders_cut``;
- within ``target_band`` (±5 %) of the target bid → hold; else move toward it, dampened to
  −``max_cut`` … +``max_raise`` (−30 % … +15 %) per cycle;
- a campaign that runs out of budget gets no raise (``budget_limited``): more bid buys no
  more traffic once the budget stops it.
"""

from __future__ import annotations

from decimal import Decimal

from adolf.domain.marketing.bid_context import BidContext, BidDecision, BidReason
from adolf.domain.marketing.bid_steps import dampen, decide, hold
from adolf.domain.marketing.pricing import Pricing
from adolf.domain.marketing.windows import has_enough_data

HUNDRED = Decimal(100)
THOUSAND = Decimal(1000)


def _too_little(ctx: BidContext) -> BidDecision:
    stats, tuning = ctx.stats, ctx.tuning
    return hold(
        ctx,
        BidReason.INSUFFICIENT_DATA,
        f"clicks={stats.clicks} < {tuning.min_clicks} and spent={stats.spent} < {tuning.min_spend}",
    )


def _step_down(ctx: BidContext, detail: str) -> BidDecision:
    tuning, current, step = ctx.tuning, ctx.current_bid, ctx.step
    wanted = current * (1 - tuning.no_orders_cut)
    wanted = dampen(current, wanted, max_raise=tuning.max_raise, max_cut=tuning.max_cut, step=step)
    return decide(ctx, wanted, BidReason.NO_ORDERS, detail, held=False, aim=Decimal(0))


def steer(ctx: BidContext, ideal: Decimal, shown: str) -> BidDecision:
    """Move toward ``ideal`` (the bid that meets the target), holding inside the band."""
    tuning, current = ctx.tuning, ctx.current_bid
    shown += f" target_bid={ideal:.2f}"
    if abs(ideal - current) <= ideal * tuning.target_band:
        return hold(ctx, BidReason.WITHIN_TARGET, shown, aim=ideal)
    if ideal > current:
        if ctx.budget_limited:
            return hold(ctx, BidReason.BUDGET_LIMITED, shown + " (out of budget: no raise)", aim=ideal)
        reason = BidReason.BELOW_TARGET
    else:
        reason = BidReason.ABOVE_TARGET
    wanted = dampen(current, ideal, max_raise=tuning.max_raise, max_cut=tuning.max_cut, step=ctx.step)
    return decide(ctx, wanted, reason, shown, held=False, aim=ideal)


def drr_bid(ctx: BidContext, target: Decimal) -> Decimal:
    """The bid at which the window's traffic would cost ``target`` % of its revenue."""
    stats, share = ctx.stats, target / HUNDRED
    if ctx.pricing is Pricing.CPA:
        return target
    if ctx.pricing is Pricing.CPM:
        return share * THOUSAND * stats.revenue / stats.views if stats.views else Decimal(0)
    return share * stats.revenue / stats.clicks if stats.clicks else Decimal(0)


def cpo_bid(ctx: BidContext, target: Decimal) -> Decimal:
    """The bid at which the window's traffic would cost ``target`` rubles per order."""
    stats = ctx.stats
    if ctx.pricing is Pricing.CPA:
        return target * stats.orders * HUNDRED / stats.revenue if stats.revenue else Decimal(0)
    if ctx.pricing is Pricing.CPM:
        return target * THOUSAND * stats.orders / stats.views if stats.views else Decimal(0)
    return target * stats.orders / stats.clicks if stats.clicks else Decimal(0)


def target_drr(ctx: BidContext) -> BidDecision:
    target = ctx.target_drr
    if target is None:
        return hold(ctx, BidReason.NO_TARGET, "target_drr is not set")
    stats = ctx.stats
    if ctx.pricing is Pricing.CPA:
        return steer(ctx, target, f"drr={stats.drr} target={target} (percent-of-price bid)")
    if not has_enough_data(stats, ctx.tuning):
        return _too_little(ctx)
    if stats.spent == 0:
        return hold(ctx, BidReason.NO_SPEND, "nothing spent: DRR cannot be judged")
    if stats.revenue == 0:
        return _step_down(ctx, f"spent={stats.spent} clicks={stats.clicks} and no revenue")
    return steer(ctx, drr_bid(ctx, target), f"drr={stats.drr} target={target}")


def target_cpo(ctx: BidContext) -> BidDecision:
    target = ctx.target_cpo
    if target is None:
        return hold(ctx, BidReason.NO_TARGET, "target_cpo is not set")
    stats = ctx.stats
    if ctx.pricing is Pricing.CPA and stats.orders == 0:
        # Paid per order: no orders cost nothing, and without one the order value is unknown.
        return hold(ctx, BidReason.INSUFFICIENT_DATA, "no orders yet: the order value is unknown")
    if ctx.pricing is not Pricing.CPA and not has_enough_data(stats, ctx.tuning):
        return _too_little(ctx)
    if stats.spent == 0 and ctx.pricing is not Pricing.CPA:
        return hold(ctx, BidReason.NO_SPEND, "nothing spent: CPO cannot be judged")
    if stats.orders == 0:
        return _step_down(ctx, f"spent={stats.spent} clicks={stats.clicks} and no orders")
    return steer(ctx, cpo_bid(ctx, target), f"cpo={stats.cpo} target={target}")
