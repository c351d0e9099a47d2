"""The moving half of the market: how views, clicks, orders and spend accrue with time.

Each completed 15-minute step gives a campaign a *factor*: the share of a peak hour the step
represents (day curve for its Moscow hour × ¼ h) times a ±15 % noise drawn from
``(seed, campaign, step)``. A keyword's expected views over any stretch of the day are its
rate (views per peak hour at its current position) × the sum of the campaign's factors over
the stretch; clicks and orders likewise. So a campaign's day is one running sum
(``CampaignState.factor``), and a keyword's totals are computed when asked:

    expected = carry + rate × (factor now − factor at the carry)

where the *carry* is the keyword's totals frozen when its bid or status last changed.
Reported counts are the floor of the expected values; spend is charged on whole views,
clicks or orders at the bid in force, so ``spent`` is exact kopecks and a campaign's totals
are exactly the sum of its keywords'.

The factor stops growing while the campaign is paused, and for the rest of the day once its
spend reaches the daily budget: the step in which spend crosses the budget is charged in
full, so a campaign overshoots its budget by up to one step's spend, as real marketplaces
do. At Moscow midnight the day is closed (its final totals kept for "yesterday") and
everything starts from zero. Accrual is lazy and per campaign, and gives the same numbers
however the steps are grouped into calls, because every step is processed in order with
the bids and statuses in force when it is accrued (a change made during a step applies to
the whole of that step).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .model import DAY_CURVE, CampaignModel, Pricing, charge, hourly_rates, unit, unit_price
from .state import NO_POSITION, CampaignState, Carry, ClosedDay
from .timeline import day_of, first_step_of, step_calendar

_STEP_HOURS = 0.25
_NOISE = 0.15


def step_factor(seed: int, campaign_number: int, step: int) -> float:
    """The campaign's share of a peak hour in ``step``."""
    _day, hour = step_calendar(step)
    return DAY_CURVE[hour] * _STEP_HOURS * (1.0 - _NOISE + 2 * _NOISE * unit(seed, campaign_number, step))


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


def _is_active(model: CampaignModel, state: CampaignState, index: int) -> bool:
    ks = state.keywords.get(index)
    if ks is not None and ks.active is not None:
        return ks.active
    return bool(model.initially_active_keywords[index])


def _bid(model: CampaignModel, state: CampaignState, index: int) -> int:
    ks = state.keywords.get(index)
    return ks.bid if ks is not None and ks.bid is not None else model.initial_bid[index]


def compile_rates(model: CampaignModel, state: CampaignState, previous: Rates | None = None,
                  changed: Iterable[int] | None = None) -> Rates:
    """Rates for the state's current revision; with ``previous`` and ``changed``, only the
    changed keywords are recomputed."""
    if previous is None or changed is None:
        size = model.keyword_count
        rates = Rates(state.rev, array("q", model.initial_bid), array("q", bytes(8 * size)),
                      *(array("d", bytes(8 * size)) for _ in range(5)))
        indices: Iterable[int] = range(size)
    else:
        rates = Rates(state.rev, *(array(a.typecode, a) for a in (
            previous.bids, previous.positions, previous.views, previous.clicks,
            previous.orders, previous.spend, previous.slack)))
        indices = changed
    pricing = model.pricing
    for i in indices:
        bid = rates.bids[i] = _bid(model, state, i)
        pos, views, clicks, orders = hourly_rates(model, i, bid)
        rates.positions[i] = pos
        if not _is_active(model, state, i):
            views = clicks = orders = 0.0
        price = unit_price(pricing, bid, model.order_value[i])
        volume = views if pricing is Pricing.CPM else clicks if pricing is Pricing.CPC else orders
        rates.views[i], rates.clicks[i], rates.orders[i] = views, clicks, orders
        rates.spend[i] = volume * price
        rates.slack[i] = price + 1.0 if volume > 0 else 0.0
    return rates


@dataclass(frozen=True, slots=True)
class Totals:
    views: int
    clicks: int
    orders: int
    spent: int  # kopecks
    revenue: int  # kopecks
    avg_position: float | None

    def as_ints(self) -> tuple[int, int, int, int, int, int]:
        pos = NO_POSITION if self.avg_position is None else round(self.avg_position * 100)
        return self.views, self.clicks, self.orders, self.spent, self.revenue, pos

    @classmethod
    def from_ints(cls, values: tuple[int, ...] | list[int]) -> Totals:
        views, clicks, orders, spent, revenue, pos = values
        return cls(views, clicks, orders, spent, revenue, None if pos == NO_POSITION else pos / 100)


ZERO = Totals(0, 0, 0, 0, 0, None)


def keyword_running(model: CampaignModel, rates: Rates, state: CampaignState, i: int) -> tuple[Carry, Totals]:
    """The keyword's day totals now: as a carry (to freeze before a change) and as counts.

    The average position is the position since the last change if the keyword has had views
    since, else the view-weighted average of the day, else None.
    """
    ks = state.keywords.get(i)
    base = ks.carry if ks is not None else None
    if base is None or base.day != state.day:
        base = Carry(state.day, 0.0, 0.0, 0.0, 0.0, 0.0, 0)
    elapsed = state.factor - base.factor
    segment_views = rates.views[i] * elapsed
    position = rates.positions[i]
    views = base.views + segment_views
    clicks = base.clicks + rates.clicks[i] * elapsed
    orders = base.orders + rates.orders[i] * elapsed
    position_views = base.position_views + segment_views * position
    whole_views, whole_clicks, whole_orders = math.floor(views), math.floor(clicks), math.floor(orders)
    spent = base.spent + charge(
        model.pricing, rates.bids[i], model.order_value[i],
        whole_views - math.floor(base.views), whole_clicks - math.floor(base.clicks),
        whole_orders - math.floor(base.orders),
    )
    if segment_views > 0:
        avg: float | None = float(position)
    elif views > 0:
        avg = position_views / views
    else:
        avg = None
    carry = Carry(state.day, state.factor, views, clicks, orders, position_views, spent)
    return carry, Totals(whole_views, whole_clicks, whole_orders, spent, whole_orders * model.order_value[i], avg)


def campaign_spent(model: CampaignModel, rates: Rates, state: CampaignState) -> int:
    return sum(keyword_running(model, rates, state, i)[1].spent for i in range(model.keyword_count))


def campaign_active(model: CampaignModel, state: CampaignState) -> bool:
    return model.initially_active if state.active is None else state.active


def close_day(model: CampaignModel, state: CampaignState, rates: Rates, new_day: date) -> None:
    """Keep the finished day's totals as ``closed`` and start ``new_day`` from zero."""
    totals = array("q")
    for i in range(model.keyword_count):
        totals.extend(keyword_running(model, rates, state, i)[1].as_ints())
    state.closed = ClosedDay(state.day, totals)
    state.dirty_closed = True
    _start_day(state, new_day)


def _start_day(state: CampaignState, day: date) -> None:
    state.day, state.factor, state.budget_hit = day, 0.0, False


def accrue(model: CampaignModel, state: CampaignState, until_step: int, seed: int,
           rates: Callable[[], Rates]) -> None:
    """Accrue the completed steps ``[state.next_step, until_step)`` and move to the day of
    ``until_step``. ``rates`` gives the campaign's current rates (computed only if needed)."""
    if until_step <= state.next_step:
        return
    yesterday = day_of(until_step) - timedelta(days=1)
    if state.day < yesterday:
        # Whole days with no change since: only yesterday and today can be asked about.
        _start_day(state, yesterday)
        state.next_step = first_step_of(yesterday)
    budget = model.daily_budget
    active = campaign_active(model, state)
    known_spent: int | None = None
    known_factor = state.factor
    for step in range(state.next_step, until_step):
        day = day_of(step)
        if day != state.day:
            close_day(model, state, rates(), day)
            known_spent, known_factor = None, 0.0
        if state.budget_hit or not active:
            continue
        factor = state.factor + step_factor(seed, model.number, step)
        if budget is not None:
            current = rates()
            bound = None if known_spent is None else (
                known_spent + current.spend_rate * (factor - known_factor) + current.spend_slack)
            if bound is None or bound >= budget:
                state.factor = factor
                known_spent, known_factor = campaign_spent(model, current, state), factor
                state.budget_hit = known_spent >= budget
                continue
        state.factor = factor
    state.next_step = until_step
    today = day_of(until_step)
    if today != state.day:
        close_day(model, state, rates(), today)
