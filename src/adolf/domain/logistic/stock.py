"""An Ozon FBO stock snapshot per article × cluster, and days of cover.

What Ozon reports (SPEC §6, ``POST /v1/analytics/stocks``): per SKU × cluster the units
``available`` to buyers, ``in_transit`` (a supply on its way into the cluster), ``requested``
(units in supply requests not yet shipped), ``ads`` — average daily sales, our
``avg_daily_sales`` (velocity) —, ``idc`` — Ozon's own estimate of the days the stock lasts,
our ``days_left`` — and ``turnover_grade``. ``observed_at`` is when it was read (tz-aware, so
snapshots from workers in different zones order correctly).

Rules: units are ints ≥ 0; velocity is a ``Decimal`` ≥ 0 (units per day, never a float);
``days_left`` is None when Ozon gives no estimate.

``days_of_cover(units, velocity)``: how many days ``units`` last at ``velocity``: ``units /
velocity`` to one decimal place, ROUND_HALF_UP; None when the velocity is 0 — an article that
does not sell has infinite cover (it never runs out, and no supply is proposed for it). One
place is enough for thresholds in whole days and keeps reports readable (choice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from adolf.domain.logistic.errors import InvalidLogistic

_ONE_PLACE = Decimal("0.1")
_ZERO = Decimal(0)


def units(field: str, value: object) -> int:
    """``value`` as a count of units: an int ≥ 0 (not a bool)."""
    if type(value) is not int or value < 0:
        raise InvalidLogistic(f"{field}={value!r} must be an int >= 0")
    return value


def velocity(field: str, value: object) -> Decimal:
    """``value`` as a sales velocity: a finite ``Decimal`` ≥ 0."""
    if not isinstance(value, Decimal) or not value.is_finite() or value < _ZERO:
        raise InvalidLogistic(f"{field}={value!r} must be a finite Decimal >= 0")
    return value


def aware(field: str, value: object) -> datetime:
    """``value`` as a timezone-aware datetime."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidLogistic(f"{field}={value!r} must be a timezone-aware datetime")
    return value


def days_of_cover(units: int, velocity: Decimal) -> Decimal | None:
    """Days ``units`` last at ``velocity`` units a day (1 place, half up); None when nothing sells."""
    if velocity == _ZERO:
        return None
    return (Decimal(units) / velocity).quantize(_ONE_PLACE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class FboStock:
    """One article × cluster as Ozon reports it: units available, in transit and requested, average
    daily sales, and Ozon's own days-left estimate."""

    article_id: int
    cluster_id: int
    available: int
    in_transit: int
    requested: int
    avg_daily_sales: Decimal
    observed_at: datetime
    days_left: Decimal | None = None  # Ozon's ``idc``
    turnover_grade: str | None = None  # Ozon's ``turnover_grade``, as given

    def __post_init__(self) -> None:
        # One expression for the usual valid row, with or without Ozon's ``idc`` (300 000
        # snapshots a morning); the named checks below only run to say which field is wrong.
        if (
            type(self.article_id) is int
            and self.article_id > 0
            and type(self.cluster_id) is int
            and self.cluster_id > 0
            and type(self.available) is int
            and self.available >= 0
            and type(self.in_transit) is int
            and self.in_transit >= 0
            and type(self.requested) is int
            and self.requested >= 0
            and self.avg_daily_sales.__class__ is Decimal
            and self.avg_daily_sales.is_finite()
            and self.avg_daily_sales >= _ZERO
            and self.observed_at.__class__ is datetime
            and self.observed_at.utcoffset() is not None
            and (
                self.days_left is None
                or (self.days_left.__class__ is Decimal and self.days_left.is_finite() and self.days_left >= _ZERO)
            )
        ):
            return
        for field in ("article_id", "cluster_id"):
            value = getattr(self, field)
            if type(value) is not int or value <= 0:
                raise InvalidLogistic(f"{field}={value!r} must be an int > 0")
        units("available", self.available)
        units("in_transit", self.in_transit)
        units("requested", self.requested)
        velocity("avg_daily_sales", self.avg_daily_sales)
        aware("observed_at", self.observed_at)
        if self.days_left is not None:
            velocity("days_left", self.days_left)

    @property
    def cover(self) -> Decimal | None:
        """Days the stock buyers can buy now lasts (``available`` only): what alerts watch."""
        return days_of_cover(self.available, self.avg_daily_sales)

    @property
    def cover_with_transit(self) -> Decimal | None:
        """Days ``available + in_transit`` lasts: what supply priorities watch (``deficit``)."""
        return days_of_cover(self.available + self.in_transit, self.avg_daily_sales)
