"""What bound a bid decision, and what binds a campaign.

Every keyword decision names one ``BidConstraint``. The free ones say the strategy moved
or held the bid on its own terms (``within_band``, ``raised``, ``lowered``); every other
one says something else decided: a bound (``at_max_bid``, ``at_min_bid``, ``at_leader``),
the auction's steps (``position_gap``: the position nearest the bid the target affords is
further from it than the band, and the positions either side are further still), the
campaign's budget, too little data, a safety pause, the campaign's switches, or a
strategy that never moves bids (``manual``).

A campaign's binding constraint is the one that holds for most of its keywords' spend
(the keywords' judging windows; by count when nothing was spent): a campaign's DRR or CPO
is a spend-weighted blend of its keywords', so the keywords that spend decide whether the
campaign can reach its target.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum


class BidConstraint(StrEnum):
    """What bound a keyword's decision (see the module docstring); ``is_free`` when the strategy
    steered on its own terms."""

    WITHIN_BAND = "within_band"
    RAISED = "raised"
    LOWERED = "lowered"
    AT_MAX_BID = "at_max_bid"
    AT_MIN_BID = "at_min_bid"
    AT_LEADER = "at_leader"
    POSITION_GAP = "position_gap"
    BUDGET_LIMITED = "budget_limited"
    TOO_LITTLE_DATA = "too_little_data"
    PAUSED_BY_SAFETY = "paused_by_safety"
    DRY_RUN = "dry_run"
    KILL_SWITCH = "kill_switch"
    MANUAL = "manual"
    NO_TARGET = "no_target"

    @property
    def is_free(self) -> bool:
        """The strategy itself is steering (no bound, switch or data gap holds it)."""
        return self in FREE


FREE = frozenset({BidConstraint.WITHIN_BAND, BidConstraint.RAISED, BidConstraint.LOWERED})


def binding_constraint(weighted: Iterable[tuple[BidConstraint, Decimal]]) -> BidConstraint | None:
    """The campaign's constraint from its keywords' (constraint, spend) pairs; None for no
    keywords. If free constraints hold more than half the weight, the heaviest free one;
    else the heaviest of the others (a campaign is bound when most of its spend is). When
    nothing was spent every keyword weighs one. Ties go by name, so the answer is stable."""
    items = list(weighted)
    if not items:
        return None
    spent = any(weight > 0 for _, weight in items)
    totals: dict[BidConstraint, Decimal] = {}
    for constraint, weight in items:
        totals[constraint] = totals.get(constraint, Decimal(0)) + (weight if spent else Decimal(1))
    free = sum((w for c, w in totals.items() if c.is_free), Decimal(0))
    steering = free * 2 > sum(totals.values())
    pool = [c for c in totals if c.is_free == steering]
    return max(pool, key=lambda c: (totals[c], c.value))
