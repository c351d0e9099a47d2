"""Alert severities and the modules that raise alerts.

Rule (SPEC §4.5; seeds 000 and 001 use ``info`` / ``warning`` / ``critical``). Severities are
ranked (``Severity.rank``; ``worst(...)`` picks the most severe). Parsing is lenient about case and
accepts the Logistic seed's words (003: ``low`` / ``medium`` / ``high``) as aliases of
info / warning / critical, so one routing table serves every module.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from adolf.domain.errors import DomainError


class UnknownSeverity(DomainError):
    """Not one of info, warning, critical (or their aliases)."""


class UnknownModule(DomainError):
    """Not one of the modules that raise alerts."""


_SEVERITY_ALIASES = {"low": "info", "medium": "warning", "high": "critical"}
_RANK = {"info": 0, "warning": 1, "critical": 2}


class Severity(StrEnum):
    """How urgent an alert is, ranked info < warning < critical; ``parse`` also reads low / medium / high."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @classmethod
    def parse(cls, value: str) -> Severity:
        if isinstance(value, Severity):
            return value
        text = str(value).strip().lower()
        text = _SEVERITY_ALIASES.get(text, text)
        try:
            return cls(text)
        except ValueError:
            known = ", ".join(member.value for member in cls)
            raise UnknownSeverity(f"severity={value!r} is not one of: {known}") from None

    @property
    def rank(self) -> int:
        return _RANK[self.value]


def worst(severities: Iterable[Severity]) -> Severity | None:
    """The most severe of ``severities``; None for none."""
    return max(severities, key=lambda severity: severity.rank, default=None)


class AlertModule(StrEnum):
    """A module that raises alerts; its policy (``routing.POLICIES``) decides who receives them."""

    WATCHER = "watcher"
    MARKETING = "marketing"
    REPUTATION = "reputation"
    LOGISTIC = "logistic"

    @classmethod
    def parse(cls, value: str) -> AlertModule:
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            known = ", ".join(member.value for member in cls)
            raise UnknownModule(f"module={value!r} is not one of: {known}") from None
