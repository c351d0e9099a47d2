"""Severity of each Marketing alert type: defaults here, overridden by configuration
(``ADOLF_ALERT_SEVERITIES="cap_bid=critical,low_ctr=warning"``).

The defaults follow seed 001 where it names one (``budget_exceeded`` warning,
``budget_warning`` info) and SPEC §4.1 for ``CAP_BID`` (warning); the rest are this
project's. A type not listed is ``info``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from adolf.domain.alerts.severity import Severity, UnknownSeverity
from adolf.domain.errors import DomainError

DEFAULT_SEVERITIES: Mapping[str, Severity] = MappingProxyType(
    {
        "budget_exceeded": Severity.WARNING,
        "budget_warning": Severity.INFO,
        "drr_above_max": Severity.WARNING,
        "keywords_paused": Severity.WARNING,
        "low_ctr": Severity.INFO,
        "cap_bid": Severity.WARNING,
    }
)


class InvalidSeverities(DomainError):
    """``ADOLF_ALERT_SEVERITIES`` has an entry that is not ``type=severity``."""


def parse_severities(text: str) -> dict[str, Severity]:
    """``"cap_bid=critical, low_ctr=warning"`` → {type: Severity}; a bad entry is an error
    naming it."""
    found: dict[str, Severity] = {}
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        name, sep, value = entry.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InvalidSeverities(f"alert_severities entry {entry!r} is not type=severity")
        try:
            found[name] = Severity.parse(value.strip())
        except UnknownSeverity as exc:
            raise InvalidSeverities(f"alert_severities entry {entry!r}: {exc}") from None
    return found


@dataclass(frozen=True, slots=True)
class AlertSeverities:
    overrides: Mapping[str, Severity] = field(default_factory=dict)

    @classmethod
    def from_text(cls, text: str | None) -> AlertSeverities:
        return cls(parse_severities(text) if text else {})

    def of(self, alert_type: str) -> str:
        found = self.overrides.get(alert_type) or DEFAULT_SEVERITIES.get(alert_type) or Severity.INFO
        return found.value
