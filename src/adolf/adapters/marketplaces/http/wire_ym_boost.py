"""Yandex.Market "sales boost" rows as pydantic models, and YM's units ↔ the port's.

Units (issue 13, SPEC §6): a boost bid is a percent of the item's price times 100, an integer
(570 = 5.70 %); 0 takes the SKU out of the boost. The port speaks the percentage as a
``Decimal`` to two places: ``percent_to_wire`` rounds half up to the wire's hundredth of a
percent (5.705 → 571), ``wire_to_percent`` is exact. Money in the boost report is rubles,
as JSON numbers or decimal strings, read to the kopeck. Conversions happen here only.

Lenient about fields the client does not read, strict about the ones it does: a row with a
count that is not a non-negative integer, money that is not a non-negative amount or an
unknown status is skipped with the field and value named.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt

from .wire_money import CENT, money
from .wire_money import wire_rubles as wire_rubles  # the fake's side, with the API's other units

WIRE_PER_PERCENT = 100
MAX_BID = 100 * WIRE_PER_PERCENT  # a bid above 100 % of the price
STATUSES = {"ACTIVE": "active", "PAUSED": "paused"}
#: the boost report's states: still building, and done (its ``file`` then set)
REPORT_PENDING, REPORT_DONE, REPORT_FAILED = "PROCESSING", "DONE", "FAILED"


def percent_to_wire(percent: Decimal) -> int:
    """Percent of the price → YM's integer, hundredths of a percent (half up)."""
    if not percent.is_finite():
        raise ValueError(f"bid={percent} is not a number")
    return int((percent * WIRE_PER_PERCENT).to_integral_value(rounding=ROUND_HALF_UP))


def wire_to_percent(wire: int) -> Decimal:
    return (Decimal(wire) / WIRE_PER_PERCENT).quantize(CENT)


Rubles = Annotated[Decimal, BeforeValidator(money)]


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Boost(_Row):
    status: str
    dailyBudget: Rubles | None = None


class Campaign(_Row):
    id: StrictInt = Field(gt=0)
    domain: str = Field(min_length=1)
    boost: Boost


class Bid(_Row):
    sku: str = Field(min_length=1)
    name: str = Field(min_length=1)
    bid: StrictInt = Field(ge=0, le=MAX_BID)
    minBid: StrictInt | None = Field(default=None, ge=0)
    status: str


class ReportId(_Row):
    reportId: str = Field(min_length=1)


class ReportInfo(_Row):
    status: str
    file: str | None = None
    subStatus: str | None = None


class OfferStats(_Row):
    sku: str = Field(min_length=1)
    shows: StrictInt = Field(ge=0)
    clicks: StrictInt = Field(ge=0)
    orders: StrictInt = Field(ge=0)
    spending: Rubles
    revenue: Rubles
    averagePosition: Rubles | None = None  # a position, read to two places as money is


class CampaignReport(_Row):
    campaignId: StrictInt = Field(gt=0)
    shows: StrictInt = Field(ge=0)
    clicks: StrictInt = Field(ge=0)
    orders: StrictInt = Field(ge=0)
    spending: Rubles
    revenue: Rubles
    offers: list[Any] = Field(default_factory=list)
