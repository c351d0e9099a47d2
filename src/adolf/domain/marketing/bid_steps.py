"""The steps every strategy's proposal goes through: dampening, rounding, bounds, threshold.

Rules (SPEC §4.1):
- dampening: one cycle moves a bid by at most a bounded factor of the current bid (the
  strategy picks the factors); a move of one ``MIN_BID_STEP`` is always allowed, or small
  bids could never move at all.
- rounding to kopecks *toward the current bid*, so rounding never widens a move.
- bounds: the result is within ``[floor, max_bid]`` (``floor`` = ``min_bid`` raised to the
  marketplace minimum, see ``BidContext.floor``). A wanted bid above ``max_bid`` is capped and
  reported (``capped`` → ``CAP_BID`` warning). Bounds beat dampening: a current bid outside
  them is brought inside in one move.
- threshold: a move smaller than ``MIN_BID_STEP`` (1.0) is not a change; the decision then
  keeps the current bid and the caller sends nothing (seed 001: ``abs(new - current) >= 1.0``).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from adolf.domain.marketing.bid_context import MIN_BID_STEP, BidContext, BidDecision, BidReason
from adolf.domain.money import CENT


def dampen(current: Decimal, wanted: Decimal, *, max_raise: Decimal, max_cut: Decimal) -> Decimal:
    """``wanted`` limited to ``current × (1 − max_cut) … current × (1 + max_raise)``, widened
    to ``current ± MIN_BID_STEP`` when the factor step is smaller than one step."""
    highest = current + max(current * max_raise, MIN_BID_STEP)
    lowest = current - max(current * max_cut, MIN_BID_STEP)
    return min(max(wanted, lowest), highest)


def round_toward(current: Decimal, wanted: Decimal) -> Decimal:
    """``wanted`` to kopecks, rounded toward ``current`` so the move only ever shrinks."""
    rounding = ROUND_FLOOR if wanted > current else ROUND_CEILING
    return wanted.quantize(CENT, rounding=rounding)


def decide(ctx: BidContext, wanted: Decimal, reason: BidReason, detail: str, *, held: bool) -> BidDecision:
    """Turn a strategy's (already dampened) wanted bid into the decision the caller acts on."""
    current = ctx.current_bid
    computed = round_toward(current, wanted)
    capped = computed > ctx.max_bid
    bounded = min(max(computed, ctx.floor), ctx.max_bid)
    notes = [detail] if detail else []
    if capped:
        notes.append(f"capped at max_bid={ctx.max_bid}")
    elif bounded != computed:
        notes.append(f"raised to floor={ctx.floor}")
    changed = abs(bounded - current) >= MIN_BID_STEP
    if not changed and bounded != current:
        notes.append(f"move {bounded - current:+} under step {MIN_BID_STEP}: not sent")
    return BidDecision(
        new_bid=bounded if changed else current,
        changed=changed,
        reason=reason,
        capped=capped,
        held=held,
        computed_bid=computed,
        detail="; ".join(notes),
    )


def hold(ctx: BidContext, reason: BidReason, detail: str = "") -> BidDecision:
    """Keep the bid (bounds still bring an out-of-range current bid back inside)."""
    return decide(ctx, ctx.current_bid, reason, detail, held=True)
