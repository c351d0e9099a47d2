"""``marketing.check_api_health`` (every 5 min): ping each marketplace, keep its status."""

from __future__ import annotations

import time
from typing import Any

from adolf.application.marketing.ports import MarketingServices
from adolf.application.ports.ads_marketplace import MarketplaceError

SLOW_MS = 2000
STATUS_KEY = "marketing:api_status:{mp}"
ERRORS_KEY = "marketing:api_errors:{mp}"
STATUS_TTL = 900


def check_api_health(services: MarketingServices) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for marketplace in services.marketplaces:
        api = services.marketplace(marketplace)
        started = time.perf_counter()
        error = None
        try:
            api.ping()
        except MarketplaceError as exc:
            error = str(exc)
        elapsed_ms = round((time.perf_counter() - started) * 1000)
        status = "error" if error else ("slow" if elapsed_ms >= SLOW_MS else "ok")
        board = services.status_board
        values: dict[str, Any] = {
            "status": status,
            "latency_ms": elapsed_ms,
            "checked_at": services.clock.now().isoformat(),
        }
        if error:
            values["error"] = error[:200]
            values["errors"] = board.incr(ERRORS_KEY.format(mp=marketplace.value), ttl=86400)
        board.put(STATUS_KEY.format(mp=marketplace.value), values, ttl=STATUS_TTL)
        report[marketplace.value] = values
    return report
