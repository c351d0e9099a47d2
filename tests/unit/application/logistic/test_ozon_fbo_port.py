"""The Ozon FBO port's helpers: ``velocity`` (the seed's average daily sales over 28 days) and
the quota error's ``retry_after``."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.application.logistic.ozon_fbo import VELOCITY_DAYS, QuotaExceeded, SalesRow, velocity
from adolf.application.ports.ads_marketplace import MarketplaceError
from tests.unit.domain.generators import PROPERTY

DAY = date(2026, 1, 12)
CENT = Decimal("0.01")

sales_rows = st.builds(
    SalesRow,
    sku=st.integers(1, 6),
    day=st.integers(0, 27).map(lambda n: DAY - timedelta(days=n)),
    ordered_units=st.integers(0, 100_000),
    revenue=st.decimals(min_value=0, max_value=10**9, places=2),
)


@PROPERTY
@given(st.lists(sales_rows, max_size=60), st.integers(1, 90))
def test_velocity_is_the_units_of_the_window_over_its_days(rows: list[SalesRow], days: int) -> None:
    speeds = velocity(rows, days)
    assert set(speeds) == {r.sku for r in rows}
    for sku, speed in speeds.items():
        units = sum(r.ordered_units for r in rows if r.sku == sku)
        assert speed == speed.quantize(CENT) and speed >= 0
        assert abs(speed * days - units) <= CENT / 2 * days  # rounded to the cent, no further
        assert speed == (Decimal(units) / days).quantize(CENT, rounding=ROUND_HALF_UP)


@PROPERTY
@given(st.lists(sales_rows, max_size=60), st.randoms(use_true_random=False))
def test_velocity_ignores_the_order_of_the_rows_and_how_a_day_is_split(
    rows: list[SalesRow], rnd: random.Random
) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    split = []
    for row in shuffled:  # the same units in two rows of the same day count the same
        half = row.ordered_units // 2
        split += [
            SalesRow(row.sku, row.day, half, row.revenue),
            SalesRow(row.sku, row.day, row.ordered_units - half, Decimal(0)),
        ]
    assert velocity(shuffled) == velocity(rows) == velocity(split)


def test_velocity_examples() -> None:
    rows = [SalesRow(7, DAY - timedelta(days=n), 3, Decimal("900")) for n in range(10)]  # 30 units
    rows.append(SalesRow(8, DAY, 0, Decimal(0)))
    assert velocity(rows) == {7: Decimal("1.07"), 8: Decimal("0.00")}  # 30 / 28 = 1.0714…
    assert velocity(rows, 10) == {7: Decimal("3.00"), 8: Decimal("0.00")}
    assert velocity([SalesRow(1, DAY, 1, Decimal(0))], 8) == {1: Decimal("0.13")}  # 0.125 rounds half up
    assert velocity([]) == {}
    assert VELOCITY_DAYS == 28


@pytest.mark.parametrize("days", [0, -3, True, 2.5])
def test_velocity_refuses_a_window_that_is_not_a_whole_number_of_days(days: object) -> None:
    with pytest.raises(ValueError, match=f"days={days!r}"):
        velocity([], days)  # type: ignore[arg-type]


def test_velocity_refuses_negative_units_naming_the_row() -> None:
    with pytest.raises(ValueError, match="ordered_units=-1 of sku 5"):
        velocity([SalesRow(5, DAY, -1, Decimal(0))])


def test_a_quota_error_is_a_retryable_marketplace_error_carrying_retry_after() -> None:
    error = QuotaExceeded("429", retry_after=42.5)
    assert isinstance(error, MarketplaceError) and error.retry_after == 42.5
    with pytest.raises(ValueError, match="retry_after=-1"):
        QuotaExceeded("429", retry_after=-1)
