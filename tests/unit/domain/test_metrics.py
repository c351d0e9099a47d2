"""CTR, CPC, CPO, DRR (SPEC §4.1 "Aggregates") and summing stats windows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given

from adolf.domain.marketing.metrics import InvalidStats, StatsTotals, cpc, cpo, ctr, drr

from .generators import PROPERTY, counts, money, stats_totals


def test_metrics_follow_the_spec_formulas() -> None:
    stats = StatsTotals(views=2000, clicks=50, orders=4, spent=Decimal("750.00"), revenue=Decimal("6000.00"))
    assert stats.ctr == Decimal("2.50")
    assert stats.cpc == Decimal("15.00")
    assert stats.cpo == Decimal("187.50")
    assert stats.drr == Decimal("12.50")


def test_every_metric_is_zero_when_its_denominator_is_zero() -> None:
    empty = StatsTotals(spent=Decimal("100"))
    assert (empty.ctr, empty.cpc, empty.cpo, empty.drr) == (Decimal("0.00"),) * 4
    assert all(str(value) == "0.00" for value in (empty.ctr, empty.cpc, empty.cpo, empty.drr))


def test_windows_add_up_and_ratios_come_from_the_sums() -> None:
    monday = StatsTotals(views=10, clicks=5, orders=1, spent=Decimal("50"), revenue=Decimal("100"))
    tuesday = StatsTotals(views=9990, clicks=5, orders=0, spent=Decimal("50"), revenue=Decimal("0"))
    week = monday + tuesday
    assert week == StatsTotals(views=10000, clicks=10, orders=1, spent=Decimal("100"), revenue=Decimal("100"))
    assert week.ctr == Decimal("0.10")  # not the average of 50 % and 0.05 %
    assert StatsTotals.total([monday, tuesday]) == week
    assert StatsTotals.total([]) == StatsTotals()


@pytest.mark.parametrize(
    ("field", "value"),
    [("views", -1), ("clicks", 1.0), ("orders", True), ("spent", Decimal("-0.01")), ("revenue", 10.5)],
)
def test_stats_refuse_negative_or_float_values_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(InvalidStats, match=f"{field}="):
        StatsTotals(**{field: value})  # type: ignore[arg-type]


@PROPERTY
@given(clicks=counts(), spent=money(), orders=counts(), revenue=money())
def test_metrics_return_zero_on_zero_denominators(clicks: int, spent: Decimal, orders: int, revenue: Decimal) -> None:
    assert ctr(clicks, 0) == 0
    assert cpc(spent, 0) == 0
    assert cpo(spent, 0) == 0
    assert drr(spent, Decimal(0)) == 0


@PROPERTY
@given(stats=stats_totals())
def test_metrics_always_have_two_decimal_places(stats: StatsTotals) -> None:
    for value in (stats.ctr, stats.cpc, stats.cpo, stats.drr):
        assert value.as_tuple().exponent == -2
        assert value >= 0


@PROPERTY
@given(a=stats_totals(), b=stats_totals(), c=stats_totals())
def test_adding_windows_is_commutative_and_associative(a: StatsTotals, b: StatsTotals, c: StatsTotals) -> None:
    assert a + b == b + a
    assert (a + b) + c == a + (b + c)
    assert a + StatsTotals() == a


@PROPERTY
@given(a=stats_totals(), b=stats_totals())
def test_the_drr_of_two_windows_lies_between_their_drrs(a: StatsTotals, b: StatsTotals) -> None:
    assume(a.revenue > 0 and b.revenue > 0)
    both = a + b
    # The mediant lies between the parts, give or take one rounding kopeck.
    low, high = min(a.drr, b.drr), max(a.drr, b.drr)
    assert low - Decimal("0.01") <= both.drr <= high + Decimal("0.01")
