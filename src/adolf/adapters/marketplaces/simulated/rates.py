"""A campaign's keywords at their current bids: position, and views, clicks, orders and spend
per unit of time, recomputed only when a bid or a status changes.

The rates are a pure function of the campaign's model and its keywords' bids and statuses;
``CampaignState.rev`` numbers those, so a process can cache the rates of the revision it last
saw (``SimulatedMarket`` does) and another process's change is noticed by the new number.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass

from .model import CampaignModel, Pricing, hourly_rates, unit_price
from .state import CampaignState


@dataclass(frozen=True, slots=True)
class Rates:
    """Per-keyword rates of one campaign at one revision of its bids and statuses.

    Rates are per unit of factor (= per peak hour); a paused keyword's are zero.
    """

    rev: int
    bids: array[int]
    positions: array[int]
    views: array[float]
    clicks: array[float]
    orders: array[float]
    spend: array[float]  # expected kopecks per unit of factor
    slack: array[float]  # kopecks one more view/click/order can add, plus rounding

    @property
    def spend_rate(self) -> float:
        return sum(self.spend)

    @property
    def spend_slack(self) -> float:
        return sum(self.slack)


def is_active(model: CampaignModel, state: CampaignState | None, index: int) -> bool:
    """The keyword's status: as last set, else as generated."""
    ks = None if state is None else state.keywords.get(index)
    if ks is not None and ks.active is not None:
        return ks.active
    return bool(model.initially_active_keywords[index])


def bid_of(model: CampaignModel, state: CampaignState | None, index: int) -> int:
    """The keyword's bid in hundredths: as last set, else as generated."""
    ks = None if state is None else state.keywords.get(index)
    return ks.bid if ks is not None and ks.bid is not None else model.initial_bid[index]


def compile_rates(
    model: CampaignModel, state: CampaignState, previous: Rates | None = None, changed: Iterable[int] | None = None
) -> Rates:
    """Rates for the state's current revision; with ``previous`` and ``changed``, only the
    changed keywords are recomputed."""
    if previous is None or changed is None:
        size = model.keyword_count
        rates = Rates(
            state.rev,
            array("q", model.initial_bid),
            array("q", bytes(8 * size)),
            array("d", bytes(8 * size)),
            array("d", bytes(8 * size)),
            array("d", bytes(8 * size)),
            array("d", bytes(8 * size)),
            array("d", bytes(8 * size)),
        )
        indices: Iterable[int] = range(size)
    else:
        rates = Rates(
            state.rev,
            array("q", previous.bids),
            array("q", previous.positions),
            array("d", previous.views),
            array("d", previous.clicks),
            array("d", previous.orders),
            array("d", previous.spend),
            array("d", previous.slack),
        )
        indices = changed
    pricing = model.pricing
    for i in indices:
        bid = rates.bids[i] = bid_of(model, state, i)
        pos, views, clicks, orders = hourly_rates(model, i, bid)
        rates.positions[i] = pos
        if not is_active(model, state, i):
            views = clicks = orders = 0.0
        price = unit_price(pricing, bid, model.order_value[i])
        volume = views if pricing is Pricing.CPM else clicks if pricing is Pricing.CPC else orders
        rates.views[i], rates.clicks[i], rates.orders[i] = views, clicks, orders
        rates.spend[i] = volume * price
        rates.slack[i] = price + 1.0 if volume > 0 else 0.0
    return rates
