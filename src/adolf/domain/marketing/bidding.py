"""The bid engine: ``compute_bid(strategy, ctx)`` dispatches to the campaign's strategy.

Rules (SPEC §4.1): strategies ``manual`` (never changes the bid), ``target_position``,
``target_drr``, ``target_cpo``; every strategy keeps the result within ``[min_bid, max_bid]``,
moves a bid by a bounded factor per cycle and holds with too little data; a bid above
``max_bid`` is capped and reported; a move under one bid step (1.0; 0.1 for percent bids)
is not a change. Every decision names its ``BidConstraint``. An unknown strategy is an
``UnknownStrategy`` error naming it.

``manual`` is outside the engine's authority: it returns the current bid untouched even when
a human set it outside ``[min_bid, max_bid]`` — the human's bid is the decision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from adolf.domain.marketing.bid_context import (
    MIN_BID_STEP,
    BidContext,
    BidDecision,
    BidReason,
    InvalidBidBounds,
    StrategyType,
    UnknownStrategy,
)
from adolf.domain.marketing.bid_tuning import DEFAULT_TUNING, BidTuning, InvalidBidContext
from adolf.domain.marketing.constraints import BidConstraint
from adolf.domain.marketing.strategy_position import target_position
from adolf.domain.marketing.strategy_ratio import target_cpo, target_drr

__all__ = [
    "DEFAULT_TUNING",
    "MIN_BID_STEP",
    "STRATEGIES",
    "BidConstraint",
    "BidContext",
    "BidDecision",
    "BidReason",
    "BidTuning",
    "InvalidBidBounds",
    "InvalidBidContext",
    "StrategyType",
    "UnknownStrategy",
    "compute_bid",
    "manual",
]


def manual(ctx: BidContext) -> BidDecision:
    current = ctx.current_bid
    return BidDecision(
        new_bid=current,
        changed=False,
        reason=BidReason.MANUAL,
        capped=False,
        held=True,
        computed_bid=current,
        detail="manual strategy: the bid is set by hand",
        constraint=BidConstraint.MANUAL,
    )


STRATEGIES: Mapping[StrategyType, Callable[[BidContext], BidDecision]] = MappingProxyType(
    {
        StrategyType.MANUAL: manual,
        StrategyType.TARGET_POSITION: target_position,
        StrategyType.TARGET_DRR: target_drr,
        StrategyType.TARGET_CPO: target_cpo,
    }
)


def compute_bid(strategy: str, ctx: BidContext) -> BidDecision:
    """The decision of the named strategy (``StrategyType`` or its string value)."""
    return STRATEGIES[StrategyType.parse(strategy)](ctx)
