"""The simulated Ozon FBO's answers as they go over the wire: JSON rows in Ozon's field names,
and the few it sends broken.

Wire shapes (Ozon Seller API):

* ``/v1/cluster/list`` → ``{"clusters": [{"id", "name", "type"}]}``;
* ``/v1/analytics/stocks`` → ``{"items": [{"sku", "offer_id", "name", "cluster_id",
  "cluster_name", "available_stock_count", "transit_stock_count", "requested_stock_count",
  "ads", "idc", "ads_cluster", "idc_cluster", "turnover_grade"}]}`` — ``ads``/``idc`` are the
  SKU's over all clusters, ``ads_cluster``/``idc_cluster`` the cluster's (what Logistic reads);
  numbers are JSON doubles to 2 places, ``idc`` null when nothing sold;
* ``/v1/analytics/data`` → ``{"result": {"data": [{"dimensions": [{"id": sku, "name"},
  {"id": "YYYY-MM-DD", "name": ""}], "metrics": [ordered_units, revenue]}], "totals"},
  "timestamp"}`` — metrics are doubles in the order asked.

**Turnover grade** (choice; Ozon does not publish its thresholds): no sales in 28 days →
``NO_SALES``; days left < 7 → ``DEFICIT``; < 28 → ``POPULAR``; < 60 → ``ACTUAL``; else
``SURPLUS``.

**Broken rows.** A real feed now and then carries a row a client must refuse. Here a share
``rate`` of rows (default 0.2 %) is broken, chosen by ``unit(seed, tag, sku, cluster, day)``,
so the same row is broken every time it is asked for that day: a stock row loses its
``sku``, gets a negative ``available_stock_count`` or a non-number ``ads_cluster``; a sales
row loses its SKU dimension, gets negative ``ordered_units`` or a non-number revenue.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .model import unit

MALFORMED_RATE = 0.002
_BROKEN, _HOW = 121, 122
_CENT = Decimal("0.01")


def turnover_grade(ads: Decimal, idc: Decimal | None) -> str:
    if not ads or idc is None:
        return "NO_SALES"
    if idc < 7:
        return "DEFICIT"
    if idc < 28:
        return "POPULAR"
    if idc < 60:
        return "ACTUAL"
    return "SURPLUS"


def average(units: int, days: int) -> Decimal:
    """Units per day, to 2 places (half up)."""
    return (Decimal(units) / days).quantize(_CENT, rounding=ROUND_HALF_UP)


def days_left(available: int, ads: Decimal) -> Decimal | None:
    """Days ``available`` lasts at ``ads`` a day, to 2 places; None when ``ads`` is 0."""
    if not ads:
        return None
    return (Decimal(available) / ads).quantize(_CENT, rounding=ROUND_HALF_UP)


def _double(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def cluster_item(cluster_id: int, name: str) -> dict[str, object]:
    return {"id": cluster_id, "name": name, "type": "CLUSTER_TYPE_OZON"}


def stock_item(
    *,
    sku: int,
    offer_id: str,
    name: str,
    cluster_id: int,
    cluster_name: str,
    available: int,
    in_transit: int,
    requested: int,
    ads_sku: Decimal,
    idc_sku: Decimal | None,
    ads_cluster: Decimal,
    idc_cluster: Decimal | None,
) -> dict[str, object]:
    return {
        "sku": sku,
        "offer_id": offer_id,
        "name": name,
        "cluster_id": cluster_id,
        "cluster_name": cluster_name,
        "available_stock_count": available,
        "transit_stock_count": in_transit,
        "requested_stock_count": requested,
        "ads": _double(ads_sku),
        "idc": _double(idc_sku),
        "ads_cluster": _double(ads_cluster),
        "idc_cluster": _double(idc_cluster),
        "turnover_grade": turnover_grade(ads_cluster, idc_cluster),
    }


def sales_item(sku: int, name: str, day: date, metrics: dict[str, Decimal]) -> dict[str, object]:
    return {
        "dimensions": [{"id": str(sku), "name": name}, {"id": day.isoformat(), "name": ""}],
        "metrics": [float(value) for value in metrics.values()],
    }


def is_broken(seed: int, rate: float, *parts: int) -> bool:
    return rate > 0 and unit(seed, _BROKEN, *parts) < rate


def break_stock(seed: int, row: dict[str, object], *parts: int) -> dict[str, object]:
    """The row with one field broken (which one is a pure function of ``parts``)."""
    broken = dict(row)
    how = int(unit(seed, _HOW, *parts) * 3)
    if how == 0:
        del broken["sku"]
    elif how == 1:
        broken["available_stock_count"] = -1 - int(unit(seed, _HOW, *parts, 1) * 50)
    else:
        broken["ads_cluster"] = "abc"
    return broken


def break_sales(seed: int, row: dict[str, object], *parts: int) -> dict[str, object]:
    broken = dict(row)
    how = int(unit(seed, _HOW, *parts) * 3)
    dimensions = list(row["dimensions"])  # type: ignore[call-overload]
    metrics = list(row["metrics"])  # type: ignore[call-overload]
    if how == 0:
        broken["dimensions"] = dimensions[1:]
    elif how == 1:
        metrics[0] = -1.0 - int(unit(seed, _HOW, *parts, 1) * 50)
        broken["metrics"] = metrics
    else:
        metrics[-1] = "abc"
        broken["metrics"] = metrics
    return broken


__all__ = [
    "MALFORMED_RATE",
    "average",
    "break_sales",
    "break_stock",
    "cluster_item",
    "days_left",
    "is_broken",
    "sales_item",
    "stock_item",
    "turnover_grade",
]
