"""``FakeLogisticServices``: what a Logistic use case is handed, every port a fake.

It is a ``FakeServices`` (clock, lock, queue, notifier, status board, calendar) whose unit of
work is a ``FakeLogisticUnitOfWork``, with a scripted Ozon (``FakeOzonFbo``: stock rows per SKU,
sales rows paged and held to one analytics call a minute on the fake clock), the supply policy,
a recording shipments hook and a recording maintenance port.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from adolf.application.logistic.ozon_fbo import (
    ANALYTICS_INTERVAL,
    ClusterRow,
    QuotaExceeded,
    SalesPage,
    SalesRow,
    SkippedRow,
    StockPage,
    StockRow,
)
from adolf.domain.logistic.policy import SupplyPolicy
from adolf.domain.logistic.supply_tasks import SupplyTask
from tests.support.fakes.logistic_repos import FakeLogisticUnitOfWork
from tests.support.fakes.runtime import FakeClock
from tests.support.fakes.services import FakeServices
from tests.support.fakes.watcher_services import FakeMaintenance


class FakeOzonFbo:
    """Ozon as a test scripts it. ``stock`` is SKU → its rows; ``sales`` the analytics rows,
    served ``page_size`` at a time, one call per ``ANALYTICS_INTERVAL`` of the clock."""

    def __init__(self, clock: FakeClock, page_size: int = 1000) -> None:
        self.clock = clock
        self.page_size = page_size
        self.cluster_rows: list[ClusterRow] = []
        self.stock: dict[int, list[StockRow]] = {}
        self.stock_skipped: list[SkippedRow] = []
        self.sales: list[SalesRow] = []
        self.sales_skipped: list[SkippedRow] = []
        self.stock_calls: list[list[int]] = []
        self.sales_calls: list[tuple[date, date, int]] = []
        self.cluster_calls = 0
        self.last_sales_call: datetime | None = None
        self.failure: Exception | None = None

    def clusters(self) -> list[ClusterRow]:
        self.cluster_calls += 1
        return list(self.cluster_rows)

    def stocks(self, skus: Sequence[int], cluster_ids: Sequence[int] | None = None) -> StockPage:
        if self.failure is not None:
            raise self.failure
        self.stock_calls.append(list(skus))
        rows = [row for sku in skus for row in self.stock.get(sku, [])]
        return StockPage(rows, list(self.stock_skipped))

    def ordered_units(self, date_from: date, date_to: date, *, offset: int = 0) -> SalesPage:
        now = self.clock.now()
        if self.last_sales_call is not None:
            waited = (now - self.last_sales_call).total_seconds()
            if waited < ANALYTICS_INTERVAL:
                raise QuotaExceeded("1 call per minute", retry_after=ANALYTICS_INTERVAL - waited)
        self.last_sales_call = now
        self.sales_calls.append((date_from, date_to, offset))
        window = sorted(
            (row for row in self.sales if date_from <= row.day <= date_to), key=lambda row: (row.day, row.sku)
        )
        page = window[offset : offset + self.page_size]
        more = offset + self.page_size < len(window)
        return SalesPage(
            page, list(self.sales_skipped) if offset == 0 else [], offset + self.page_size if more else None
        )


class RecordingShipments:
    def __init__(self) -> None:
        self.shipped_tasks: list[tuple[SupplyTask, int, datetime]] = []

    def shipped(self, task: SupplyTask, sku: int, at: datetime) -> None:
        self.shipped_tasks.append((task, sku, at))


@dataclass
class FakeLogisticServices(FakeServices):
    unit_of_work: FakeLogisticUnitOfWork = field(default_factory=FakeLogisticUnitOfWork)
    supply_policy: SupplyPolicy = field(default_factory=SupplyPolicy)
    maintenance: FakeMaintenance = field(default_factory=FakeMaintenance)
    supply_shipments: RecordingShipments | None = field(default_factory=RecordingShipments)
    ozon_fbo: FakeOzonFbo = field(init=False)

    def __post_init__(self) -> None:
        self.ozon_fbo = FakeOzonFbo(self.clock)

    def uow(self) -> FakeLogisticUnitOfWork:
        return self.unit_of_work
