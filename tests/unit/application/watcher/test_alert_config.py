"""Watcher's alert thresholds and severities come from ADOLF_WATCHER_ALERTS."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adolf.application.watcher.alert_config import alert_rules_from_text
from adolf.domain.alerts.severity import Severity
from adolf.domain.watcher.alert_rules import AlertRules, InvalidAlertRules
from adolf.domain.watcher.alerts import AlertKind
from adolf.settings import Settings, SettingsError, load_settings


def test_without_configuration_the_documented_defaults_hold() -> None:
    assert alert_rules_from_text(None) == AlertRules()
    assert alert_rules_from_text("  ") == AlertRules()


def test_thresholds_and_severities_override_the_defaults_and_leave_the_rest() -> None:
    rules = alert_rules_from_text("dumping_margin_percent=12, sharp_drop_percent=25,price_drop=critical")
    assert rules.dumping_margin_percent == Decimal(12)
    assert rules.sharp_drop_percent == Decimal(25)
    assert rules.price_change_percent == AlertRules().price_change_percent
    assert rules.severity(AlertKind.PRICE_DROP) is Severity.CRITICAL
    assert rules.severity(AlertKind.DUMPING_DETECTED) is Severity.CRITICAL
    assert rules.severity(AlertKind.PRICE_RISE) is Severity.INFO


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("dumping_margin_percent=lots", "'lots' is not a number"),
        ("dumping_margin_percent=150", "dumping_margin_percent=Decimal('150')"),
        ("price_crash=critical", "'price_crash' is not one of"),
        ("price_drop=urgent", "'urgent'"),
        ("price_drop", "'price_drop' is not name=value"),
    ],
)
def test_a_bad_entry_is_refused_naming_it(text: str, named: str) -> None:
    with pytest.raises(Exception, match=named.replace("(", r"\(").replace(")", r"\)")) as caught:
        alert_rules_from_text(text)
    assert isinstance(caught.value, InvalidAlertRules) or "severity" in str(caught.value)


def test_the_setting_is_checked_when_the_settings_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOLF_WATCHER_ALERTS", "sharp_drop_percent=abc")
    with pytest.raises((SettingsError, ValueError), match="sharp_drop_percent"):
        load_settings()
    monkeypatch.setenv("ADOLF_WATCHER_ALERTS", "sharp_drop_percent=30")
    assert isinstance(load_settings(), Settings)
