"""The bid bounds a campaign starts with when it first arrives from its marketplace.

Rule (SPEC §4.1 "every bid stays within [min_bid, max_bid]"; ``campaign_settings``:
``min_bid`` > 0 and ``min_bid`` ≤ ``max_bid``): ``sync_campaigns`` gives a new campaign the
``manual`` strategy and these bounds, a starting point a manager then configures:

- ``min_bid`` = the lowest marketplace minimum among the campaign's keywords, when one of
  them has a minimum above zero (the marketplace refuses any bid below its own minimum);
  else one bid step of the marketplace's pricing (``pricing.bid_step``: 1.0 ₽ on WB and
  Ozon, 0.1 percentage point on YM, whose bids are a percent of the price);
- ``max_bid`` = the highest current keyword bid, and never below ``min_bid`` (a campaign
  with no keyword, or with every bid under that minimum, gets ``max_bid`` = ``min_bid``).

So the bounds hold every bid the marketplace reports today (no bid is out of range the
moment a manager picks a strategy) and pass the settings rules as they are. Both are whole
kopecks (hundredths), rounded *up*: a minimum of 0.005 becomes 0.01, never 0.00, and every
current bid stays ≤ ``max_bid``. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_CEILING, Decimal

from adolf.domain.marketing.pricing import bid_step, pricing_of
from adolf.domain.marketplace import Marketplace
from adolf.domain.money import CENT


def _cents_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_CEILING)


def default_bounds(
    marketplace: Marketplace,
    keyword_bids: Iterable[Decimal],
    keyword_minimums: Iterable[Decimal | None],
) -> tuple[Decimal, Decimal]:
    """``(min_bid, max_bid)`` of a newly synced campaign of ``marketplace`` whose keywords bid
    ``keyword_bids`` and have the marketplace minimums ``keyword_minimums`` (None: unknown).
    See the module's rule."""
    minimums = [m for m in keyword_minimums if m is not None and m > 0]
    lowest = min(minimums) if minimums else bid_step(pricing_of(marketplace))
    min_bid = _cents_up(lowest)
    max_bid = max((_cents_up(bid) for bid in keyword_bids), default=min_bid)
    return min_bid, max(max_bid, min_bid)
