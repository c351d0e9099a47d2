"""Raw Ozon FBO rows → the Logistic port's rows, validating every field.

A row that does not parse raises ``RowError`` naming the field and the value
(``available_stock_count=-3 is negative``); the client skips it into the page's ``skipped``
with the row as it came, and goes on. Wire units are converted here and only here: Ozon's
JSON doubles become ``Decimal`` to 2 places (through their shortest text, so 12.3 is 12.30,
not a binary tail), counts must be whole (a double like ``12.0`` is accepted: analytics
metrics are doubles), SKUs and cluster ids are positive integers (as numbers, or as the
decimal strings Ozon uses for int64 in requests and dimensions).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from adolf.application.logistic.ozon_fbo import ClusterRow, SalesRow, StockRow

from .parsing import RowError

_CENT = Decimal("0.01")
#: No count or amount on these endpoints comes near 10^15: a larger one is junk.
_MAX = 10**15


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _field(row: object, name: str) -> object:
    if not isinstance(row, Mapping):
        raise RowError(f"row={_short(row)} is not an object")
    if name not in row:
        raise RowError(f"field {name!r} is missing")
    return row[name]


def _identifier(value: object, name: str) -> int:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < _MAX:
        raise RowError(f"{name}={_short(value)} is not a positive integer id")
    return value


def _count(value: object, name: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RowError(f"{name}={_short(value)} is not a whole number")
    if value < 0:
        raise RowError(f"{name}={value} is negative")
    if value >= _MAX:
        raise RowError(f"{name}={value} is out of range")
    return value


def _decimal(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RowError(f"{name}={_short(value)} is not a number")
    if value < 0:
        raise RowError(f"{name}={value} is negative")
    if value >= _MAX:
        raise RowError(f"{name}={value} is out of range")
    return Decimal(repr(value) if isinstance(value, float) else value).quantize(_CENT, rounding=ROUND_HALF_UP)


def _optional_decimal(value: object, name: str) -> Decimal | None:
    return None if value is None else _decimal(value, name)


def _text(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RowError(f"{name}={_short(value)} is not a non-empty string")
    return value


def cluster(row: object) -> ClusterRow:
    return ClusterRow(id=_identifier(_field(row, "id"), "id"), name=_text(_field(row, "name"), "name"))


def stock(row: object) -> StockRow:
    grade = _field(row, "turnover_grade")
    return StockRow(
        sku=_identifier(_field(row, "sku"), "sku"),
        cluster_id=_identifier(_field(row, "cluster_id"), "cluster_id"),
        available=_count(_field(row, "available_stock_count"), "available_stock_count"),
        in_transit=_count(_field(row, "transit_stock_count"), "transit_stock_count"),
        requested=_count(_field(row, "requested_stock_count"), "requested_stock_count"),
        ads=_decimal(_field(row, "ads_cluster"), "ads_cluster"),
        idc=_optional_decimal(_field(row, "idc_cluster"), "idc_cluster"),
        turnover_grade=None if grade is None else _text(grade, "turnover_grade"),
    )


def sales(row: object, metrics: tuple[str, ...]) -> SalesRow:
    """A ``/v1/analytics/data`` row of dimensions (sku, day) and ``metrics`` in that order
    (``ordered_units`` and ``revenue`` both present)."""
    dimensions = _field(row, "dimensions")
    if not isinstance(dimensions, list) or len(dimensions) != 2:
        raise RowError(f"dimensions={_short(dimensions)} is not [sku, day]")
    sku = _identifier(_field(dimensions[0], "id"), "dimensions[0].id (sku)")
    day_id = _field(dimensions[1], "id")
    try:
        if not isinstance(day_id, str):
            raise ValueError
        day = date.fromisoformat(day_id)
    except ValueError:
        raise RowError(f"dimensions[1].id={_short(day_id)} is not a date") from None
    values = _field(row, "metrics")
    if not isinstance(values, list) or len(values) != len(metrics):
        raise RowError(f"metrics={_short(values)} is not {len(metrics)} numbers ({', '.join(metrics)})")
    by_name = dict(zip(metrics, values, strict=True))
    return SalesRow(
        sku=sku,
        day=day,
        ordered_units=_count(by_name["ordered_units"], "ordered_units"),
        revenue=_decimal(by_name["revenue"], "revenue"),
    )


__all__ = ["RowError", "cluster", "sales", "stock"]
