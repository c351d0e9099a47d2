"""SupplyPolicy: documented defaults, the orderings it guards, and ``from_mapping``'s parsing."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given

from adolf.domain.logistic.errors import InvalidLogistic
from adolf.domain.logistic.policy import SupplyPolicy, from_mapping

from ..generators import PROPERTY
from .generators import policies


def test_the_defaults_are_the_documented_ones() -> None:
    policy = SupplyPolicy()
    assert (policy.target_days, policy.urgent_days, policy.planned_days, policy.recommended_days) == (28, 7, 14, 28)
    assert (policy.urgent_stock_days, policy.low_stock_days) == (7, 14)
    assert (policy.anomaly_factor, policy.anomaly_min_change, policy.max_quantity) == (Decimal(3), 10, 1_000_000)
    assert policy.stale_after == timedelta(hours=26)  # seed 003 check_brain_freshness
    assert policy.task_max_age == timedelta(hours=48)  # seed 003 auto_cancel_expired


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"urgent_days": 14}, "urgent_days=14 must be < planned_days=14"),
        ({"planned_days": 30}, "planned_days=30 must be <= recommended_days=28"),
        ({"recommended_days": 30}, "recommended_days=30 must be <= target_days=28"),
        ({"urgent_stock_days": 14}, "urgent_stock_days=14 must be < low_stock_days=14"),
        ({"urgent_days": 0}, "urgent_days=0 must be an int >= 1"),
        ({"target_days": True}, "target_days=True"),
        ({"anomaly_factor": Decimal(1)}, "anomaly_factor=Decimal\\('1'\\) must be a finite Decimal > 1"),
        ({"anomaly_min_change": -1}, "anomaly_min_change=-1"),
        ({"max_quantity": 0}, "max_quantity=0"),
        ({"stale_after": timedelta(0)}, "stale_after=.* must be a timedelta > 0"),
        ({"task_max_age": 48}, "task_max_age=48 must be a timedelta > 0"),
    ],
)
def test_a_policy_refuses_broken_orderings_and_values(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidLogistic, match=message):
        SupplyPolicy(**changes)  # type: ignore[arg-type]


def test_planned_may_equal_recommended_and_recommended_may_equal_target() -> None:
    policy = SupplyPolicy(target_days=20, urgent_days=5, planned_days=20, recommended_days=20)
    assert policy.planned_days == policy.recommended_days == policy.target_days


def test_from_mapping_overrides_the_fields_it_names_and_keeps_the_rest() -> None:
    policy = SupplyPolicy.from_mapping(
        {
            "target_days": "35",
            "recommended_days": 30,
            "anomaly_factor": "2.5",
            "stale_after": "30h",
            "task_max_age": 72,
        }
    )
    assert (policy.target_days, policy.recommended_days, policy.urgent_days) == (35, 30, 7)
    assert policy.anomaly_factor == Decimal("2.5")
    assert (policy.stale_after, policy.task_max_age) == (timedelta(hours=30), timedelta(hours=72))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("26h", timedelta(hours=26)),
        ("26", timedelta(hours=26)),
        ("90m", timedelta(minutes=90)),
        ("2d", timedelta(days=2)),
        ("3600s", timedelta(hours=1)),
        ("1.5h", timedelta(minutes=90)),
        (timedelta(hours=5), timedelta(hours=5)),
    ],
)
def test_durations_read_as_hours_or_with_a_unit(text: object, expected: timedelta) -> None:
    assert from_mapping({"stale_after": text}).stale_after == expected


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"target_dayz": 28}, "target_dayz=28: unknown Logistic setting"),
        ({"urgent_days": "seven"}, "urgent_days='seven' must be a whole number"),
        ({"urgent_days": 7.5}, "urgent_days=7.5 must be a whole number"),
        ({"anomaly_factor": "three"}, "anomaly_factor='three' must be a number"),
        ({"anomaly_factor": True}, "anomaly_factor=True must be a number"),
        ({"stale_after": "yesterday"}, "stale_after='yesterday' must be a duration"),
        ({"stale_after": None}, "stale_after=None must be a duration"),
        ({"planned_days": 40}, "planned_days=40 must be <= recommended_days=28"),
    ],
)
def test_from_mapping_names_the_key_it_cannot_use(values: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidLogistic, match=message):
        SupplyPolicy.from_mapping(values)


def test_from_mapping_starts_from_a_given_base() -> None:
    base = SupplyPolicy(target_days=40, recommended_days=35)
    assert from_mapping({"urgent_days": 3}, base) == SupplyPolicy(target_days=40, recommended_days=35, urgent_days=3)


@PROPERTY
@given(policy=policies())
def test_from_mapping_of_every_field_gives_the_policy_back(policy: SupplyPolicy) -> None:
    values = asdict(policy)
    assert set(values) == {field.name for field in fields(SupplyPolicy)}
    assert SupplyPolicy.from_mapping(values) == policy
    as_text = {key: str(value) for key, value in values.items() if key not in ("stale_after", "task_max_age")}
    assert SupplyPolicy.from_mapping(as_text) == policy
