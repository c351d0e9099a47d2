"""Bounds of a use case's payload fields, written in its signature.

``Annotated[int, Bounds(1, 3650)]`` says what ``bind_payload`` accepts for that field: an
inclusive range (a length range for a ``str``), and for a ``Decimal`` the most decimal places
it may have — a value with more is refused, never rounded. Fields without a ``Bounds`` still
get the defaults of ``adolf.application.payload`` (64-bit ids, plausible dates, finite numbers).

The aliases below are the bounds shared by several use cases; money follows the column it is
stored in (``Numeric(precision, scale)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)  # a plausible day for this business


@dataclass(frozen=True, slots=True)
class Bounds:
    """Inclusive ``low``..``high`` (either may be None: open); ``places``: most decimal places."""

    low: Any = None
    high: Any = None
    places: int | None = None


def numeric(precision: int, scale: int, low: Decimal | None = None) -> Bounds:
    """The bounds of a ``Numeric(precision, scale)`` column: at most ``scale`` places and
    ``precision - scale`` integer digits (12, 2 → 9 999 999 999.99)."""
    high = Decimal(10) ** (precision - scale) - Decimal(1).scaleb(-scale)
    return Bounds(-high if low is None else low, high, scale)


Id = Annotated[int, Bounds(1, INT64_MAX)]
Year = Annotated[int, Bounds(FIRST_DAY.year, LAST_DAY.year)]
Month = Annotated[int, Bounds(1, 12)]
Day = Annotated[date, Bounds(FIRST_DAY, LAST_DAY)]
KeepDays = Annotated[int, Bounds(1, 3650)]  # retention: a day to ten years
BidAmount = Annotated[Decimal, numeric(12, 2, low=Decimal("0.01"))]  # bids are Numeric(12, 2)
Key = Annotated[str, Bounds(1, 200)]  # idempotency keys are String(200)
Text = Annotated[str, Bounds(0, 2000)]
