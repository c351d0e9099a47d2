"""An alert as the modules raise it, before routing and delivery.

Rule (SPEC §3 ``send_alert``: "alert row + notifications (§4.5)"; seed 001 ``send_alert``
arguments: alert_type, severity, title/message, campaign). ``created_at`` is passed in (the
domain never reads the clock) and must carry a time zone, so rows written by workers in
different zones compare correctly. ``dedupe_key`` lets the caller send an alert once per key
(e.g. ``budget_warning`` once a day per campaign: ``"budget_warning:<campaign>:<date>"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from adolf.domain.alerts.severity import AlertModule, Severity
from adolf.domain.errors import DomainError


class InvalidAlert(DomainError):
    """An alert lacks a type, brand or message, or its time has no zone."""


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert as ``module`` raises it: its ``type`` (``budget_exceeded``), ``severity``, ``brand``
    and ``message`` at ``created_at``; a module or severity given as text is parsed."""

    module: AlertModule
    type: str  # e.g. "budget_exceeded", "CAP_BID", "dumping_detected"
    severity: Severity
    brand: str  # the brand it concerns, or "all"
    message: str
    created_at: datetime
    campaign_id: str | None = None
    dedupe_key: str | None = None

    def __post_init__(self) -> None:
        # Text read from a row or a task argument is accepted and stored as the enum member.
        object.__setattr__(self, "module", AlertModule.parse(self.module))
        object.__setattr__(self, "severity", Severity.parse(self.severity))
        for name in ("type", "brand", "message"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidAlert(f"{name}={value!r} must be a non-empty string")
        if not isinstance(self.created_at, datetime) or self.created_at.utcoffset() is None:
            raise InvalidAlert(f"created_at={self.created_at!r} must be a timezone-aware datetime")
