"""Bid shading: the cheapest bid that stands where a bid stands among competitor bids.

Rule: a bid's position is 1 + the number of competitor bids at or above it (a tie loses).
Every bid between two neighbouring competitor bids buys the same position, so the cheapest
is one increment above the lower neighbour, or the floor below every competitor (a
"position price"). On the marketplaces' auctions the bid is the price paid (WB's fixed CPM,
Ozon's bid per click, YM's percent per order), so anything above that cheapest bid is paid
for nothing.

A bid a target affords (``ideal``) mostly falls between two position prices. Taking the
lower one always would leave every keyword under its target (and the campaign with it);
taking the one *nearest* the ideal errs both ways, so over a campaign's keywords the errors
cancel and the campaign lands on its target without paying for nothing.

The increment is the smallest unit a marketplace takes: a whole ruble of WB's CPM bid (its
API takes integers), a kopeck of a ruble bid per click, a hundredth of a percent on YM.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from adolf.domain.marketing.pricing import Pricing
from adolf.domain.money import CENT

_WHOLE_RUBLE = Decimal(1)


def increment(pricing: Pricing) -> Decimal:
    """The smallest amount by which one bid outbids another."""
    return _WHOLE_RUBLE if pricing is Pricing.CPM else CENT


def position_of(bid: Decimal, competitor_bids: Sequence[Decimal]) -> int:
    """1 + the number of competitor bids at or above ``bid``."""
    return 1 + sum(1 for other in competitor_bids if other >= bid)


def shade(bid: Decimal, competitor_bids: Sequence[Decimal], floor: Decimal, step: Decimal) -> Decimal:
    """The lowest bid, not below ``floor``, that holds the position ``bid`` holds (never
    above ``bid``; ``bid`` itself when nothing cheaper holds it)."""
    below = [other for other in competitor_bids if other < bid]
    cheapest = max(max(below) + step, floor) if below else floor
    return cheapest if cheapest <= bid else bid


def position_prices(competitor_bids: Sequence[Decimal], floor: Decimal, step: Decimal) -> list[Decimal]:
    """Every position's price, lowest first: the floor, and one increment above each
    competitor bid (raised to the floor)."""
    return sorted({floor, *(max(other + step, floor) for other in competitor_bids)})


def nearest_position_price(
    ideal: Decimal, competitor_bids: Sequence[Decimal], floor: Decimal, step: Decimal
) -> Decimal:
    """The position price nearest ``ideal`` (the lower one on a tie). One pass, no sort: the
    bid cycle asks this for every keyword."""
    lower: Decimal | None = floor if floor <= ideal else None
    upper: Decimal | None = floor if floor > ideal else None
    for other in competitor_bids:
        price = other + step
        if price < floor:
            continue
        if price <= ideal:
            if lower is None or price > lower:
                lower = price
        elif upper is None or price < upper:
            upper = price
    if lower is None:
        return upper if upper is not None else floor
    if upper is not None and upper - ideal < ideal - lower:
        return upper
    return lower
