"""Money helpers: kopeck rounding half-up, ratios that are 0 on a zero denominator."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.money import InvalidMoney, ratio, ratio_percent, to_money

from .generators import PROPERTY, money


def _half_up(value: Fraction) -> Decimal:
    """Reference rounding to 0.01 on exact fractions, independent of the decimal module."""
    cents = value * 100
    sign = -1 if cents < 0 else 1
    whole = int(abs(cents) + Fraction(1, 2))
    return Decimal(sign * whole) / 100


def test_money_is_rounded_half_up_to_kopecks() -> None:
    assert to_money(Decimal("0.125")) == Decimal("0.13")
    assert to_money(Decimal("2.675")) == Decimal("2.68")
    assert str(to_money(5)) == "5.00"
    assert str(to_money("1.005")) == "1.01"


@pytest.mark.parametrize("bad", [1.5, True, None, "abc", "NaN", "Infinity"])
def test_money_refuses_floats_and_non_numbers_naming_the_value(bad: object) -> None:
    with pytest.raises(InvalidMoney, match="value="):
        to_money(bad)  # type: ignore[arg-type]


def test_ratio_percent_is_zero_when_the_denominator_is_zero() -> None:
    assert ratio_percent(Decimal("15"), 0) == Decimal("0.00")
    assert str(ratio_percent(Decimal("15"), 0)) == "0.00"
    assert ratio(Decimal("15"), Decimal("0.00")) == Decimal("0.00")


def test_ratio_percent_rounds_once() -> None:
    assert ratio_percent(1, 3) == Decimal("33.33")
    assert ratio_percent(2, 3) == Decimal("66.67")


@PROPERTY
@given(num=money("0", "10000000"), den=money("0", "10000000"))
def test_ratio_percent_matches_exact_fraction_arithmetic(num: Decimal, den: Decimal) -> None:
    result = ratio_percent(num, den)
    expected = Decimal("0.00") if den == 0 else _half_up(Fraction(num) * 100 / Fraction(den))
    assert result == expected
    assert result.as_tuple().exponent == -2


@PROPERTY
@given(value=st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False))
def test_to_money_always_has_two_places_and_moves_under_half_a_kopeck(value: Decimal) -> None:
    result = to_money(value)
    assert result.as_tuple().exponent == -2
    assert abs(result - value) <= Decimal("0.005")
