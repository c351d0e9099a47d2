"""Logistic's alerts as stored: the domain's kind and default severity, a message a person
reads, details as text, and the domain's dedupe key (``alerts.dedupe_key``).

Stock alerts (the domain's ``STOCK_PROBLEMS`` and ``STOCK_RECOVERED``) are stored *open*: the
domain's ``alert_changes`` keeps one open per article × cluster × kind and resolves them as the
stock changes (an open ``STOCK_RECOVERED`` is resolved when a new problem starts). The others
(``WAREHOUSE_LOW``, ``TASKS_GENERATED``, ``TASK_OVERDUE``, ``DATA_STALE``) are events, stored
closed: nothing resolves them, and the cleanup may delete them when they are old.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from adolf.application.logistic.ports import NewLogisticAlert
from adolf.domain.logistic.alerts import STOCK_PROBLEMS, StockAlertKind
from adolf.domain.logistic.articles import Article
from adolf.domain.logistic.stock import FboStock

#: Kinds stored open (the rest are events, stored closed).
OPEN_KINDS = STOCK_PROBLEMS | {StockAlertKind.STOCK_RECOVERED}

_WHAT = {
    StockAlertKind.OUT_OF_STOCK: "out of stock",
    StockAlertKind.URGENT_STOCK: "urgent: stock runs out within days",
    StockAlertKind.OZON_URGENT: "Ozon estimates stock runs out soon",
    StockAlertKind.LOW_STOCK: "low stock",
    StockAlertKind.STOCK_RECOVERED: "stock recovered",
}


def new_alert(
    kind: StockAlertKind,
    message: str,
    now: datetime,
    dedupe_key: str,
    *,
    brand: str | None = None,
    article_id: int | None = None,
    cluster_id: int | None = None,
    details: Mapping[str, str] | None = None,
) -> NewLogisticAlert:
    """An alert of ``kind`` with the domain's default severity, open if it is a stock alert."""
    return NewLogisticAlert(
        kind=kind,
        severity=kind.severity,
        message=message,
        created_at=now,
        dedupe_key=dedupe_key,
        brand=brand,
        article_id=article_id,
        cluster_id=cluster_id,
        details=dict(details or {}),
        open=kind in OPEN_KINDS,
    )


def stock_message(
    kind: StockAlertKind, article: Article | None, article_id: int, cluster_id: int, stock: FboStock | None
) -> tuple[str, dict[str, str]]:
    """The message and details of a stock alert on an article × cluster."""
    label = f"{article.code} {article.name}".strip() if article else f"article {article_id}"
    details = {"article_id": str(article_id), "cluster_id": str(cluster_id)}
    if article is not None:
        details["code"] = article.code
    if stock is not None:
        details.update(
            available=str(stock.available),
            in_transit=str(stock.in_transit),
            avg_daily_sales=str(stock.avg_daily_sales),
            days_of_cover="∞" if stock.cover is None else str(stock.cover),
        )
        if stock.days_left is not None:
            details["ozon_days_left"] = str(stock.days_left)
    return f"{label} in cluster {cluster_id}: {_WHAT.get(kind, kind.value)}", details
