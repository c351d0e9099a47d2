"""Thresholds and severities of Watcher's alert conditions (SPEC §4.2: "a configurable margin",
"severity per condition is configuration").

The seed names the conditions but its ``AlertEngine`` is not in it, so the defaults are this
project's, chosen for a seller who wants to hear of moves that matter, not of every kopeck:

- ``dumping_margin_percent`` 10 — a competitor priced more than 10 % under our price dumps;
- ``sharp_drop_percent`` 20 — a competitor cutting its own price by more than 20 % at once dumps;
- ``price_change_percent`` 5 — a drop or rise of more than 5 % since the previous observation
  is worth a ``price_drop`` / ``price_rise`` alert (0 means any change);
- severities: ``dumping_detected`` critical (the one that calls for action, and is handed to
  Marketing), ``price_drop`` warning, ``price_rise`` and ``out_of_stock`` info (chances for
  us rather than threats).

Every threshold is "more than" (strict) and lies in [0, 100).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import MappingProxyType

from adolf.domain.alerts.severity import Severity
from adolf.domain.errors import DomainError
from adolf.domain.money import HUNDRED
from adolf.domain.watcher.alerts import AlertKind

DEFAULT_SEVERITIES: Mapping[AlertKind, Severity] = MappingProxyType(
    {
        AlertKind.DUMPING_DETECTED: Severity.CRITICAL,
        AlertKind.PRICE_DROP: Severity.WARNING,
        AlertKind.PRICE_RISE: Severity.INFO,
        AlertKind.OUT_OF_STOCK: Severity.INFO,
    }
)


class InvalidAlertRules(DomainError):
    """A threshold is outside [0, 100), or a severity names an unknown kind or level."""


@dataclass(frozen=True, slots=True)
class AlertRules:
    """The thresholds in percent (each a strict "more than") and the severity of each alert kind;
    ``with_severities`` overrides some severities."""

    dumping_margin_percent: Decimal = Decimal("10")
    sharp_drop_percent: Decimal = Decimal("20")
    price_change_percent: Decimal = Decimal("5")
    severities: Mapping[AlertKind, Severity] = field(default_factory=lambda: DEFAULT_SEVERITIES)

    def __post_init__(self) -> None:
        for name in ("dumping_margin_percent", "sharp_drop_percent", "price_change_percent"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite() or not Decimal(0) <= value < HUNDRED:
                raise InvalidAlertRules(f"{name}={value!r} must be a Decimal in [0, 100)")
        parsed = _parse_severities(self.severities)
        missing = [kind.value for kind in AlertKind if kind not in parsed]
        if missing:
            raise InvalidAlertRules(f"severities lack {', '.join(missing)}")
        object.__setattr__(self, "severities", MappingProxyType(parsed))

    def severity(self, kind: AlertKind) -> Severity:
        return self.severities[kind]

    def with_severities(self, overrides: Mapping[str, str]) -> AlertRules:
        """These rules with some severities replaced (``{"price_drop": "critical"}``)."""
        return replace(self, severities={**self.severities, **_parse_severities(overrides)})


def _parse_severities(given: Mapping[str, str] | Mapping[AlertKind, Severity]) -> dict[AlertKind, Severity]:
    parsed: dict[AlertKind, Severity] = {}
    for name, level in given.items():
        try:
            kind = AlertKind(str(name).strip().lower())
        except ValueError:
            known = ", ".join(kind.value for kind in AlertKind)
            raise InvalidAlertRules(f"severities key {name!r} is not one of: {known}") from None
        parsed[kind] = Severity.parse(level)  # UnknownSeverity names the bad level
    return parsed
