"""Ozon Performance API rows as pydantic models, and Ozon's units ↔ the port's rubles.

Units (issue 13, SPEC §6): budgets (``dailyBudget``, ``budget``) and bids (``bid``, the
competitive bids, the products' minimum bids) are integers of millionths of a ruble, sent as
JSON strings as Ozon sends its int64 fields (``"12500000"`` is 12.50 ₽); money in statistics
is rubles as a decimal string. The port speaks rubles as ``Decimal`` to the kopeck:
conversions happen here and nowhere else. A bid is rounded half up to the millionth (a
kopeck-exact bid converts exactly); millionths read back are rounded half up to the kopeck.
A ``dailyBudget`` of 0 is Ozon's "no daily limit", the port's ``None``.

The models are lenient about fields the client does not read and strict about the ones it
does: a count that is not a non-negative integer, an amount that is not a non-negative
number, an id that is not digits → the row is skipped with the field and value named.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt

from .wire_money import CENT, money

MICROS_PER_RUBLE = 1_000_000
#: Ozon's campaign states the port knows; others (archived, planned, …) are not listed
STATE_RUNNING, STATE_INACTIVE = "CAMPAIGN_STATE_RUNNING", "CAMPAIGN_STATE_INACTIVE"
STATES = {STATE_RUNNING: "active", STATE_INACTIVE: "paused"}
#: a product's state in a campaign (designed in Ozon's style: the port's keyword status)
PRODUCT_ACTIVE, PRODUCT_PAUSED = "PRODUCT_STATE_ACTIVE", "PRODUCT_STATE_PAUSED"
PRODUCT_STATES = {PRODUCT_ACTIVE: "active", PRODUCT_PAUSED: "paused"}
#: SKUs per competitive-bids call (Ozon: at most 200)
COMPETITIVE_BATCH = 200
#: SKUs per bids PUT (assumed as the competitive call's; not confirmed in Ozon's docs)
BIDS_BATCH = 200
#: campaigns per synchronous statistics call (Ozon's sync statistics take at most 10)
STATS_BATCH = 10


def rubles_to_micros(rubles: Decimal) -> int:
    if not rubles.is_finite():
        raise ValueError(f"amount={rubles} is not a number")
    return int((rubles * MICROS_PER_RUBLE).to_integral_value(rounding=ROUND_HALF_UP))


def micros_to_rubles(micros: int) -> Decimal:
    return (Decimal(micros) / MICROS_PER_RUBLE).quantize(CENT, rounding=ROUND_HALF_UP)


def wire_micros(rubles: Decimal) -> str:
    """The port's rubles → Ozon's millionths as the JSON string Ozon sends."""
    return str(rubles_to_micros(rubles))


def micros(value: object) -> int:
    """Ozon's int64 (a string of digits, or a JSON integer) → a non-negative integer."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a whole number of millionths")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
    else:
        raise ValueError(f"{value!r} is not a whole number of millionths")
    if number < 0:
        raise ValueError(f"{value!r} is negative")
    return number


def wire_rubles(amount: Decimal) -> str:
    """The port's rubles → Ozon's statistics money (the fake's side of ``money``)."""
    return str(amount.quantize(CENT))


def _digits(value: object) -> str:
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not text.isascii() or not text.isdigit():
        raise ValueError(f"{value!r} is not a numeric id")
    return text


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore")


#: millionths of a ruble, read by ``micros``
Micros = Annotated[int, BeforeValidator(micros)]
#: statistics money, rubles, read by ``money``
Rubles = Annotated[Decimal, BeforeValidator(money)]
#: an id Ozon sends as a string of digits (or a number)
NumericId = Annotated[str, BeforeValidator(_digits)]


class Campaign(_Row):
    id: NumericId
    title: str = Field(min_length=1)
    state: str
    dailyBudget: Micros = 0
    budget: Micros = 0


class Product(_Row):
    sku: NumericId
    bid: Micros
    title: str = Field(min_length=1)  # the search phrase the product is promoted on
    state: str
    minBid: Micros | None = None


class CompetitiveBid(_Row):
    sku: NumericId
    bid: Micros


class ProductStats(_Row):
    campaignId: NumericId
    sku: NumericId
    date: str
    views: StrictInt = Field(ge=0)
    clicks: StrictInt = Field(ge=0)
    orders: StrictInt = Field(ge=0)
    moneySpent: Rubles
    ordersMoney: Rubles
    avgPosition: Rubles | None = None  # a position, read to two places as money is
