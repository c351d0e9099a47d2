"""Price observations: what an agent may send, and the discount an old price implies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given

from adolf.domain.watcher.observations import InvalidObservation, PriceObservation, discount_from_old_price

from ..generators import PROPERTY
from .generators import PRICES, T0

D = Decimal


def observe(**changes: object) -> PriceObservation:
    values: dict[str, object] = {"competitor_product_id": 7, "price": D("100"), "in_stock": True, "observed_at": T0}
    values.update(changes)
    return PriceObservation(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", D(0)),
        ("price", D("-1")),
        ("price", 99.9),
        ("price", "NaN"),
        ("price", "12,50"),
        ("price", True),
        ("old_price", D(0)),
        ("discount_percent", D(100)),
        ("discount_percent", D("-0.01")),
        ("in_stock", "yes"),
        ("observed_at", datetime(2026, 1, 12, 21, 0)),
        ("observed_at", "2026-01-12"),
    ],
)
def test_a_malformed_value_is_refused_naming_its_field(field: str, value: object) -> None:
    with pytest.raises(InvalidObservation, match=field):
        observe(**{field: value})


def test_an_in_stock_listing_must_show_a_price_an_out_of_stock_one_need_not() -> None:
    with pytest.raises(InvalidObservation, match="price=None"):
        observe(price=None)
    assert observe(price=None, in_stock=False).price is None


def test_amounts_sent_as_strings_or_ints_become_decimals() -> None:
    seen = observe(price="1299.00", old_price=1500, discount_percent="13.4")
    assert (seen.price, seen.old_price, seen.discount_percent) == (D("1299.00"), D(1500), D("13.4"))


def test_the_discount_is_the_reported_one_else_the_one_the_old_price_implies() -> None:
    assert observe(price=D("750"), old_price=D("1000")).discount == D("25.00")
    assert observe(price=D("750"), old_price=D("1000"), discount_percent=D("30")).discount == D("30")
    assert observe(price=D("750"), old_price=D("700")).discount is None
    assert observe(price=D("750")).discount is None
    assert discount_from_old_price(D("3"), D("2")) == D("33.33")


@PROPERTY
@given(price=PRICES, old=PRICES)
def test_an_implied_discount_lies_in_0_to_100_and_only_below_the_old_price(price: Decimal, old: Decimal) -> None:
    discount = discount_from_old_price(old, price)
    if old <= price:
        assert discount is None
    else:
        assert discount is not None and D(0) <= discount <= D(100)
        assert abs(discount - (old - price) / old * 100) <= D("0.005")
