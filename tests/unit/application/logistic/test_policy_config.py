"""``ADOLF_LOGISTIC_POLICY``: SupplyPolicy fields over the defaults, checked at load."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from adolf.application.logistic.policy_config import policy_from_text
from adolf.domain.logistic.errors import InvalidLogistic
from adolf.domain.logistic.policy import SupplyPolicy
from adolf.settings import Settings


def test_nothing_set_is_the_documented_defaults() -> None:
    assert policy_from_text(None) == policy_from_text("  ") == SupplyPolicy()


def test_a_json_object_overrides_the_fields_it_names() -> None:
    policy = policy_from_text('{"target_days": 35, "urgent_days": 5, "stale_after": "30h", "anomaly_factor": 2.5}')

    assert (policy.target_days, policy.urgent_days, policy.planned_days) == (35, 5, 14)
    assert policy.stale_after == timedelta(hours=30) and policy.anomaly_factor == Decimal("2.5")


def test_a_name_value_list_works_too() -> None:
    assert policy_from_text("target_days=30, task_max_age=2d").task_max_age == timedelta(days=2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"target_day": 3}', "target_day=3: unknown Logistic setting"),
        ('{"urgent_days": 20}', "urgent_days=20 must be < planned_days=14"),
        ("{oops", "not valid JSON"),
        ("target_days", "entry 'target_days' is not name=value"),
    ],
)
def test_a_bad_entry_is_named(text: str, message: str) -> None:
    with pytest.raises(InvalidLogistic, match=message):
        policy_from_text(text)


def test_the_setting_is_checked_when_the_settings_load() -> None:
    assert Settings(logistic_policy='{"target_days": 30}').logistic_policy == '{"target_days": 30}'
    with pytest.raises(ValidationError, match="urgent_days=20"):
        Settings(logistic_policy="urgent_days=20")
