"""Advertising aggregates: CTR, CPC, CPO, DRR.

Rule (SPEC §4.1 "Aggregates"; seed 001 §7.3 daily/monthly rows):
    CTR = clicks / views × 100      CPC = spent / clicks
    CPO = spent / orders            DRR = spent / revenue × 100
each 0 when its denominator is 0, rounded to 2 places (ROUND_HALF_UP).

``StatsTotals`` is one window of stats (a day, a keyword's bid window, a month); windows add up
with ``+`` so daily and monthly rows are sums of snapshots, and the ratios are computed from the
summed counts, never averaged (an average of daily CTRs weighs a 10-view day like a 10 000-view one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from adolf.domain.errors import DomainError
from adolf.domain.money import ratio, ratio_percent


class InvalidStats(DomainError):
    """A stats value is negative or of the wrong type."""


def ctr(clicks: int, views: int) -> Decimal:
    """Click-through rate, percent."""
    return ratio_percent(clicks, views)


def cpc(spent: Decimal, clicks: int) -> Decimal:
    """Cost per click, rubles."""
    return ratio(spent, clicks)


def cpo(spent: Decimal, orders: int) -> Decimal:
    """Cost per order, rubles."""
    return ratio(spent, orders)


def drr(spent: Decimal, revenue: Decimal) -> Decimal:
    """Advertising cost share of revenue (ДРР), percent."""
    return ratio_percent(spent, revenue)


@dataclass(frozen=True, slots=True)
class StatsTotals:
    """Counts and money of one stats window. All values are non-negative."""

    views: int = 0
    clicks: int = 0
    orders: int = 0
    spent: Decimal = Decimal("0")
    revenue: Decimal = Decimal("0")

    def __post_init__(self) -> None:
        for name in ("views", "clicks", "orders"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidStats(f"{name}={value!r} must be an int")
            if value < 0:
                raise InvalidStats(f"{name}={value} must be >= 0")
        for name in ("spent", "revenue"):
            value = getattr(self, name)
            # A float here means a converter upstream lost precision; refuse it loudly.
            if not isinstance(value, Decimal) or not value.is_finite():
                raise InvalidStats(f"{name}={value!r} must be a finite Decimal")
            if value < 0:
                raise InvalidStats(f"{name}={value} must be >= 0")

    @property
    def ctr(self) -> Decimal:
        return ctr(self.clicks, self.views)

    @property
    def cpc(self) -> Decimal:
        return cpc(self.spent, self.clicks)

    @property
    def cpo(self) -> Decimal:
        return cpo(self.spent, self.orders)

    @property
    def drr(self) -> Decimal:
        return drr(self.spent, self.revenue)

    def __add__(self, other: StatsTotals) -> StatsTotals:
        if not isinstance(other, StatsTotals):
            return NotImplemented
        # The sum of two valid windows is valid (non-negative ints, finite non-negative
        # Decimals): skip __post_init__, three quarters of building one — a bid cycle adds
        # windows for every keyword, half a million of them per cycle.
        total: StatsTotals = _new(StatsTotals)
        _set_views(total, self.views + other.views)
        _set_clicks(total, self.clicks + other.clicks)
        _set_orders(total, self.orders + other.orders)
        _set_spent(total, self.spent + other.spent)
        _set_revenue(total, self.revenue + other.revenue)
        return total

    @classmethod
    def total(cls, windows: Iterable[StatsTotals]) -> StatsTotals:
        """The sum of many windows; the empty sum is all zeros."""
        result = cls()
        for window in windows:
            result = result + window
        return result


_new = object.__new__
_set_views, _set_clicks, _set_orders, _set_spent, _set_revenue = (
    getattr(StatsTotals, name).__set__ for name in ("views", "clicks", "orders", "spent", "revenue")
)
