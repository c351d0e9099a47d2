"""The static half of the market: what each campaign and keyword *is*, generated from a seed.

Everything here is a pure function of ``(seed, campaign)``: a campaign's parameters and all
of its keywords' come from one ``random.Random`` seeded with a mix of the two, so it does not
matter which campaign is generated first, or whether it is generated in this process or
another. Nothing here changes over time; bids, statuses and totals live in the state store.

Assumptions of the model (one keyword = one auction):

* **Competitors.** Each keyword has 3–10 competitor bids that never change, spread
  log-uniformly between the marketplace's minimum bid and 1.3–5× of it (they are what a
  Watcher would report, highest first).
* **Position.** Our position is 1 + the number of competitor bids ≥ ours (a tie loses):
  position 1 = above every competitor, position n + 1 = below all n of them.
* **Views** per hour = demand × day curve × 0.8^(position − 1); demand is the views per hour
  at position 1 at the peak hour, log-uniform per keyword and scaled per campaign.
* **CTR** = CTR at position 1 (5–10 %) × 0.85^(position − 1). **Conversion** to orders is
  1–8 % of clicks, except for about one keyword in eight that never converts (its clicks
  bring no orders, so keyword safety has something to find). **Order value** is per
  campaign (300–6 000 ₽) with ±25 % per keyword.
* **Pricing** differs by marketplace: WB is a CPM auction (spend = views / 1000 × bid, bid in
  rubles per 1000 views, minimum 50–150 ₽); Ozon is CPC (spend = clicks × bid, minimum
  3–10 ₽); YM charges a percentage of the order value per order (spend = orders × value ×
  bid %, minimum 0.5–3 %). The bid is the price (first-price auction, no discount).
* **Budgets.** A campaign's daily budget is set from the spend its keywords would make in a
  day at their initial bids: about a quarter of campaigns get 35–80 % of that (they hit the
  budget during the day, so budget safety has something to find), most get 1.3–3×, and
  about one in twelve has no daily limit.
* About 8 % of campaigns and 5 % of keywords start paused.
"""

from __future__ import annotations

import math
import random
from array import array
from dataclasses import dataclass, replace
from enum import StrEnum

from adolf.domain.marketplace import Marketplace

from . import wire

_MASK = (1 << 64) - 1

#: share of the peak hour's demand in each Moscow hour, 0:00 … 23:00
DAY_CURVE: tuple[float, ...] = (
    0.30, 0.18, 0.10, 0.07, 0.06, 0.08, 0.15, 0.30, 0.50, 0.65, 0.75, 0.80,
    0.85, 0.85, 0.80, 0.80, 0.82, 0.88, 0.95, 1.00, 1.00, 0.95, 0.75, 0.50,
)  # fmt: skip
DAY_FACTOR = sum(DAY_CURVE)  # peak-hour equivalents in a day
VISIBILITY_DECAY = 0.8
CTR_DECAY = 0.85


class Pricing(StrEnum):
    CPM = "cpm"  # per 1000 views, bid in rubles per 1000 views
    CPC = "cpc"  # per click, bid in rubles
    CPA = "cpa"  # per order, bid in percent of the order value


PRICING: dict[Marketplace, Pricing] = {
    Marketplace.WB: Pricing.CPM,
    Marketplace.OZON: Pricing.CPC,
    Marketplace.YM: Pricing.CPA,
}


@dataclass(frozen=True, slots=True)
class _Ranges:
    min_bid: tuple[int, int]  # hundredths, inclusive, drawn in steps of `tick`
    tick: int  # bid granularity of competitors, hundredths
    demand: tuple[float, float]  # views per hour at position 1, peak hour


_RANGES: dict[Marketplace, _Ranges] = {
    Marketplace.WB: _Ranges(min_bid=(5_000, 15_000), tick=100, demand=(30.0, 1500.0)),
    Marketplace.OZON: _Ranges(min_bid=(300, 1_000), tick=10, demand=(10.0, 500.0)),
    Marketplace.YM: _Ranges(min_bid=(50, 300), tick=10, demand=(10.0, 500.0)),
}

_BRANDS = ("Ohana Market", "Ohana Kids", "Северный двор", "Tikki", "Домашний уют")
_GOODS = ("пижама", "плед", "кружка", "рюкзак", "футболка", "игрушка", "лампа", "носки", "шапка", "подушка")
_TRAITS = ("детская", "хлопковая", "большая", "зимняя", "яркая", "мягкая", "подарочная", "набор", "новинка")
_PLACES = ("купить", "недорого", "для дома", "оригинал", "со скидкой", "2 шт", "на подарок", "россия")


def mix(*parts: int) -> int:
    """A 64-bit hash of integers (splitmix64 rounds); stable across processes and runs."""
    state = 0x9E3779B97F4A7C15
    for part in parts:
        state = (state ^ (part & _MASK)) & _MASK
        state = (state + 0x9E3779B97F4A7C15) & _MASK
        state = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        state = ((state ^ (state >> 27)) * 0x94D049BB133111EB) & _MASK
        state ^= state >> 31
    return state


def unit(*parts: int) -> float:
    """A uniform float in [0, 1) determined by ``parts``."""
    return (mix(*parts) >> 11) * 2.0**-53


def position(competitors: array[int] | tuple[int, ...], bid: int) -> int:
    """1 + the number of competitor bids at or above ``bid`` (a tie loses)."""
    return 1 + sum(1 for other in competitors if other >= bid)


@dataclass(frozen=True, slots=True)
class CampaignModel:
    """A campaign and its keywords' fixed parameters, in columns (index = keyword index).

    Money is in kopecks and bids in hundredths (kopecks, or basis points for YM).
    """

    marketplace: Marketplace
    index: int
    external_id: str
    number: int
    name: str
    initially_active: bool
    daily_budget: int | None  # kopecks (whole rubles)
    demand: array[float]  # views per hour at position 1 in the peak hour
    ctr: array[float]  # click-through rate at position 1
    conversion: array[float]  # orders per click
    order_value: array[int]  # kopecks
    min_bid: array[int]
    initial_bid: array[int]
    initially_active_keywords: array[int]  # 1 = active
    ladder_start: array[int]  # competitors of keyword i: ladder[ladder_start[i]:ladder_start[i+1]]
    ladder: array[int]  # competitor bids, highest first per keyword

    @property
    def pricing(self) -> Pricing:
        return PRICING[self.marketplace]

    @property
    def keyword_count(self) -> int:
        return len(self.demand)

    def competitors(self, keyword: int) -> array[int]:
        return self.ladder[self.ladder_start[keyword] : self.ladder_start[keyword + 1]]

    def keyword_id(self, keyword: int) -> str:
        return wire.keyword_id(self.external_id, keyword)

    def phrase(self, keyword: int) -> str:
        h = mix(self.number, keyword)
        return " ".join((_TRAITS[h % len(_TRAITS)], _GOODS[(h >> 8) % len(_GOODS)], _PLACES[(h >> 16) % len(_PLACES)]))


def hourly_rates(model: CampaignModel, keyword: int, bid: int) -> tuple[int, float, float, float]:
    """(position, views, clicks, orders) per hour at the peak hour for ``bid``."""
    pos = position(model.competitors(keyword), bid)
    views = model.demand[keyword] * VISIBILITY_DECAY ** (pos - 1)
    clicks = views * model.ctr[keyword] * CTR_DECAY ** (pos - 1)
    return pos, views, clicks, clicks * model.conversion[keyword]


def unit_price(pricing: Pricing, bid: int, order_value: int) -> float:
    """Kopecks charged per view (CPM), click (CPC) or order (CPA) at ``bid``."""
    if pricing is Pricing.CPM:
        return bid / 1000
    if pricing is Pricing.CPC:
        return float(bid)
    return order_value * bid / 10_000


def charge(pricing: Pricing, bid: int, order_value: int, volume: int) -> int:
    """Kopecks charged for ``volume`` whole views (CPM), clicks (CPC) or orders (CPA) at
    ``bid``, rounded half up."""
    if pricing is Pricing.CPM:
        return (volume * bid + 500) // 1000
    if pricing is Pricing.CPC:
        return volume * bid
    return (volume * order_value * bid + 5_000) // 10_000


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return low * math.exp(rng.random() * math.log(high / low))


def generate_campaign(seed: int, marketplace: Marketplace, index: int, keywords: int) -> CampaignModel:
    """One campaign and its keywords; a pure function of the arguments."""
    number = wire.campaign_number(marketplace, index)
    rng = random.Random(mix(seed, number))
    draw, exp, log = rng.random, math.exp, math.log  # the hot loop below runs 500 000 times in benchmarks
    ranges = _RANGES[marketplace]
    tick = ranges.tick
    low_tick, tick_span = ranges.min_bid[0] // tick, ranges.min_bid[1] // tick - ranges.min_bid[0] // tick + 1
    demand_low, demand_log_span = ranges.demand[0], log(ranges.demand[1] / ranges.demand[0])
    scale = _log_uniform(rng, 0.3, 3.0)
    value = _log_uniform(rng, 300.0, 6000.0)
    demand, ctr, conversion = array("d"), array("d"), array("d")
    order_value, min_bid, initial_bid, active = array("q"), array("q"), array("q"), array("b")
    ladder_start, ladder = array("q", [0]), array("q")
    for _ in range(keywords):
        floor = (low_tick + int(draw() * tick_span)) * tick
        spread = log(1.3 + 3.7 * draw())  # the top competitor bids 1.3–5× the minimum
        rivals = sorted(
            (max(floor, round(floor * exp(draw() * spread) / tick) * tick) for _ in range(3 + int(draw() * 8))),
            reverse=True,
        )
        target = 1 + int(draw() * (len(rivals) + 1))  # the position our initial bid takes
        bid = rivals[target - 1] + tick if target <= len(rivals) else floor
        demand.append(scale * demand_low * exp(draw() * demand_log_span))
        ctr.append(0.05 + 0.05 * draw())
        conversion.append(0.0 if draw() < 0.12 else 0.01 + 0.07 * draw())
        order_value.append(round(value * (0.8 + 0.45 * draw())) * 100)
        min_bid.append(floor)
        initial_bid.append(max(floor, bid))
        active.append(1 if draw() >= 0.05 else 0)
        ladder.extend(rivals)
        ladder_start.append(len(ladder))
    campaign_active = rng.random() >= 0.08
    budget_kind, budget_share = rng.random(), rng.random()
    model = CampaignModel(
        marketplace=marketplace,
        index=index,
        external_id=str(number),
        number=number,
        name=f"{_BRANDS[number % len(_BRANDS)]} · {_GOODS[(number // 7) % len(_GOODS)]} #{index + 1}",
        initially_active=campaign_active,
        daily_budget=None,
        demand=demand,
        ctr=ctr,
        conversion=conversion,
        order_value=order_value,
        min_bid=min_bid,
        initial_bid=initial_bid,
        initially_active_keywords=active,
        ladder_start=ladder_start,
        ladder=ladder,
    )
    expected = expected_daily_spend(model)
    if budget_kind < 0.25:
        budget: float | None = expected * (0.35 + 0.45 * budget_share)
    elif budget_kind < 0.92:
        budget = expected * (1.3 + 1.7 * budget_share)
    else:
        budget = None
    if budget is None:
        return model
    return replace(model, daily_budget=max(100, math.ceil(budget / 100)) * 100)


def expected_daily_spend(model: CampaignModel) -> float:
    """Kopecks a day at the initial bids, for the keywords that start active."""
    return expected_daily_totals(model)[0]


def expected_daily_totals(model: CampaignModel) -> tuple[float, float, float]:
    """(spend, orders, revenue) a day at the initial bids, for the keywords that start active:
    spend and revenue in kopecks. What the seller's own history says the campaign costs."""
    pricing = model.pricing
    spend = orders_total = revenue = 0.0
    for i in range(model.keyword_count):
        if not model.initially_active_keywords[i]:
            continue
        bid = model.initial_bid[i]
        _pos, views, clicks, orders = hourly_rates(model, i, bid)
        volume = {Pricing.CPM: views, Pricing.CPC: clicks, Pricing.CPA: orders}[pricing]
        spend += volume * unit_price(pricing, bid, model.order_value[i])
        orders_total += orders
        revenue += orders * model.order_value[i]
    return spend * DAY_FACTOR, orders_total * DAY_FACTOR, revenue * DAY_FACTOR
