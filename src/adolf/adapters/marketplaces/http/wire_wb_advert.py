"""WB advert API rows as pydantic models, and WB's units ↔ the port's rubles.

Units (issue 13, SPEC §6): product bids in kopecks (``bid_kopecks``, ``bids_kopecks``, the
minimum bids' ``value``); cluster bids in whole rubles per 1000 views; money in statistics
in rubles, sent as JSON numbers. The port speaks rubles as ``Decimal`` to the kopeck:
conversions happen here and nowhere else. A bid is rounded half up to the wire's unit
(a kopeck; a whole ruble for clusters).

The models are lenient about fields the client does not read (WB adds fields freely) and
strict about the ones it does: a count that is not a non-negative integer, money that is not
a non-negative number, an unknown id → the row is skipped with the field and value named.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt

from .wire_money import CENT, money
from .wire_money import wire_rubles as wire_rubles  # the fake's side, with the API's other units

KOPECKS_PER_RUBLE = 100
#: WB's campaign statuses the port knows: 9 running, 11 paused (4 ready, 7 finished and 8
#: refused campaigns are not listed)
STATUS_ACTIVE, STATUS_PAUSED = 9, 11
STATUSES = {STATUS_ACTIVE: "active", STATUS_PAUSED: "paused"}
SEARCH = "search"


def rubles_to_kopecks(rubles: Decimal) -> int:
    if not rubles.is_finite():
        raise ValueError(f"bid={rubles} is not a number")
    return int((rubles * KOPECKS_PER_RUBLE).to_integral_value(rounding=ROUND_HALF_UP))


def kopecks_to_rubles(kopecks: int) -> Decimal:
    return (Decimal(kopecks) / KOPECKS_PER_RUBLE).quantize(CENT)


def rubles_to_cluster_bid(rubles: Decimal) -> int:
    """Rubles per 1000 views → WB's cluster bid, whole rubles (half up)."""
    if not rubles.is_finite():
        raise ValueError(f"bid={rubles} is not a number")
    return int(rubles.to_integral_value(rounding=ROUND_HALF_UP))


def cluster_bid_to_rubles(whole: int) -> Decimal:
    return Decimal(whole).quantize(CENT)


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore")


#: WB money in a row: rubles, read by ``money``
Rubles = Annotated[Decimal, BeforeValidator(money)]


# -- campaigns ---------------------------------------------------------------------------


class AdvertListed(_Row):
    advertId: StrictInt = Field(gt=0)


class AdvertGroup(_Row):
    status: int
    advert_list: list[AdvertListed] = Field(default_factory=list)


class PromotionCount(_Row):
    adverts: list[AdvertGroup] | None = None


class AdvertSettings(_Row):
    name: str = Field(min_length=1)


class Advert(_Row):
    id: StrictInt = Field(gt=0)
    status: StrictInt
    settings: AdvertSettings
    daily_budget: Rubles | None = None
    nm_settings: list[Any] = Field(default_factory=list)


class Bids(_Row):
    search: StrictInt = Field(ge=0)


class NmSetting(_Row):
    nm_id: StrictInt = Field(gt=0)
    bids_kopecks: Bids
    norm_query: str = Field(min_length=1)
    paused: bool = False


class MinBid(_Row):
    type: str
    value: StrictInt = Field(ge=0)


class NmMinBids(_Row):
    nm_id: StrictInt = Field(gt=0)
    bids: list[MinBid]


# -- statistics --------------------------------------------------------------------------


class FullStats(_Row):
    advertId: StrictInt = Field(gt=0)
    views: StrictInt = Field(ge=0)
    clicks: StrictInt = Field(ge=0)
    orders: StrictInt = Field(ge=0)
    sum: Rubles
    sum_price: Rubles


class ClusterStats(_Row):
    norm_query: str = Field(min_length=1)
    views: StrictInt = Field(ge=0)
    clicks: StrictInt = Field(ge=0)
    orders: StrictInt = Field(ge=0)
    spend: Rubles
    sum_price: Rubles
    avg_pos: Rubles | None = None  # a position, read to two places as money is


class ProductClusters(_Row):
    advert_id: StrictInt = Field(gt=0)
    nm_id: StrictInt = Field(gt=0)
    stats: list[Any] | None = None
