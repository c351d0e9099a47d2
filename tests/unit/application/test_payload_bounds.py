"""Payload bounds and strict JSON: a bad payload is refused before any queue, naming the
field and the value; whatever JSON arrives, the only error is ``InvalidPayload``."""

from __future__ import annotations

import json
import math
import typing
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adolf.adapters.clocks import ManualClock
from adolf.adapters.queues.inline import InlineTaskQueue
from adolf.application.bounds import INT64_MAX, Bounds, numeric
from adolf.application.catalogue import Catalogue, TaskSpec, UnknownTask
from adolf.application.payload import (
    MAX_DEPTH,
    InvalidPayload,
    bind_payload,
    handler_fields,
    parse_payload,
    validate_payload,
)
from adolf.application.runtime import TaskRunner
from adolf.application.tasks_catalogue import build_catalogue

CATALOGUE = build_catalogue()


def bounded(
    services: object,
    n: Annotated[int, Bounds(1, 10)] = 1,
    price: Annotated[Decimal, numeric(12, 2, low=Decimal("0.01"))] = Decimal(1),
    day: Annotated[date, Bounds(date(2020, 1, 1), date(2020, 12, 31))] = date(2020, 6, 1),
    code: Annotated[str, Bounds(1, 3)] = "a",
    maybe: Annotated[int, Bounds(0, 5)] | None = None,
) -> None:
    return None


def bind(**payload: Any) -> dict[str, Any]:
    return bind_payload(bounded, payload, "test.bounded")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("n", 0, "n=0 must be between 1 and 10"),
        ("n", 11, "n=11 must be between 1 and 10"),
        ("price", "0.001", "price='0.001' must be between 0.01 and 9999999999.99"),
        ("price", "1.001", "price='1.001' has more than 2 decimal places (refused, not rounded)"),
        ("price", 1.005, "price=1.005 has more than 2 decimal places (refused, not rounded)"),
        ("price", "10000000000", "price='10000000000' must be between 0.01 and 9999999999.99"),
        ("price", "1E+30", "price='1E+30' must be between 0.01 and 9999999999.99"),
        ("day", "2021-01-01", "day='2021-01-01' must be between 2020-01-01 and 2020-12-31"),
        ("code", "", "code='' must be 1 to 3 characters long"),
        ("code", "abcd", "code='abcd' must be 1 to 3 characters long"),
        ("maybe", 6, "maybe=6 must be between 0 and 5"),
    ],
)
def test_a_value_outside_its_bounds_is_refused_naming_field_and_value(field: str, value: Any, message: str) -> None:
    with pytest.raises(InvalidPayload) as refused:
        bind(**{field: value})

    assert str(refused.value) == f"test.bounded: {message}"


def test_values_at_the_bounds_are_accepted_and_trailing_zeros_are_not_places() -> None:
    assert bind(n=10, price="9999999999.99", day="2020-12-31", code="abc", maybe=None) == {
        "n": 10,
        "price": Decimal("9999999999.99"),
        "day": date(2020, 12, 31),
        "code": "abc",
        "maybe": None,
    }
    assert bind(price="1.500")["price"] == Decimal("1.5") and bind(price="0.01")["price"] == Decimal("0.01")


def test_numeric_bounds_follow_the_columns_precision_and_scale() -> None:
    assert numeric(12, 2) == Bounds(Decimal("-9999999999.99"), Decimal("9999999999.99"), 2)
    assert numeric(8, 2, low=Decimal(0)) == Bounds(Decimal(0), Decimal("999999.99"), 2)


def test_unannotated_fields_have_default_bounds() -> None:
    def plain(services: object, n: int = 0, day: date | None = None, at: datetime | None = None, x: float = 0) -> None:
        return None

    for payload, message in [
        ({"n": 2**63}, f"n={2**63} must be between {-(2**63)} and {INT64_MAX}"),
        ({"day": "9999-12-31"}, "day='9999-12-31' must be between 2000-01-01 and 2100-12-31"),
        ({"at": "1970-01-01T00:00:00+00:00"}, "at='1970-01-01T00:00:00+00:00' must be between 2000-01-01 and"),
        ({"x": math.inf}, "x=inf is not a valid float"),
        ({"x": 10**400}, "is not a valid float"),
    ]:
        with pytest.raises(InvalidPayload, match="^t: " + payload_key(payload)) as refused:
            bind_payload(plain, payload, "t")
        assert message in str(refused.value)


def payload_key(payload: dict[str, Any]) -> str:
    return next(iter(payload))


@pytest.mark.parametrize(
    ("task", "payload", "message"),
    [
        ("system.cleanup_runtime_records", {"keep_days": -5}, "keep_days=-5 must be between 1 and 3650"),
        ("system.cleanup_runtime_records", {"keep_days": 0}, "keep_days=0 must be between 1 and 3650"),
        ("system.cleanup_runtime_records", {"keep_days": 1e20}, "keep_days=1e+20 is not a valid int"),
        ("system.cleanup_runtime_records", {"keep_days": 10**20}, f"keep_days={10**20} must be between 1 and 3650"),
        ("marketing.aggregate_monthly_stats", {"year": 2026, "month": 13}, "month=13 must be between 1 and 12"),
        ("marketing.aggregate_monthly_stats", {"year": 1999, "month": 1}, "year=1999 must be between 2000 and 2100"),
        ("marketing.aggregate_daily_stats", {"day": "9999-12-31"}, "day='9999-12-31' must be between 2000-01-01"),
        ("marketing.generate_report", {"end": "1900-01-01"}, "end='1900-01-01' must be between 2000-01-01"),
        ("marketing.calculate_analytics", {"day": "2101-01-01"}, "day='2101-01-01' must be between 2000-01-01"),
        (
            "marketing.apply_bid_change",
            {"keyword_id": 1, "bid": "10.001", "idempotency_key": "k"},
            "bid='10.001' has more than 2 decimal places",
        ),
        (
            "marketing.apply_bid_change",
            {"keyword_id": 1, "bid": "0.001", "idempotency_key": "k"},
            "bid='0.001' must be between 0.01 and 9999999999.99",
        ),
        (
            "marketing.apply_bid_change",
            {"keyword_id": 2**63, "bid": "10", "idempotency_key": "k"},
            f"keyword_id={2**63} must be between 1 and {INT64_MAX}",
        ),
        (
            "marketing.apply_bid_change",
            {"keyword_id": 1, "bid": "10", "idempotency_key": "k" * 201},
            "must be 1 to 200 characters long",
        ),
    ],
)
def test_the_catalogues_tasks_refuse_out_of_range_inputs(task: str, payload: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidPayload, match=f"^{task}: ") as refused:
        validate_payload(CATALOGUE, task, payload)

    assert message in str(refused.value)


def test_validate_payload_returns_a_plain_copy_and_refuses_non_objects_and_non_json() -> None:
    given_payload = {"keep_days": 3}
    body = validate_payload(CATALOGUE, "system.cleanup_runtime_records", given_payload)
    assert body == given_payload and body is not given_payload
    assert validate_payload(CATALOGUE, "system.ping", None) == {}
    with pytest.raises(InvalidPayload, match=r"^system\.ping: payload=\[\] must be a JSON object$"):
        validate_payload(CATALOGUE, "system.ping", [])
    with pytest.raises(InvalidPayload, match=r"^system\.cleanup_runtime_records: payload must be JSON \("):
        validate_payload(CATALOGUE, "system.cleanup_runtime_records", {"keep_days": math.nan})
    with pytest.raises(InvalidPayload, match=r"^system\.cleanup_runtime_records: payload must be JSON \("):
        validate_payload(CATALOGUE, "system.cleanup_runtime_records", {"keep_days": datetime.now(UTC)})
    with pytest.raises(UnknownTask):
        validate_payload(CATALOGUE, "system.nope", {})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "payload=[] must be a JSON object"),
        ("3", "payload=3 must be a JSON object"),
        ("null", "payload=None must be a JSON object"),
        ('{"n": NaN}', "payload: NaN is not allowed; numbers must be finite"),
        ('{"n": Infinity}', "payload: Infinity is not allowed"),
        ('{"n": -Infinity}', "payload: -Infinity is not allowed"),
        ('{"n": 1e999999}', "payload: the number 1e999999 is out of range"),
        ('{"n": -1e400}', "payload: the number -1e400 is out of range"),
        ('{"n": 1', "payload is not JSON: "),
        ("[" * 100_000, f"payload is nested more than {MAX_DEPTH} levels deep"),
        ('{"n": ' + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "}", "payload is nested more than"),
        (b"\xff\xfe{", "payload is not JSON: "),
    ],
)
def test_payload_text_is_parsed_strictly(text: str | bytes, message: str) -> None:
    with pytest.raises(InvalidPayload) as refused:
        parse_payload(text)

    assert str(refused.value).startswith(message)


def test_exact_parsing_reads_fractions_as_decimals_and_still_refuses_what_is_not_finite() -> None:
    assert parse_payload('{"bid": 0.001, "n": 3}', exact=True) == {"bid": Decimal("0.001"), "n": 3}
    assert parse_payload('{"bid": 0.001}') == {"bid": 0.001}
    with pytest.raises(InvalidPayload, match="NaN is not allowed"):
        parse_payload('{"bid": NaN}', exact=True)
    with pytest.raises(InvalidPayload, match="out of range"):
        parse_payload('{"bid": 1e999999}', exact=True)


# --- properties -----------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and infinities included: a Python caller may pass them
    | st.text(max_size=30)
    | st.sampled_from(["2026-01-31", "9999-12-31", "2026-02-30", "wb", "0.001", "1e999999", "NaN", "-5"])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def field_payloads(task: str) -> st.SearchStrategy[dict[str, Any]]:
    _, _, names = handler_fields(CATALOGUE.get(task).handler)
    keys = st.sampled_from(sorted(names)) | st.text(max_size=8) if names else st.text(max_size=8)
    return st.dictionaries(keys, json_values, max_size=4)


TASKS = [spec.name for spec in CATALOGUE]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_json_value_is_accepted_or_refused_with_invalid_payload_only(data: st.DataObject) -> None:
    task = data.draw(st.sampled_from(TASKS))
    payload = data.draw(field_payloads(task) | json_values)
    try:
        body = validate_payload(CATALOGUE, task, payload)
    except InvalidPayload as refused:
        assert str(refused).startswith(f"{task}: ")
        return
    assert_within_bounds(task, body)


def assert_within_bounds(task: str, body: dict[str, Any]) -> None:
    """Every accepted field is within the bounds its annotation declares."""
    json.dumps(body, allow_nan=False)
    kwargs = bind_payload(CATALOGUE.get(task).handler, body, task)
    _, hints, _ = handler_fields(CATALOGUE.get(task).handler)
    for name, value in kwargs.items():
        for option in (hints[name], *typing.get_args(hints[name])):
            if typing.get_origin(option) is Annotated and value is not None:
                limits = typing.get_args(option)[1]
                assert limits.low is None or measure(value) >= limits.low, (task, name, value)
                assert limits.high is None or measure(value) <= limits.high, (task, name, value)
        if isinstance(value, int) and not isinstance(value, bool):
            assert -(2**63) <= value <= INT64_MAX
        if isinstance(value, float):
            assert math.isfinite(value)


def measure(value: Any) -> Any:
    return len(value) if isinstance(value, str) else value


@given(st.integers(min_value=1, max_value=3650))
def test_every_keep_days_in_range_is_accepted_as_given(days: int) -> None:
    assert validate_payload(CATALOGUE, "system.cleanup_runtime_records", {"keep_days": days}) == {"keep_days": days}


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2))
def test_every_bid_with_cents_in_range_is_accepted_unrounded(bid: Decimal) -> None:
    kwargs = bind_payload(
        CATALOGUE.get("marketing.apply_bid_change").handler, {"keyword_id": 1, "bid": str(bid), "idempotency_key": "k"}
    )
    assert kwargs["bid"] == bid


@given(
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1000"), places=3).filter(lambda d: d % Decimal("0.01"))
)
def test_a_bid_with_a_third_decimal_place_is_never_rounded_into_range(bid: Decimal) -> None:
    with pytest.raises(InvalidPayload, match=f"bid='{bid}' "):
        validate_payload(
            CATALOGUE, "marketing.apply_bid_change", {"keyword_id": 1, "bid": str(bid), "idempotency_key": "k"}
        )


@settings(max_examples=300)
@given(st.text(max_size=60) | json_values.map(lambda v: json.dumps(v)))
def test_any_text_parses_to_an_object_or_is_refused_with_invalid_payload(text: str) -> None:
    try:
        value = parse_payload(text)
    except InvalidPayload:
        return
    assert isinstance(value, dict)
    json.dumps(value, allow_nan=False)


# --- the queue refuses before it queues -----------------------------------------------------


def noop(services: object, n: Annotated[int, Bounds(1, 5)] = 1) -> int:
    return n


def test_the_inline_queue_refuses_a_bad_payload_and_queues_nothing() -> None:
    catalogue = Catalogue([TaskSpec("test.noop", noop, "q")])
    queue = InlineTaskQueue(
        TaskRunner(catalogue, lambda: None, "inline"),  # type: ignore[arg-type,return-value]
        ManualClock(datetime(2026, 1, 5, tzinfo=UTC)),
        eager=False,
    )

    for bad in ({"n": 6}, {"n": math.nan}, [], {"m": 1}):
        with pytest.raises(InvalidPayload, match=r"^test\.noop: "):
            queue.enqueue("test.noop", bad)  # type: ignore[arg-type]
    assert queue.pending() == 0

    queue.enqueue("test.noop", {"n": 5})
    assert queue.pending() == 1


# --- the schedulers ---------------------------------------------------------------------------


def test_every_scheduled_payload_of_the_catalogue_is_valid() -> None:
    for spec in CATALOGUE.scheduled():
        assert validate_payload(CATALOGUE, spec.name, spec.scheduled_payload) == dict(spec.scheduled_payload)


def test_celery_beat_refuses_a_bad_scheduled_payload_when_its_schedule_is_built() -> None:
    from celery import Celery

    from adolf.adapters.queues.celery_beat import beat_schedule
    from adolf.application.catalogue import Schedule

    good = Catalogue([TaskSpec("test.noop", noop, "q", Schedule("0 * * * *"), scheduled_payload={"n": 5})])
    bad = Catalogue([TaskSpec("test.noop", noop, "q", Schedule("0 * * * *"), scheduled_payload={"n": 6})])
    app = Celery("test", set_as_current=False)

    assert beat_schedule(good, app, lambda p: p)["test.noop"]["kwargs"] == {"n": 5}
    with pytest.raises(InvalidPayload, match=r"^test\.noop: n=6 must be between 1 and 5$"):
        beat_schedule(bad, app, lambda p: p)
