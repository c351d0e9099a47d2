"""Trends over 14 days: least-squares slope, flat within 1 % of the mean per day."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.marketing.trends import TrendDirection, least_squares_slope, trend

from .generators import PROPERTY, money


def test_steadily_rising_spend_is_an_up_trend() -> None:
    result = trend([Decimal(100 + 10 * day) for day in range(14)])
    assert result.direction is TrendDirection.UP
    assert result.slope == Decimal(10)


def test_falling_orders_are_a_down_trend() -> None:
    assert trend(list(range(14, 0, -1))).direction is TrendDirection.DOWN


def test_noise_within_one_percent_a_day_is_flat() -> None:
    assert trend([Decimal(1000 + day) for day in range(14)]).direction is TrendDirection.FLAT


def test_only_the_last_fourteen_days_count() -> None:
    series = [Decimal(1000 - 50 * day) for day in range(10)] + [Decimal(100 + 20 * day) for day in range(14)]
    assert trend(series).direction is TrendDirection.UP
    assert trend(series).days == 14


def test_too_few_days_are_flat_and_say_so() -> None:
    result = trend([Decimal(1), Decimal(100)])
    assert result.direction is TrendDirection.FLAT
    assert not result.enough_data


def test_a_slope_away_from_zero_counts_even_without_a_mean_to_compare() -> None:
    assert trend([-1, 0, 1]).direction is TrendDirection.UP
    assert trend([0, 0, 0]).direction is TrendDirection.FLAT


def test_least_squares_slope_of_a_line_is_exact() -> None:
    assert least_squares_slope([Decimal("1.5"), Decimal("3.0"), Decimal("4.5")]) == Decimal("1.5")


@PROPERTY
@given(st.lists(money("0", "100000"), min_size=3, max_size=14))
def test_reversing_a_series_reverses_its_trend(series: list[Decimal]) -> None:
    forward, backward = trend(series), trend(series[::-1])
    flipped = {TrendDirection.UP: TrendDirection.DOWN, TrendDirection.DOWN: TrendDirection.UP}
    assert backward.direction == flipped.get(forward.direction, TrendDirection.FLAT)
    assert backward.slope == -forward.slope


@PROPERTY
@given(level=money("0", "100000"), days=st.integers(min_value=3, max_value=14))
def test_a_constant_series_is_flat(level: Decimal, days: int) -> None:
    assert trend([level] * days).direction is TrendDirection.FLAT
