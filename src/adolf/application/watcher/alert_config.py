"""Watcher's alert conditions from configuration (SPEC §4.2: "a configurable margin",
"severity per condition is configuration"): ``ADOLF_WATCHER_ALERTS``.

One comma-separated list of ``name=value`` over the defaults (``AlertRules``): the thresholds
``dumping_margin_percent``, ``sharp_drop_percent``, ``price_change_percent`` take a percent,
an alert kind (``dumping_detected``, ``price_drop``, ``price_rise``, ``out_of_stock``) takes
a severity — e.g. ``dumping_margin_percent=12,sharp_drop_percent=25,price_drop=critical``.
A bad entry is an error naming it, raised when the settings load.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation

from adolf.domain.watcher.alert_rules import AlertRules, InvalidAlertRules

THRESHOLDS = ("dumping_margin_percent", "sharp_drop_percent", "price_change_percent")


def alert_rules_from_text(text: str | None) -> AlertRules:
    rules = AlertRules()
    if not text or not text.strip():
        return rules
    thresholds: dict[str, Decimal] = {}
    severities: dict[str, str] = {}
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        name, sep, value = (piece.strip() for piece in entry.partition("="))
        if not sep or not name or not value:
            raise InvalidAlertRules(f"watcher_alerts entry {entry!r} is not name=value")
        if name.lower() in THRESHOLDS:
            try:
                thresholds[name.lower()] = Decimal(value)
            except InvalidOperation:
                raise InvalidAlertRules(f"watcher_alerts entry {entry!r}: {value!r} is not a number") from None
        else:
            severities[name] = value
    rules = replace(rules, **thresholds) if thresholds else rules  # type: ignore[arg-type]
    return rules.with_severities(severities) if severities else rules
