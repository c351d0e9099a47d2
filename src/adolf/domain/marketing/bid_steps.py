"""The steps every strategy's proposal goes through: dampening, rounding, bounds, threshold,
and the name of what bound the result.

Rules (SPEC §4.1):
- dampening: one cycle moves a bid by at most a bounded factor of the current bid (the
  strategy picks the factors); a move of one bid step is always allowed, or small bids
  could never move at all.
- rounding to hundredths *toward the current bid*, so rounding never widens a move.
- bounds: the result is within ``[floor, max_bid]`` (``floor`` = ``min_bid`` raised to the
  marketplace minimum, see ``BidContext.floor``). A wanted bid above ``max_bid`` is capped and
  reported (``capped`` → ``CAP_BID`` warning). Bounds beat dampening: a current bid outside
  them is brought inside in one move.
- threshold: a move smaller than one bid step (1.0; 0.1 for a percent bid) is not a change;
  the decision then keeps the current bid and the caller sends nothing (seed 001:
  ``abs(new - current) >= 1.0``) — unless it wins or gives up a position among the
  competitor bids: the step keeps small drifts off the API, and such a move is not one (a
  0.80 % bid tied with a 0.80 % leader is one hundredth from the top).
- constraint: ``at_max_bid`` / ``at_min_bid`` / ``at_leader`` when the strategy's aim lies past
  that bound and the bid is (within a step of) it; else ``raised`` / ``lowered`` for a change,
  ``within_band`` for none; data gaps, missing targets and budget holds name themselves.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from adolf.domain.marketing.bid_context import BidContext, BidDecision, BidReason
from adolf.domain.marketing.constraints import BidConstraint
from adolf.domain.marketing.ladder import position_of
from adolf.domain.money import CENT

_DATA_GAPS = frozenset({BidReason.INSUFFICIENT_DATA, BidReason.NO_POSITION_DATA, BidReason.NO_SPEND})


def dampen(current: Decimal, wanted: Decimal, *, max_raise: Decimal, max_cut: Decimal, step: Decimal) -> Decimal:
    """``wanted`` limited to ``current × (1 − max_cut) … current × (1 + max_raise)``, widened
    to ``current ± step`` when the factor step is smaller than one step."""
    highest = current + max(current * max_raise, step)
    lowest = current - max(current * max_cut, step)
    return min(max(wanted, lowest), highest)


def round_toward(current: Decimal, wanted: Decimal) -> Decimal:
    """``wanted`` to hundredths, rounded toward ``current`` so the move only ever shrinks."""
    rounding = ROUND_FLOOR if wanted > current else ROUND_CEILING
    return wanted.quantize(CENT, rounding=rounding)


def decide(
    ctx: BidContext,
    wanted: Decimal,
    reason: BidReason,
    detail: str,
    *,
    held: bool,
    aim: Decimal | None = None,
    leader: Decimal | None = None,
    goal: Decimal | None = None,
) -> BidDecision:
    """Turn a strategy's (already dampened) wanted bid into the decision the caller acts on.
    ``aim`` is where the strategy wants the bid to end up (before dampening; default
    ``wanted``); ``leader`` the cap the leader's bid put on it, if any; ``goal`` the bid it heads for
    (default ``aim``)."""
    current, step = ctx.current_bid, ctx.step
    computed = round_toward(current, wanted)
    capped = computed > ctx.max_bid
    bounded = min(max(computed, ctx.floor), ctx.max_bid)
    notes = [detail] if detail else []
    if capped:
        notes.append(f"capped at max_bid={ctx.max_bid}")
    elif bounded != computed:
        notes.append(f"raised to floor={ctx.floor}")
    rivals = ctx.competitor_bids
    changed = abs(bounded - current) >= step or (
        bounded != current and bool(rivals) and position_of(bounded, rivals) != position_of(current, rivals)
    )
    if not changed and bounded != current:
        notes.append(f"move {bounded - current:+} under step {step}: not sent")
    new_bid = bounded if changed else current
    return BidDecision(
        new_bid=new_bid,
        changed=changed,
        reason=reason,
        capped=capped,
        held=held,
        computed_bid=computed,
        detail="; ".join(notes),
        constraint=_constraint(ctx, reason, new_bid, wanted if aim is None else aim, leader),
        aim=aim,
        goal=aim if goal is None else goal,
    )


def _constraint(
    ctx: BidContext, reason: BidReason, new_bid: Decimal, aim: Decimal, leader: Decimal | None
) -> BidConstraint:
    step, current = ctx.step, ctx.current_bid
    if reason in _DATA_GAPS:
        return BidConstraint.TOO_LITTLE_DATA
    if reason is BidReason.NO_TARGET:
        return BidConstraint.NO_TARGET
    if reason is BidReason.MANUAL:
        return BidConstraint.MANUAL
    if aim > ctx.max_bid and ctx.max_bid - new_bid < step:
        return BidConstraint.AT_MAX_BID
    if aim < ctx.floor and new_bid - ctx.floor < step:
        return BidConstraint.AT_MIN_BID
    if leader is not None and aim >= leader and leader - new_bid < step:
        return BidConstraint.AT_LEADER
    if reason is BidReason.BUDGET_LIMITED:
        return BidConstraint.BUDGET_LIMITED
    if new_bid > current:
        return BidConstraint.RAISED
    if new_bid < current:
        return BidConstraint.LOWERED
    return BidConstraint.WITHIN_BAND


def hold(ctx: BidContext, reason: BidReason, detail: str = "", aim: Decimal | None = None) -> BidDecision:
    """Keep the bid (bounds still bring an out-of-range current bid back inside)."""
    return decide(ctx, ctx.current_bid, reason, detail, held=True, aim=aim)
