"""Alert rules: thresholds in [0, 100), a severity for every kind, overrides by name."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adolf.domain.alerts.severity import Severity, UnknownSeverity
from adolf.domain.watcher.alert_rules import DEFAULT_SEVERITIES, AlertRules, InvalidAlertRules
from adolf.domain.watcher.alerts import AlertKind


def test_defaults_are_10_percent_margin_20_percent_sharp_drop_5_percent_change() -> None:
    rules = AlertRules()
    assert (rules.dumping_margin_percent, rules.sharp_drop_percent, rules.price_change_percent) == (
        Decimal(10),
        Decimal(20),
        Decimal(5),
    )
    assert rules.severity(AlertKind.DUMPING_DETECTED) is Severity.CRITICAL
    assert rules.severity(AlertKind.PRICE_DROP) is Severity.WARNING
    assert rules.severity(AlertKind.PRICE_RISE) is Severity.INFO
    assert rules.severity(AlertKind.OUT_OF_STOCK) is Severity.INFO
    assert set(DEFAULT_SEVERITIES) == set(AlertKind)


@pytest.mark.parametrize("field", ["dumping_margin_percent", "sharp_drop_percent", "price_change_percent"])
@pytest.mark.parametrize("value", [Decimal("-0.01"), Decimal(100), Decimal("NaN"), 10])
def test_a_threshold_outside_0_to_100_or_not_a_decimal_is_refused(field: str, value: object) -> None:
    with pytest.raises(InvalidAlertRules, match=field):
        AlertRules(**{field: value})  # type: ignore[arg-type]


def test_severities_override_by_name_and_keep_the_rest() -> None:
    rules = AlertRules().with_severities({"Price_Drop ": "HIGH"})  # the Logistic seed's alias of critical
    assert rules.severity(AlertKind.PRICE_DROP) is Severity.CRITICAL
    assert rules.severity(AlertKind.PRICE_RISE) is Severity.INFO


def test_an_unknown_kind_or_level_is_refused_naming_it() -> None:
    with pytest.raises(InvalidAlertRules, match="price_crash"):
        AlertRules().with_severities({"price_crash": "info"})
    with pytest.raises(UnknownSeverity, match="loud"):
        AlertRules().with_severities({"price_drop": "loud"})


def test_every_kind_needs_a_severity() -> None:
    with pytest.raises(InvalidAlertRules, match="out_of_stock"):
        AlertRules(severities={kind: Severity.INFO for kind in AlertKind if kind is not AlertKind.OUT_OF_STOCK})


def test_the_rules_cannot_be_changed_through_their_severities() -> None:
    rules = AlertRules()
    with pytest.raises(TypeError):
        rules.severities[AlertKind.PRICE_DROP] = Severity.INFO  # type: ignore[index]
