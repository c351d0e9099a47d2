"""The body of Ozon Seller's ``POST /v1/analytics/data`` as Logistic asks it: ordered units
and revenue per SKU and day, one page of ``ANALYTICS_LIMIT`` rows from ``offset``.

One definition for the live client (``http/ozon_fbo.py``), which sends it, and the simulated
Ozon (``simulated/ozon_fbo.py``), which takes the same body and refuses any other, so the two
cannot drift apart.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from adolf.application.logistic.ozon_fbo import ANALYTICS_LIMIT

METRICS = ("ordered_units", "revenue")
DIMENSION = ("sku", "day")


def analytics_request(date_from: date, date_to: date, offset: int) -> dict[str, Any]:
    return {
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "metrics": list(METRICS),
        "dimension": list(DIMENSION),
        "filters": [],
        "limit": ANALYTICS_LIMIT,
        "offset": offset,
    }
