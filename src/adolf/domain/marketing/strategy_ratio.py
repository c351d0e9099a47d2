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
  the CPO target needs an order value (an order costs ``value × bid / 100``): the keyword's
  own, or the campaign's until the keyword sells (a keyword that never sells costs nothing,
  and one held at a bid too low to show never would sell);
- clicks (or spend) past that minimum and no orders (no revenue for DRR) → step down by
  ``no_orders_cut``;
- within ``target_band`` (±5 %) of the target bid → hold; else move toward it, dampened to
  −``max_cut`` … +``max_raise`` (−30 % … +15 %) per cycle;
- a campaign that runs out of budget gets no raise (``budget_limited``): more bid buys no
  more traffic once the budget stops it.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from adolf.domain.marketing.bid_context import BidContext, BidDecision, BidReason
from adolf.domain.marketing.bid_steps import dampen, decide, hold
from adolf.domain.marketing.constraints import BidConstraint
from adolf.domain.marketing.ladder import increment, nearest_position_price, position_of, shade
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
    """Move toward ``ideal`` (the bid that meets the target), holding inside the band; with
    competitor bids, toward the cheapest bid of the position ``ideal`` affords (``ladder``)."""
    if ctx.competitor_bids:
        return _steer_on_ladder(ctx, ideal, shown)
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


def _steer_on_ladder(ctx: BidContext, ideal: Decimal, shown: str) -> BidDecision:
    """Positions are what a bid buys: aim at the position price nearest the ideal (``ladder``;
    never above the current bid when over target). Keep the current position when that is it
    (or the ideal is within the band of the current bid), at its price; else move toward it,
    dampened. A cut that dampening stops between two competitors goes down to the price of
    the position it lands on, as far as dampening allows. An ideal past the top position's
    price buys nothing more than the top: the keyword is then bound ``at_leader``; one whose
    nearest position is further from it than the band is bound by the auction's steps
    (``position_gap``)."""
    tuning, current, rivals, floor = ctx.tuning, ctx.current_bid, ctx.competitor_bids, ctx.floor
    unit = increment(ctx.pricing)
    top = max(max(rivals) + unit, floor)
    price = nearest_position_price(ideal, rivals, floor, unit)
    if ideal < current:
        price = min(price, current)
    shown += f" target_bid={ideal:.2f} position_price={price:.2f}"
    lowest = current - max(current * tuning.max_cut, ctx.step)
    same = position_of(current, rivals) == position_of(price, rivals)
    if same or abs(ideal - current) <= ideal * tuning.target_band:
        kept = max(shade(current, rivals, floor, unit), lowest)
        held = current - kept < ctx.step
        reason = BidReason.WITHIN_TARGET if held else BidReason.POSITION_PRICE
        decision = decide(ctx, current if held else kept, reason, shown, held=held, aim=ideal, leader=top, goal=price)
        if same and decision.constraint.is_free and abs(price - ideal) > ideal * tuning.target_band:
            # No position costs within the band of the aim: the auction's steps bind the keyword.
            return replace(decision, constraint=BidConstraint.POSITION_GAP)
        return decision
    wanted = dampen(current, price, max_raise=tuning.max_raise, max_cut=tuning.max_cut, step=ctx.step)
    if price > current:
        if ctx.budget_limited:
            shown += " (out of budget: no raise)"
            return decide(ctx, current, BidReason.BUDGET_LIMITED, shown, held=True, aim=ideal, leader=top, goal=price)
        return decide(ctx, wanted, BidReason.BELOW_TARGET, shown, held=False, aim=ideal, leader=top, goal=price)
    landed = shade(wanted, rivals, floor, unit)
    wanted = landed if landed >= lowest else wanted
    return decide(ctx, wanted, BidReason.ABOVE_TARGET, shown, held=False, aim=ideal, leader=top, goal=price)


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
        # Paid per order: no orders cost nothing, so the bid the campaign's order value
        # affords is safe to set; without any order in the campaign the value is unknown.
        value = ctx.campaign_order_value
        if value is None:
            return hold(ctx, BidReason.INSUFFICIENT_DATA, "no orders yet: the order value is unknown")
        return steer(ctx, target * HUNDRED / value, f"no orders yet; campaign order value={value:.2f} target={target}")
    if ctx.pricing is not Pricing.CPA and not has_enough_data(stats, ctx.tuning):
        return _too_little(ctx)
    if stats.spent == 0 and ctx.pricing is not Pricing.CPA:
        return hold(ctx, BidReason.NO_SPEND, "nothing spent: CPO cannot be judged")
    if stats.orders == 0:
        return _step_down(ctx, f"spent={stats.spent} clicks={stats.clicks} and no orders")
    return steer(ctx, cpo_bid(ctx, target), f"cpo={stats.cpo} target={target}")
