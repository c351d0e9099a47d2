"""Logistic's retention: bounded batches until a short one, VACUUM ANALYZE of what lost rows,
open alerts and the current stock kept whatever their age."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from adolf.application.logistic import cleanup
from adolf.application.logistic.cleanup import cleanup_old_data, cleanup_stock_history
from adolf.application.logistic.stock_alerts import generate_alerts
from adolf.application.logistic.supply_generation import generate_supply_tasks
from adolf.application.payload import InvalidPayload, bind_payload
from adolf.domain.logistic.supply_tasks import SupplyTaskStatus
from tests.support.fakes.logistic_repos import HistoryRow
from tests.support.fakes.logistic_services import FakeLogisticServices
from tests.unit.application.logistic.world import add_articles, add_clusters, put_stock, stock

DAY = 86_400


def test_history_older_than_keep_days_goes_in_batches(
    services: FakeLogisticServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cleanup, "BATCH", 3)
    [a] = add_articles(services)
    now = services.clock.now()
    history = services.unit_of_work.logistic.history
    for i in range(8):
        history[i + 1] = HistoryRow(i + 1, a.id, i, "validated", None, now - timedelta(days=91 + i))
    history[100] = HistoryRow(100, a.id, 5, "validated", None, now - timedelta(days=89))

    report = cleanup_stock_history(services)

    assert report["deleted_rows"] == 8 and report["vacuumed"] is True
    assert list(services.unit_of_work.logistic.history) == [100]
    assert services.maintenance.vacuumed == ["logistic_warehouse_history"]
    assert services.unit_of_work.commits == 3  # 3 + 3 + 2: the short batch ends it


def test_nothing_to_delete_vacuums_nothing(services: FakeLogisticServices) -> None:
    assert cleanup_stock_history(services, keep_days=30)["deleted_rows"] == 0
    assert services.maintenance.vacuumed == []


def test_old_data_goes_but_open_alerts_open_tasks_and_the_cache_stay(services: FakeLogisticServices) -> None:
    add_clusters(services, 1, 2)
    [a] = add_articles(services)
    put_stock(services, stock(a.id, 1, 0, "1"), stock(a.id, 2, 0, "1"))
    generate_supply_tasks(services)  # two tasks, a summary (closed) alert
    generate_alerts(services)  # two open OUT_OF_STOCK
    first, second = sorted(services.unit_of_work.logistic.tasks)
    shipped = replace(services.unit_of_work.logistic.tasks[first].task, status=SupplyTaskStatus.SHIPPED)
    services.unit_of_work.logistic_tasks.save(shipped, services.clock.now())
    services.clock.advance(91 * DAY)

    report = cleanup_old_data(services)

    tables = services.unit_of_work.logistic

    assert report["snapshots"] == 2 and tables.snapshots == {}
    assert len(tables.cache) == 2
    assert report["tasks"] == 1 and list(tables.tasks) == [second]  # the new one stays
    assert report["alerts"] == 2  # the summary and WAREHOUSE_LOW (events); the open stock-outs stay
    assert all(alert.open for alert in tables.alerts.values()) and len(tables.alerts) == 2
    assert set(report["vacuumed"]) == {"logistic_fbo_stock", "logistic_alerts", "logistic_supply_tasks"}


def test_retention_is_bounded() -> None:
    with pytest.raises(InvalidPayload, match="retention_days=0"):
        bind_payload(cleanup_old_data, {"retention_days": 0})
