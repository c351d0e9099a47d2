"""Clocks: the wall clock, and a settable one for tests and simulated days."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to. Thread-safe, aware UTC."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError(f"start={start!r} must be timezone-aware")
        self._now = start.astimezone(UTC)
        self._guard = threading.Lock()

    def now(self) -> datetime:
        with self._guard:
            return self._now

    def set(self, value: datetime) -> None:
        with self._guard:
            if value < self._now:
                raise ValueError(f"clock cannot go back: {value.isoformat()} < {self._now.isoformat()}")
            self._now = value.astimezone(UTC)

    def advance(self, seconds: float) -> datetime:
        with self._guard:
            self._now += timedelta(seconds=seconds)
            return self._now
