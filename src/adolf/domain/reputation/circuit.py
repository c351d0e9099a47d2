"""The circuit breaker's states and settings (SPEC §4.6): one breaker per (platform, item type).

    closed ──N consecutive failures──► open ──cool-down passed, one poll──► half_open
      ▲                                 ▲                                      │
      └────────────── success ──────────┼──────────────────────────────────────┘
                                        └────────────── failure ───────────────┘

Closed: polls go through; a success resets the failure count. Open: polls are refused
(``circuit_open``) without calling the marketplace until ``cool_down`` has passed since it
opened. Half-open: exactly one poll — across every worker — goes through as the probe; its
success closes the breaker, its failure opens it again for another ``cool_down``. Others asking
while the probe runs are refused as if open. A probe that never reports (its worker died) is
given up after ``probe_timeout`` and another may go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from adolf.domain.reputation.errors import InvalidReputation


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    failure_threshold: int = 5
    cool_down: timedelta = timedelta(minutes=15)
    probe_timeout: timedelta = timedelta(minutes=5)

    def __post_init__(self) -> None:
        if (
            isinstance(self.failure_threshold, bool)
            or not isinstance(self.failure_threshold, int)
            or self.failure_threshold < 1
        ):
            raise InvalidReputation(f"failure_threshold={self.failure_threshold!r} must be a whole number >= 1")
        for name in ("cool_down", "probe_timeout"):
            value = getattr(self, name)
            if not isinstance(value, timedelta) or value <= timedelta(0):
                raise InvalidReputation(f"{name}={value!r} must be a timedelta > 0")


def breaker_key(platform: str, item_type: str) -> str:
    """The breaker's name: ``{platform}:{item_type}`` (``wb:review``)."""
    return f"{platform}:{item_type}"
