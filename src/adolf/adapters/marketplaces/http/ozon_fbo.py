"""``OzonFboHttp``: Logistic's ``OzonFbo`` port over the Ozon Seller API (SPEC §6).

One object per seller account (brand): it calls through that brand's
``MarketplaceHttpClient`` of the Ozon Seller host (``MarketplaceClients.client(OZON_SELLER,
brand)``), which takes each call's quota from the shared limiter, retries transient failures
and maps refusals to the ports' errors.

- ``clusters`` — ``POST /v1/cluster/list {cluster_type: CLUSTER_TYPE_OZON}``.
- ``stocks`` — ``POST /v1/analytics/stocks {skus, cluster_ids}``, one call per 100 distinct
  SKUs (sent as Ozon's int64 strings); no call for no SKUs or an empty ``cluster_ids``.
- ``ordered_units`` — exactly one ``POST /v1/analytics/data`` call (metrics ``ordered_units``,
  ``revenue`` by ``sku``, ``day``; ``limit`` 1000 from ``offset``); ``next_offset`` when the
  page came back full. Ozon allows one call a minute: a second within it raises
  ``QuotaExceeded`` with ``retry_after`` — from the shared limiter when it knows of the first
  call (its wait is past ``max_wait``), else from Ozon's 429. The port's rule is that nothing
  sleeps a minute inside a job: build the client with a ``RetryPolicy.max_retry_after`` under 60 s
  so a 429's ``Retry-After`` raises at once instead of being slept through.

Every row is checked (``wire_ozon_seller``): a malformed one is skipped into the page's
``skipped`` with its reason (naming the field and the value) and the row as it came; the rest
of the page is kept. A page without its envelope raises ``FailedCall`` naming the endpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from adolf.adapters.marketplaces.ozon_analytics import analytics_request
from adolf.application.logistic.ozon_fbo import (
    ANALYTICS_LIMIT,
    CLUSTER_TYPE_OZON,
    STOCKS_BATCH,
    ClusterRow,
    SalesPage,
    SalesRow,
    SkippedRow,
    StockPage,
    StockRow,
)

from .client import MarketplaceHttpClient
from .validation import describe, rows_at
from .wire_ozon_seller import ClusterWire, SalesWire, StockWire, to_cluster, to_sales, to_stock

CLUSTERS = "ozon.clusters"
STOCKS = "ozon.stocks"
ANALYTICS = "ozon.analytics"

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def checked_rows(
    endpoint: str, rows: list[Any], model: type[M], convert: Callable[[M], T]
) -> tuple[list[T], list[SkippedRow]]:
    """Every row as ``convert(model)``; one that fails either step is skipped with its reason
    and the raw row (the Logistic port keeps both)."""
    parsed: list[T] = []
    skipped: list[SkippedRow] = []
    for index, row in enumerate(rows):
        try:
            parsed.append(convert(model.model_validate(row)))
        except ValidationError as error:
            skipped.append(SkippedRow(f"{endpoint}: row {index}: {describe(error)}", row))
        except ValueError as error:
            skipped.append(SkippedRow(f"{endpoint}: row {index}: {error}", row))
    return parsed, skipped


class OzonFboHttp:
    """One Ozon seller account's FBO stock and sales analytics over HTTP (module doc)."""

    def __init__(self, client: MarketplaceHttpClient) -> None:
        self.client = client

    def clusters(self) -> list[ClusterRow]:
        reply = self.client.request_json(CLUSTERS, "POST", "/v1/cluster/list", json={"cluster_type": CLUSTER_TYPE_OZON})
        rows, _skipped = checked_rows(CLUSTERS, rows_at(CLUSTERS, reply, ("clusters",)), ClusterWire, to_cluster)
        return rows  # the port lists clusters only: a broken one is left out

    def stocks(self, skus: Sequence[int], cluster_ids: Sequence[int] | None = None) -> StockPage:
        page = StockPage()
        if cluster_ids is not None and not cluster_ids:
            return page
        distinct = list(dict.fromkeys(skus))
        for start in range(0, len(distinct), STOCKS_BATCH):
            body: dict[str, object] = {"skus": [str(sku) for sku in distinct[start : start + STOCKS_BATCH]]}
            if cluster_ids is not None:
                body["cluster_ids"] = [str(c) for c in cluster_ids]
            reply = self.client.request_json(STOCKS, "POST", "/v1/analytics/stocks", json=body)
            rows: list[StockRow]
            rows, skipped = checked_rows(STOCKS, rows_at(STOCKS, reply, ("items",)), StockWire, to_stock)
            page.rows.extend(rows)
            page.skipped.extend(skipped)
        return page

    def ordered_units(self, date_from: date, date_to: date, *, offset: int = 0) -> SalesPage:
        if date_from > date_to:
            raise ValueError(f"date_from={date_from} is after date_to={date_to}")
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ValueError(f"offset={offset!r} must be a whole number >= 0")
        body = analytics_request(date_from, date_to, offset)
        reply = self.client.request_json(ANALYTICS, "POST", "/v1/analytics/data", json=body)
        data = rows_at(ANALYTICS, reply, ("result", "data"))
        rows: list[SalesRow]
        rows, skipped = checked_rows(ANALYTICS, data, SalesWire, to_sales)
        # Ozon gives no total: a full page may be followed by an empty one
        return SalesPage(rows, skipped, offset + len(data) if len(data) == ANALYTICS_LIMIT else None)


__all__ = ["ANALYTICS", "CLUSTERS", "STOCKS", "OzonFboHttp", "checked_rows"]
