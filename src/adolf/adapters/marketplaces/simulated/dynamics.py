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

A keyword's reported average position is its position since its last change (constant, as
competitors do not move) once it has had views since, else the day's view-weighted average,
else none.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from .model import DAY_CURVE, CampaignModel, Pricing, charge, unit
from .rates import Rates
from .state import NO_POSITION, CampaignState, Carry, ClosedDay
from .timeline import day_of, first_step_of, step_calendar

_STEP_HOURS = 0.25
_NOISE = 0.15


def step_factor(seed: int, campaign_number: int, step: int) -> float:
    """The campaign's share of a peak hour in ``step``."""
    _day, hour = step_calendar(step)
    return DAY_CURVE[hour] * _STEP_HOURS * (1.0 - _NOISE + 2 * _NOISE * unit(seed, campaign_number, step))


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


_NO_CARRY = Carry(date.min, 0.0, 0.0, 0.0, 0.0, 0.0, 0)


def _base(state: CampaignState, i: int) -> Carry:
    """The keyword's carry if it is from the running day, else zero."""
    ks = state.keywords.get(i)
    carry = None if ks is None else ks.carry
    return carry if carry is not None and carry.day == state.day else _NO_CARRY


def _volume_rates(model: CampaignModel, rates: Rates) -> tuple[array[float], Callable[[Carry], float]]:
    """The rate and the carry field of what this marketplace charges for."""
    if model.pricing is Pricing.CPM:
        return rates.views, _views
    if model.pricing is Pricing.CPC:
        return rates.clicks, _clicks
    return rates.orders, _orders


def _views(carry: Carry) -> float:
    return carry.views


def _clicks(carry: Carry) -> float:
    return carry.clicks


def _orders(carry: Carry) -> float:
    return carry.orders


def campaign_spent(model: CampaignModel, rates: Rates, state: CampaignState) -> int:
    """Kopecks the campaign has spent in the running day (= Σ of its keywords' spend)."""
    volume_rates, volume_of = _volume_rates(model, rates)
    pricing, factor, floor = model.pricing, state.factor, math.floor
    total = 0
    for i in range(model.keyword_count):
        base = _base(state, i)
        charged = volume_of(base)
        volume = floor(charged + volume_rates[i] * (factor - base.factor)) - floor(charged)
        total += base.spent + charge(pricing, rates.bids[i], model.order_value[i], volume)
    return total


def keyword_totals(model: CampaignModel, rates: Rates, state: CampaignState, i: int) -> Totals:
    """The keyword's totals for the running day.

    The average position is the position since the last change if the keyword has had views
    since, else the view-weighted average of the day, else None.
    """
    base = _base(state, i)
    elapsed = state.factor - base.factor
    segment_views = rates.views[i] * elapsed
    views = base.views + segment_views
    floor = math.floor
    whole = (
        floor(views),
        floor(base.clicks + rates.clicks[i] * elapsed),
        floor(base.orders + rates.orders[i] * elapsed),
    )
    pricing = model.pricing
    metric = 0 if pricing is Pricing.CPM else 1 if pricing is Pricing.CPC else 2
    volume = whole[metric] - floor((base.views, base.clicks, base.orders)[metric])
    spent = base.spent + charge(pricing, rates.bids[i], model.order_value[i], volume)
    if segment_views > 0:
        avg: float | None = float(rates.positions[i])
    elif views > 0:
        avg = base.position_views / views
    else:
        avg = None
    return Totals(whole[0], whole[1], whole[2], spent, whole[2] * model.order_value[i], avg)


def freeze(model: CampaignModel, rates: Rates, state: CampaignState, i: int) -> Carry:
    """The keyword's running totals as a carry, to keep before its bid or status changes."""
    base = _base(state, i)
    elapsed = state.factor - base.factor
    segment_views = rates.views[i] * elapsed
    return Carry(
        day=state.day,
        factor=state.factor,
        views=base.views + segment_views,
        clicks=base.clicks + rates.clicks[i] * elapsed,
        orders=base.orders + rates.orders[i] * elapsed,
        position_views=base.position_views + segment_views * rates.positions[i],
        spent=keyword_totals(model, rates, state, i).spent,
    )


def campaign_active(model: CampaignModel, state: CampaignState) -> bool:
    return model.initially_active if state.active is None else state.active


def close_day(model: CampaignModel, state: CampaignState, rates: Rates, new_day: date) -> None:
    """Keep the finished day's totals as ``closed`` and start ``new_day`` from zero."""
    totals = array("q")
    for i in range(model.keyword_count):
        totals.extend(keyword_totals(model, rates, state, i).as_ints())
    state.closed = ClosedDay(state.day, totals)
    state.dirty_closed = True
    _start_day(state, new_day)


def _start_day(state: CampaignState, day: date) -> None:
    state.day, state.factor, state.budget_hit = day, 0.0, False


def accrue(model: CampaignModel, state: CampaignState, until_step: int, seed: int, rates: Callable[[], Rates]) -> None:
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
            bound = (
                None
                if known_spent is None
                else (known_spent + current.spend_rate * (factor - known_factor) + current.spend_slack)
            )
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
