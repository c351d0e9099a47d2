"""What a marketplace charges advertising for, and so what a bid means there.

Rules (SPEC §6 units; the domain speaks rubles, and YM's percent of the price as a percent):
- Wildberries: CPM auction, a bid is rubles per 1000 views;
- Ozon: CPC, a bid is rubles per click;
- Yandex.Market: CPA, a bid is the percent of the item's price paid per order (570 on the
  wire = 5.7 %), so an order costs ``value × bid / 100`` and the DRR of the ordered value
  *is* the bid.

The smallest move worth sending (SPEC §4.1 "a bid is sent only if it moved by at least 1.0")
is 1.0 of a ruble bid; applied to a percent bid it would be a 17 % move of a 5.7 % bid, so a
percent bid's step is 0.1 percentage point (YM takes hundredths of a percent).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from adolf.domain.marketplace import Marketplace


class Pricing(StrEnum):
    """What a bid buys: ``cpm`` rubles per 1000 views (WB), ``cpc`` rubles per click (Ozon), ``cpa``
    percent of the order value per order (YM)."""

    CPM = "cpm"  # rubles per 1000 views
    CPC = "cpc"  # rubles per click
    CPA = "cpa"  # percent of the order value per order


PRICING_OF: dict[Marketplace, Pricing] = {
    Marketplace.WB: Pricing.CPM,
    Marketplace.OZON: Pricing.CPC,
    Marketplace.YM: Pricing.CPA,
}

RUBLE_STEP = Decimal("1.0")
PERCENT_STEP = Decimal("0.1")


def pricing_of(marketplace: Marketplace) -> Pricing:
    """How ``marketplace`` prices advertising."""
    return PRICING_OF[marketplace]


def bid_step(pricing: Pricing) -> Decimal:
    """The smallest bid move that is sent."""
    return PERCENT_STEP if pricing is Pricing.CPA else RUBLE_STEP
