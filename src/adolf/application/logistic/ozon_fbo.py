"""Port: Ozon's FBO stock per cluster and its sales analytics, as the Logistic use cases need them.

The endpoints behind it (Ozon Seller API, headers ``Client-Id`` / ``Api-Key``; SPEC §6):

* ``clusters`` — ``POST /v1/cluster/list {cluster_type: CLUSTER_TYPE_OZON}``. The seed's
  ``/v1/warehouse/list`` (seed 003, ``sync_ozon_warehouses``) lists FBS warehouses only.
* ``stocks`` — ``POST /v1/analytics/stocks {skus, cluster_ids}``, at most ``STOCKS_BATCH`` = 100
  SKUs a call: per SKU × cluster the units available, in transit and requested, Ozon's average
  daily sales (``ads``) and days of stock left (``idc``), and its turnover grade. It replaces the
  seed's ``/v1/analytics/stock_on_warehouses`` (``sync_ozon_stocks``).
* ``ordered_units`` — ``POST /v1/analytics/data`` with metrics ``ordered_units`` and ``revenue``
  by dimension ``sku``, ``day``: at most ``ANALYTICS_LIMIT`` = 1000 rows a call, and **one call
  per minute** per seller account. The seed reads 28 days of it for the sales velocity
  (``sync_ozon_analytics``).

Rules every adapter keeps:

* **Batches.** ``stocks`` takes any number of SKUs and makes one call per 100 (duplicates sent
  once); an empty list makes no call.
* **Malformed rows** (a field missing, negative, not a number) are skipped and counted in the
  page's ``skipped`` with the reason and the raw row; the rest of the page goes on. A failing
  *call* raises ``MarketplaceError`` (retryable) or ``MarketplaceRejected`` (a refused request,
  e.g. more than 100 SKUs to the raw endpoint — never retried), the Marketing port's types.
* **The analytics quota, without sleeping** (choice). One call a minute cannot be waited out
  inside a job (Logistic's hard limit is 300 s, and a simulated clock does not move while a
  job runs). So ``ordered_units`` makes exactly **one** call — one page of up to 1000 rows from
  ``offset`` — and returns ``next_offset`` when more rows remain; a call inside the minute
  raises ``QuotaExceeded`` carrying ``retry_after`` seconds (a ``MarketplaceError``: the task's
  retry policy, or the caller, comes back then). Rows are ordered by day, then SKU, over
  complete days only, so an offset stays valid between calls. A use case keeps a call small by
  asking only for the days it lacks: one day of up to 1000 SKUs is one page.
* **Units.** Counts are whole units; money is rubles as ``Decimal`` to 2 places; ``ads`` and
  ``idc`` are ``Decimal`` to 2 places. Adapters convert at the wire, nowhere else.

``velocity`` (below) is the seed's average daily sales: ordered units over the window divided
by its days (a day without a row sold nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from adolf.application.ports.ads_marketplace import MarketplaceError

#: SKUs per ``/v1/analytics/stocks`` call (the endpoint's limit)
STOCKS_BATCH = 100
#: rows per ``/v1/analytics/data`` call (the endpoint's limit)
ANALYTICS_LIMIT = 1000
#: seconds between two ``/v1/analytics/data`` calls (1 call per minute)
ANALYTICS_INTERVAL = 60
#: the seed's velocity window: ordered units over the last 28 days
VELOCITY_DAYS = 28
#: the only cluster type Logistic reads (Ozon's own FBO clusters)
CLUSTER_TYPE_OZON = "CLUSTER_TYPE_OZON"

CENT = Decimal("0.01")


class QuotaExceeded(MarketplaceError):
    """The marketplace refused a call over its rate limit (HTTP 429). Retryable: come back
    after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        if not retry_after >= 0:
            raise ValueError(f"retry_after={retry_after!r} must be a number of seconds >= 0")
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class ClusterRow:
    """An Ozon FBO cluster (a region of fulfilment warehouses)."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class StockRow:
    """FBO stock of one SKU in one cluster, as Ozon reports it now.

    ``ads`` is Ozon's average daily sales of the SKU in the cluster; ``idc`` the days the
    available stock lasts at that pace (None when nothing sold: no pace to divide by).
    """

    sku: int
    cluster_id: int
    available: int
    in_transit: int
    requested: int
    ads: Decimal
    idc: Decimal | None
    turnover_grade: str | None


@dataclass(frozen=True, slots=True)
class SalesRow:
    """Units ordered of one SKU on one day (all clusters), and their revenue in rubles."""

    sku: int
    day: date
    ordered_units: int
    revenue: Decimal


@dataclass(frozen=True, slots=True)
class SkippedRow:
    """A row the marketplace sent that did not parse: why (naming the field and the value),
    and the row as it came."""

    reason: str
    raw: object


@dataclass(frozen=True, slots=True)
class StockPage:
    rows: list[StockRow] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SalesPage:
    """One page of sales rows. ``next_offset`` is where the next page starts (None: no more)."""

    rows: list[SalesRow] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    next_offset: int | None = None


class OzonFbo(Protocol):
    """One Ozon seller account's FBO stock and sales analytics (see the module's rules)."""

    def clusters(self) -> list[ClusterRow]:
        """Ozon's FBO clusters (type ``CLUSTER_TYPE_OZON``)."""
        ...

    def stocks(self, skus: Sequence[int], cluster_ids: Sequence[int] | None = None) -> StockPage:
        """Stock per SKU × cluster now, for any number of SKUs (batched by 100); only the
        given clusters when ``cluster_ids`` is given."""
        ...

    def ordered_units(self, date_from: date, date_to: date, *, offset: int = 0) -> SalesPage:
        """One page (one call) of units ordered and revenue per SKU per day, both days
        included, from ``offset``; raises ``QuotaExceeded`` within a minute of the last call."""
        ...


def velocity(rows: Iterable[SalesRow], days: int = VELOCITY_DAYS) -> dict[int, Decimal]:
    """Average daily ordered units per SKU over a window of ``days``: the units of its rows
    divided by ``days`` (a day without a row sold nothing), rounded half up to 2 places.

    The rows are the window's (the caller fetched them for it); every SKU with a row is in the
    answer, one that sold nothing at 0.00.
    """
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"days={days!r} must be a whole number of days >= 1")
    totals: dict[int, int] = {}
    for row in rows:
        if row.ordered_units < 0:
            raise ValueError(f"ordered_units={row.ordered_units} of sku {row.sku} on {row.day} is negative")
        totals[row.sku] = totals.get(row.sku, 0) + row.ordered_units
    return {sku: (Decimal(units) / days).quantize(CENT, rounding=ROUND_HALF_UP) for sku, units in totals.items()}


__all__ = [
    "ANALYTICS_INTERVAL",
    "ANALYTICS_LIMIT",
    "CLUSTER_TYPE_OZON",
    "STOCKS_BATCH",
    "VELOCITY_DAYS",
    "ClusterRow",
    "OzonFbo",
    "QuotaExceeded",
    "SalesPage",
    "SalesRow",
    "SkippedRow",
    "StockPage",
    "StockRow",
    "velocity",
]
