"""``bind_payload``: JSON values become the handler's argument types; a wrong one is named."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.application.payload import InvalidPayload, bind_payload
from adolf.domain.marketplace import Marketplace


def handler(
    services: object,
    count: int,
    price: Decimal,
    day: date,
    at: datetime,
    mp: Marketplace,
    tags: list[str],
    pair: tuple[int, ...],
    flags: dict[str, Any],
    note: str | None = None,
    ratio: float = 1.0,
    on: bool = False,
) -> None:
    return None


VALID: dict[str, Any] = {
    "count": 3,
    "price": "10.50",
    "day": "2024-05-10",
    "at": "2024-05-10T09:07:00+00:00",
    "mp": "wb",
    "tags": ["a", "b"],
    "pair": [1, 2],
    "flags": {"x": 1},
}


def bind(**changes: Any) -> dict[str, Any]:
    return bind_payload(handler, {**VALID, **changes}, "test.task")


def test_json_values_are_converted_to_the_annotated_types() -> None:
    kwargs = bind(note=None, ratio=2, on=True)

    assert kwargs == {
        "count": 3,
        "price": Decimal("10.50"),
        "day": date(2024, 5, 10),
        "at": datetime(2024, 5, 10, 9, 7, tzinfo=UTC),
        "mp": Marketplace.WB,
        "tags": ["a", "b"],
        "pair": (1, 2),
        "flags": {"x": 1},
        "note": None,
        "ratio": 2.0,
        "on": True,
    }
    assert isinstance(kwargs["ratio"], float)


def test_decimals_accept_strings_ints_and_floats_exactly_as_written() -> None:
    assert bind(price=7)["price"] == Decimal(7)
    assert bind(price=0.1)["price"] == Decimal("0.1")


def test_defaults_apply_and_a_missing_payload_is_an_empty_object() -> None:
    def no_args(services: object, n: int = 5) -> None:
        return None

    assert bind_payload(no_args, None) == {} and bind_payload(no_args, {}) == {}
    assert "note" not in bind()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("count", "3", "count='3' is not a valid int"),
        ("count", True, "count=True is not a valid int"),
        ("count", 2.5, "count=2.5 is not a valid int"),
        ("price", "abc", "price='abc' is not a valid Decimal"),
        ("price", "NaN", "price='NaN' is not a valid Decimal"),
        ("price", float("inf"), "price=inf is not a valid Decimal"),
        ("price", False, "price=False is not a valid Decimal"),
        ("day", "10/05/2024", "day='10/05/2024' is not a valid date"),
        ("day", 20240510, "day=20240510 is not a valid date"),
        ("at", "yesterday", "at='yesterday' is not a valid datetime"),
        ("mp", "amazon", "mp='amazon' is not a valid one of 'wb', 'ozon', 'ym'"),
        ("tags", "a", "tags='a' must be a list"),
        ("tags", ["a", 1], "tags[1]=1 is not a valid str"),
        ("pair", [1, "2"], "pair[1]='2' is not a valid int"),
        ("flags", [], "flags=[] must be an object"),
        ("note", 5, "note=5 is not a valid str"),
        ("ratio", "1.5", "ratio='1.5' is not a valid float"),
        ("on", "yes", "on='yes' is not a valid bool"),
    ],
)
def test_a_wrong_value_is_refused_naming_the_task_field_and_value(field: str, value: Any, message: str) -> None:
    with pytest.raises(InvalidPayload) as refused:
        bind(**{field: value})

    assert str(refused.value) == f"test.task: {message}"


def test_unknown_and_missing_fields_and_non_objects_are_refused() -> None:
    with pytest.raises(InvalidPayload, match=r"test\.task: unknown field colour='red'; fields: \["):
        bind(colour="red")
    with pytest.raises(InvalidPayload, match=r"^test\.task: missing field count$"):
        bind_payload(handler, {k: v for k, v in VALID.items() if k != "count"}, "test.task")
    with pytest.raises(InvalidPayload, match=r"payload=\[1, 2\] must be a JSON object"):
        bind_payload(handler, [1, 2])


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_any_64_bit_json_integer_binds_to_itself(n: int) -> None:
    assert bind(count=n)["count"] == n


@given(st.integers(min_value=2**63) | st.integers(max_value=-(2**63) - 1))
def test_an_integer_beyond_64_bits_is_refused_naming_it(n: int) -> None:
    with pytest.raises(InvalidPayload, match=rf"^test\.task: count={n} must be between "):
        bind(count=n)


@given(st.decimals(min_value=-(10**15), max_value=10**15, places=6, allow_nan=False, allow_infinity=False))
def test_any_finite_decimal_within_the_defaults_sent_as_a_string_binds_exactly(value: Decimal) -> None:
    bound = bind(price=str(value))["price"]
    assert bound == value and str(bound) == str(value)
