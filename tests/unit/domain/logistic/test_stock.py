"""FBO snapshots: what is refused and why; days of cover (1 place, half up)."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.domain.errors import DomainError
from adolf.domain.logistic.errors import InvalidLogistic
from adolf.domain.logistic.stock import FboStock, days_of_cover

from ..generators import PROPERTY
from .generators import POSITIVE_VELOCITIES, T0, UNITS


def stock(**changes: object) -> FboStock:
    fields: dict[str, object] = {
        "article_id": 1,
        "cluster_id": 2,
        "available": 10,
        "in_transit": 5,
        "requested": 0,
        "avg_daily_sales": Decimal("2.5"),
        "observed_at": T0,
    }
    fields.update(changes)
    return FboStock(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"article_id": 0}, "article_id=0"),
        ({"cluster_id": -1}, "cluster_id=-1"),
        ({"available": -1}, "available=-1"),
        ({"in_transit": 1.5}, "in_transit=1.5"),
        ({"requested": "3"}, "requested='3'"),
        ({"available": True}, "available=True"),
        ({"avg_daily_sales": Decimal("-0.01")}, "avg_daily_sales=Decimal\\('-0.01'\\)"),
        ({"avg_daily_sales": Decimal("NaN")}, "avg_daily_sales=Decimal\\('NaN'\\)"),
        ({"avg_daily_sales": 2}, "avg_daily_sales=2"),
        ({"observed_at": datetime(2026, 2, 2, 4, 0)}, "observed_at=.*timezone-aware"),
        ({"days_left": Decimal(-1)}, "days_left=Decimal\\('-1'\\)"),
        ({"days_left": Decimal("NaN")}, "days_left=Decimal\\('NaN'\\)"),
        ({"days_left": 2.5}, "days_left=2.5"),
        # with Ozon's idc given (the fast path's other branch) the other fields are still checked
        ({"days_left": Decimal("3.5"), "available": -1}, "available=-1"),
        ({"days_left": Decimal("3.5"), "avg_daily_sales": Decimal("-0.01")}, "avg_daily_sales=Decimal"),
        ({"days_left": Decimal("3.5"), "observed_at": datetime(2026, 2, 2, 4, 0)}, "observed_at=.*timezone-aware"),
    ],
)
def test_a_snapshot_refuses_negative_or_fractional_units_bad_velocity_and_naive_times(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidLogistic, match=message) as caught:
        stock(**changes)
    assert isinstance(caught.value, DomainError)


def test_a_snapshot_keeps_ozons_days_left_and_grade() -> None:
    snapshot = stock(days_left=Decimal("3.5"), turnover_grade="DEFICIT")
    assert (snapshot.days_left, snapshot.turnover_grade) == (Decimal("3.5"), "DEFICIT")


def test_cover_counts_available_and_cover_with_transit_adds_the_supply_on_its_way() -> None:
    snapshot = stock(available=10, in_transit=5, avg_daily_sales=Decimal("2.5"))
    assert snapshot.cover == Decimal("4.0")
    assert snapshot.cover_with_transit == Decimal("6.0")
    assert stock(avg_daily_sales=Decimal(0)).cover is None


@pytest.mark.parametrize(
    ("units", "velocity", "expected"),
    [
        (10, "3", "3.3"),
        (10, "4", "2.5"),
        (1, "4", "0.3"),  # 0.25: half up, not half even
        (3, "20", "0.2"),  # 0.15
        (1, "8", "0.1"),  # 0.125
        (0, "5", "0.0"),
        (56, "2", "28.0"),
    ],
)
def test_days_of_cover_examples(units: int, velocity: str, expected: str) -> None:
    cover = days_of_cover(units, Decimal(velocity))
    assert cover == Decimal(expected)
    assert str(cover) == expected  # one place, always


def test_no_sales_is_infinite_cover() -> None:
    assert days_of_cover(0, Decimal(0)) is None
    assert days_of_cover(500, Decimal("0.00")) is None


@PROPERTY
@given(units=UNITS, velocity=POSITIVE_VELOCITIES)
def test_days_of_cover_is_the_exact_quotient_rounded_half_up_to_a_tenth(units: int, velocity: Decimal) -> None:
    exact = Fraction(units) / Fraction(velocity)
    tenths = exact * 10
    rounded_tenths = int(tenths) + (1 if tenths - int(tenths) >= Fraction(1, 2) else 0)
    cover = days_of_cover(units, velocity)
    assert cover == Decimal(rounded_tenths) / 10
    assert abs(Fraction(cover) - exact) <= Fraction(1, 20)


@PROPERTY
@given(units=UNITS, more=st.integers(min_value=0, max_value=1_000), velocity=POSITIVE_VELOCITIES)
def test_more_units_never_mean_less_cover(units: int, more: int, velocity: Decimal) -> None:
    low, high = days_of_cover(units, velocity), days_of_cover(units + more, velocity)
    assert low is not None and high is not None and low <= high
    assert low == low.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
