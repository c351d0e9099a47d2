"""The fake's quota count: a sliding window of calls per (quota group, brand)."""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime

from adolf.adapters.marketplaces.http.quotas import Quota


class QuotaWindows:
    """The calls each (quota group, brand) made within its window, as the marketplace counts."""

    def __init__(self) -> None:
        self._calls: dict[tuple[str, str], deque[datetime]] = {}

    def take(self, quota: Quota, brand: str, now: datetime) -> int | None:
        """Count one call; None if within the quota, else the whole seconds to wait."""
        calls = self._calls.setdefault((quota.group, brand), deque())
        while calls and (now - calls[0]).total_seconds() >= quota.per:
            calls.popleft()
        if len(calls) >= quota.calls:
            return max(1, math.ceil(quota.per - (now - calls[0]).total_seconds()))
        calls.append(now)
        return None
