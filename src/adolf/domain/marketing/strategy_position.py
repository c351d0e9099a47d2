"""The ``target_position`` strategy: bid just enough to hold the target position.

Rules (SPEC §4.1 "How the field does it"):
- read the average position (trusted after ``min_views_for_position`` views); within
  ± ``position_band`` (0.3) of the target → hold;
- outside the band move in proportion to the gap: ``position_step`` (20 %) per position,
  at most ``position_max_step`` (40 % = 2 × 20 %); worse than target → raise, better → cut;
- "just enough" from Watcher's competitor bids: to stand at position p we must outbid the
  competitor now at p, so the needed bid is ``p-th highest competitor bid + 1.0``. A raise
  stops there, and a cut does not go below it. Without a usable average position, the bid
  moves toward that needed bid (dampened to ± 40 %). No competitor bids at all means Watcher
  has nothing for this phrase (unknown, not "no competition");
- never above the leader's bid (the highest competitor bid, SPEC §4.1): position 1 above a
  leader is not bought by outbidding it; a bid already above that is brought down,
  dampened (``at_leader``). Never below the marketplace minimum (``BidContext.floor``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from adolf.domain.marketing.bid_context import BidContext, BidDecision, BidReason
from adolf.domain.marketing.bid_steps import dampen, decide, hold


def bid_for_position(position: Decimal, competitor_bids: Sequence[Decimal], step: Decimal) -> Decimal | None:
    """The bid that outbids the competitor at ``position`` by one step; 0 when fewer
    competitors than that; None when there are no competitor bids."""
    if not competitor_bids:
        return None
    rank = max(1, int(position))  # position 2.5 is met by standing at 2
    ranked = sorted(competitor_bids, reverse=True)
    if len(ranked) < rank:
        return Decimal(0)
    return ranked[rank - 1] + step


def target_position(ctx: BidContext) -> BidDecision:
    target = ctx.target_position
    if target is None:
        return hold(ctx, BidReason.NO_TARGET, "target_position is not set")
    tuning, current = ctx.tuning, ctx.current_bid
    needed = bid_for_position(target, ctx.competitor_bids, ctx.step)
    position = ctx.avg_position
    if ctx.stats.views < tuning.min_views_for_position:
        position = None
    if position is not None:
        gap = position - target
        shown = f"avg_position={position} target={target}"
        if abs(gap) <= tuning.position_band:
            return hold(ctx, BidReason.IN_POSITION_BAND, shown)
        step = min(tuning.position_step * abs(gap), tuning.position_max_step)
        if gap > 0:
            reason = BidReason.POSITION_TOO_LOW
            wanted = current * (1 + step)
            if needed is not None and current < needed < wanted:
                wanted = needed
        else:
            reason = BidReason.POSITION_TOO_HIGH
            wanted = current * (1 - step)
            if needed is not None and wanted < needed < current:
                wanted = needed
    elif needed is not None:
        reason = BidReason.FROM_COMPETITOR_BIDS
        wanted = needed
        shown = f"needed={needed} for position {target} (no trusted avg_position)"
    else:
        return hold(ctx, BidReason.NO_POSITION_DATA, "no trusted avg_position and no competitor bids")
    aim, leader = wanted, None
    if ctx.competitor_bids:
        leader = max(ctx.competitor_bids)
        if wanted > leader:
            wanted = leader
            shown += f" leader_cap={leader}"
    step_limit = tuning.position_max_step
    wanted = dampen(current, wanted, max_raise=step_limit, max_cut=step_limit, step=ctx.step)
    return decide(ctx, wanted, reason, shown, held=False, aim=aim, leader=leader)
