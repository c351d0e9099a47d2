"""Ozon Seller API rows as they come over the wire, and their conversion to the ports' types.

One pydantic model per row of each endpoint the Ozon Seller clients read (``ozon_fbo.py``,
``ozon_reviews.py``); ``to_*`` turns a checked row into the port's row, converting units here
and nowhere else:

- **FBO stock** (``/v1/analytics/stocks`` → ``items[]``): counts are whole units (>= 0); Ozon's
  ``ads_cluster`` / ``idc_cluster`` (the cluster's own figures, what Logistic reads; ``ads`` /
  ``idc`` are the SKU's over all clusters) are JSON doubles, read through their shortest text
  into ``Decimal`` to 2 places (12.3 → 12.30, never a binary tail); ``idc_cluster`` is null
  when nothing sold.
- **Sales** (``/v1/analytics/data`` → ``result.data[]``): ``dimensions`` [sku, day] and
  ``metrics`` in the order asked (``ordered_units``, ``revenue``) as doubles; units must be
  whole, revenue is rubles to 2 places.
- **Clusters** (``/v1/cluster/list`` → ``clusters[]``).
- **Reviews** (``/v2/review/list`` → ``reviews[]``: ``id``, ``sku``, ``text``, ``rating``,
  ``published_at``, ``status`` …) and **questions** (``/v1/question/list`` → ``questions[]``:
  ``id``, ``sku``, ``text``, ``author_name``, ``published_at``, ``status`` …) as the Seller API
  documents them; a review carries no author or product name there, so the item has none.

SKUs and ids are int64: Ozon writes them as numbers in replies and as decimal strings in some
requests and dimensions; both are read.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from adolf.application.logistic.ozon_fbo import ClusterRow, SalesRow, StockRow
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import Item, ItemType

CENT = Decimal("0.01")
#: no count or amount on these endpoints comes near 10^15: a larger one is junk
_MAX = 10**15


def _whole(value: object) -> object:
    # analytics metrics are doubles: 12.0 is 12 units, 12.5 is not a count
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _not_bool(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    return value


Id = Annotated[int, Field(gt=0, lt=_MAX)]
Count = Annotated[int, BeforeValidator(_whole), BeforeValidator(_not_bool), Field(ge=0, lt=_MAX)]
Amount = Annotated[float, BeforeValidator(_not_bool), Field(ge=0, lt=_MAX, allow_inf_nan=False)]


def rubles(value: float) -> Decimal:
    """A JSON double as ``Decimal`` to 2 places, through its shortest text."""
    if not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number")
    return Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def wire_double(value: Decimal) -> float:
    """A ``Decimal`` as the JSON double Ozon sends (the fake's side of ``rubles``)."""
    return float(value)


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


# -- FBO: clusters, stock, sales ----------------------------------------------------------------


class ClusterWire(_Row):
    id: Id
    name: str = Field(min_length=1)


def to_cluster(row: ClusterWire) -> ClusterRow:
    return ClusterRow(id=row.id, name=row.name)


class StockWire(_Row):
    sku: Id
    cluster_id: Id
    available_stock_count: Count
    transit_stock_count: Count
    requested_stock_count: Count
    ads_cluster: Amount
    idc_cluster: Amount | None
    turnover_grade: str | None = None


def to_stock(row: StockWire) -> StockRow:
    return StockRow(
        sku=row.sku,
        cluster_id=row.cluster_id,
        available=row.available_stock_count,
        in_transit=row.transit_stock_count,
        requested=row.requested_stock_count,
        ads=rubles(row.ads_cluster),
        idc=None if row.idc_cluster is None else rubles(row.idc_cluster),
        turnover_grade=row.turnover_grade or None,
    )


class DimensionWire(_Row):
    id: str = Field(min_length=1)
    name: str = ""


class SalesWire(_Row):
    dimensions: list[DimensionWire] = Field(min_length=2, max_length=2)
    metrics: list[Amount] = Field(min_length=2, max_length=2)


def to_sales(row: SalesWire) -> SalesRow:
    """A row of dimensions [sku, day] and metrics [ordered_units, revenue]."""
    sku_text, day_text = row.dimensions[0].id, row.dimensions[1].id
    if not (sku_text.isascii() and sku_text.isdigit()) or not 0 < int(sku_text) < _MAX:
        raise ValueError(f"dimensions[0].id={sku_text!r} is not a SKU")
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise ValueError(f"dimensions[1].id={day_text!r} is not a date YYYY-MM-DD") from None
    units, revenue = row.metrics
    if not float(units).is_integer():
        raise ValueError(f"ordered_units={units!r} is not a whole number")
    return SalesRow(sku=int(sku_text), day=day, ordered_units=int(units), revenue=rubles(float(revenue)))


# -- reviews and questions ----------------------------------------------------------------------


class ReviewWire(_Row):
    id: str = Field(min_length=1)
    sku: Id
    text: str = ""
    rating: int
    published_at: AwareDatetime
    status: str = ""


class QuestionWire(_Row):
    id: str = Field(min_length=1)
    sku: Id
    text: str
    author_name: str | None = None
    published_at: AwareDatetime
    status: str = ""


def to_review(row: ReviewWire, brand: str) -> Item:
    """Item's own checks (a rating 1 … 5) raise a ``ValueError``: the row is skipped, named."""
    return Item(
        id=0,
        platform=Marketplace.OZON,
        item_type=ItemType.REVIEW,
        external_id=row.id,
        brand=brand,
        product_id=str(row.sku),
        text=row.text,
        created_at=row.published_at,
        rating=row.rating,
    )


def to_question(row: QuestionWire, brand: str) -> Item:
    """A question must have text (``Item``): one without is skipped, named."""
    return Item(
        id=0,
        platform=Marketplace.OZON,
        item_type=ItemType.QUESTION,
        external_id=row.id,
        brand=brand,
        product_id=str(row.sku),
        text=row.text,
        created_at=row.published_at,
        author=row.author_name or "",
    )


__all__ = [
    "ClusterWire",
    "DimensionWire",
    "QuestionWire",
    "ReviewWire",
    "SalesWire",
    "StockWire",
    "rubles",
    "to_cluster",
    "to_question",
    "to_review",
    "to_sales",
    "to_stock",
    "wire_double",
]
