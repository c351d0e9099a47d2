"""Competitor prices on the simulated marketplaces: what a parsing agent sees on a listing.

Like ``model``, everything here is a pure function of ``(seed, listing, Moscow day)``: each
draw comes from ``unit(seed, tag, listing, day)``, so it does not matter in which order, in
which process or how often a listing is looked at. Nothing is stored.

Ids. One of our products is a number (``product_number``: WB ``1000001`` …, Ozon
``2000001`` …, YM ``3000001`` …); a *listing* (a competitor's product page tracked against
one of ours) is its product's number followed by two digits (``100000103`` is the third
listing against product ``1000001``), so an agent resolves any listing without a lookup.

Assumptions of the model (prices in whole rubles, one price per listing per Moscow day):

* **Our price** is 290–5 990 ₽ (log-uniform, rounded to a hundred minus 10) and does not
  change during a run: the yardstick the competitors move around.
* **List price.** A listing is priced 100–115 % of ours (the listings we track sit at or
  just above us). It holds for 2–8 days (per listing), then moves to a new level within ±5 %
  of that reference: ordinary drift, reverting to the reference, never more than 10 % under us.
* **Sales.** On about one day in ten a listing sells 5–9 % under its list price and shows
  the list price crossed out (old price).
* **Inflated old prices.** About a quarter of listings always show a crossed-out price
  35–80 % above what they charge (a 26–44 % "discount" that is not one), the habit that
  makes a listing's average discount high.
* **Stock-outs.** A listing is out of stock on about 4 % of days; it then shows no price.
* **Pages down.** On about 1 % of days a listing's page does not load at all (the
  marketplace answers 404): an agent can only report an error for it that day.
* **Dumping.** About a fifth of listings are aggressive: a dumping episode starts on any
  day with probability 10 % (others 1.5 %) and lasts 1–3 days; during it the listing sells
  15–35 % under *our* price (well over the 10 % margin Watcher alerts on), whatever its list
  price. An episode is one price for its days; its end is a jump back to the list price.

Precedence on a day: page down, else out of stock, else dumping, else sale, else list price.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from adolf.domain.marketplace import Marketplace

from .model import unit
from .timeline import day_of, step_at

_PRODUCT_BASE = {Marketplace.WB: 1_000_000, Marketplace.OZON: 2_000_000, Marketplace.YM: 3_000_000}
_BY_PREFIX = {base // 1_000_000: mp for mp, base in _PRODUCT_BASE.items()}
MAX_PRODUCTS_PER_MARKETPLACE = 999_998
MAX_LISTINGS_PER_PRODUCT = 99

# draw tags: each trait and each daily draw has its own stream
_OUR, _REFERENCE, _PERIOD, _PHASE, _LEVEL, _SALE, _SALE_DEPTH = 1, 2, 3, 4, 5, 6, 7
_INFLATES, _MARKUP, _STOCK, _AGGRESSIVE, _EPISODE, _EPISODE_DAYS, _DEPTH = 8, 9, 10, 11, 12, 13, 14
_DOWN = 15

SALE_DAYS = 0.10
INFLATING = 0.25
OUT_OF_STOCK_DAYS = 0.04
DOWN_DAYS = 0.01
AGGRESSIVE = 0.20
EPISODE_START = {True: 0.10, False: 0.015}  # per day, aggressive or not
MAX_EPISODE_DAYS = 3


@dataclass(frozen=True, slots=True)
class Shelf:
    """A listing's page on one day. ``dumping`` is the model's truth (a page does not say it)."""

    price: Decimal | None  # None when out of stock
    old_price: Decimal | None  # the crossed-out price, when one is shown
    in_stock: bool
    dumping: bool = False
    loads: bool = True  # False: the page is down today (nothing else on it is known)


def product_number(marketplace: Marketplace, index: int) -> int:
    if not 0 <= index < MAX_PRODUCTS_PER_MARKETPLACE:
        raise ValueError(f"product index={index} is out of range")
    return _PRODUCT_BASE[marketplace] + index + 1


def listing_number(product: int, index: int) -> int:
    if not 0 <= index < MAX_LISTINGS_PER_PRODUCT:
        raise ValueError(f"listing index={index} is out of range")
    return product * 100 + index + 1


def parse_listing(external_id: str) -> tuple[Marketplace, int, int] | None:
    """(marketplace, product number, listing number) of a well-formed listing id, else None."""
    if len(external_id) != 9 or not external_id.isdigit() or external_id.endswith("00"):
        return None
    number = int(external_id)
    marketplace = _BY_PREFIX.get(number // 100_000_000)
    if marketplace is None or number // 100 % 1_000_000 == 0:
        return None
    return marketplace, number // 100, number


def our_price(seed: int, product: int) -> Decimal:
    rubles = 300 * math.exp(unit(seed, _OUR, product) * math.log(20))
    return Decimal(max(3, round(rubles / 100)) * 100 - 10)


def shelf_at(seed: int, listing: int, moment: datetime) -> Shelf:
    """The listing's page at ``moment`` (an aware datetime; its Moscow day decides)."""
    return shelf_on(seed, listing, day_of(step_at(moment)))


@lru_cache(maxsize=65536)
def shelf_on(seed: int, listing: int, day: date) -> Shelf:
    d = day.toordinal()
    ours = our_price(seed, listing // 100)
    if unit(seed, _DOWN, listing, d) < DOWN_DAYS:
        return Shelf(None, None, False, loads=False)
    if unit(seed, _STOCK, listing, d) < OUT_OF_STOCK_DAYS:
        return Shelf(None, None, False)
    level = list_price(seed, listing, day)
    old = _inflated(seed, listing, level)
    depth = _dumping_depth(seed, listing, d)
    if depth is not None:
        return Shelf(_rubles(float(ours) * (1 - depth)), old, True, dumping=True)
    if unit(seed, _SALE, listing, d) < SALE_DAYS:
        off = 0.05 + 0.04 * unit(seed, _SALE_DEPTH, listing, d)
        return Shelf(_rubles(level * (1 - off)), old or _rubles(level), True)
    return Shelf(_rubles(level), old, True)


def list_price(seed: int, listing: int, day: date) -> float:
    """The listing's list price on ``day`` (rubles, unrounded): its reference moved by the
    level of the drift period the day falls in."""
    ours = float(our_price(seed, listing // 100))
    reference = ours * (1.0 + 0.15 * unit(seed, _REFERENCE, listing))
    length = 2 + int(unit(seed, _PERIOD, listing) * 7)  # days a level holds: 2–8
    phase = int(unit(seed, _PHASE, listing) * length)
    period = (day.toordinal() + phase) // length
    return reference * (1.0 + 0.05 * (2 * unit(seed, _LEVEL, listing, period) - 1))


def is_aggressive(seed: int, listing: int) -> bool:
    return unit(seed, _AGGRESSIVE, listing) < AGGRESSIVE


def _dumping_depth(seed: int, listing: int, d: int) -> float | None:
    """The depth under our price of the episode covering day ordinal ``d``, if any (the
    latest-started one wins)."""
    chance = EPISODE_START[is_aggressive(seed, listing)]
    for start in range(d, d - MAX_EPISODE_DAYS, -1):
        if unit(seed, _EPISODE, listing, start) >= chance:
            continue
        days = 1 + int(unit(seed, _EPISODE_DAYS, listing, start) * MAX_EPISODE_DAYS)
        if d - start < days:
            return 0.15 + 0.20 * unit(seed, _DEPTH, listing, start)
    return None


def _inflated(seed: int, listing: int, level: float) -> Decimal | None:
    if unit(seed, _INFLATES, listing) >= INFLATING:
        return None
    return _rubles(level * (1.35 + 0.45 * unit(seed, _MARKUP, listing)))


def _rubles(value: float | Decimal) -> Decimal:
    return Decimal(max(1, round(value)))


__all__ = [
    "Shelf",
    "is_aggressive",
    "list_price",
    "listing_number",
    "our_price",
    "parse_listing",
    "product_number",
    "shelf_at",
    "shelf_on",
]
