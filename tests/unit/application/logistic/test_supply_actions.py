"""Accepting, shipping, cancelling a supply task by id: the domain's transitions, one
transaction each, the simulated Ozon told of a shipment."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

import pytest

from adolf.application.logistic.supply_actions import UNPLACED_KEY, UnknownSupplyTask, accept, cancel, ship
from adolf.application.logistic.supply_generation import generate_supply_tasks
from adolf.domain.logistic.errors import IllegalTransition
from adolf.domain.logistic.supply_tasks import SupplyTask, SupplyTaskStatus
from tests.support.fakes.logistic_services import FakeLogisticServices
from tests.unit.application.logistic.world import add_articles, add_clusters, put_stock, stock


def one_task(services: FakeLogisticServices, warehouse: int = 100) -> int:
    add_clusters(services, 1)
    [a] = add_articles(services)
    put_stock(services, stock(a.id, 1, 0, "1"))
    services.unit_of_work.logistic.warehouse[a.id] = warehouse
    generate_supply_tasks(services)
    [task_id] = services.unit_of_work.logistic.tasks
    return task_id


def test_accept_then_ship_tells_the_shipments_hook(services: FakeLogisticServices) -> None:
    task_id = one_task(services)

    assert accept(services, task_id)["status"] == "accepted"
    services.clock.advance(3600)
    shipped = ship(services, task_id)

    row = services.unit_of_work.logistic.tasks[task_id]
    assert row.task.status is SupplyTaskStatus.SHIPPED and row.task.shipped_at == services.clock.now()
    assert shipped == {
        "task_id": task_id,
        "from": "accepted",
        "status": "shipped",
        "at": services.clock.now().isoformat(),
        "shipment_told": True,
        "shipment_error": None,
    }
    assert services.supply_shipments is not None
    [(task, sku, at)] = services.supply_shipments.shipped_tasks
    article = services.unit_of_work.logistic.articles[task.article_id]
    assert (task.id, task.allocated, sku, at) == (task_id, 28, article.ozon_sku, services.clock.now())


def test_a_task_with_nothing_allocated_ships_nothing_to_ozon(services: FakeLogisticServices) -> None:
    task_id = one_task(services, warehouse=0)
    accept(services, task_id)

    assert ship(services, task_id)["shipment_told"] is False
    assert services.supply_shipments is not None and services.supply_shipments.shipped_tasks == []


def test_without_a_hook_shipping_is_only_a_status(services: FakeLogisticServices) -> None:
    services.supply_shipments = None
    task_id = one_task(services)
    accept(services, task_id)

    assert ship(services, task_id)["shipment_told"] is False


def test_an_illegal_move_names_both_statuses_and_stores_nothing(services: FakeLogisticServices) -> None:
    task_id = one_task(services)

    with pytest.raises(IllegalTransition, match="'new' cannot become target='shipped'"):
        ship(services, task_id)
    cancel(services, task_id)
    with pytest.raises(IllegalTransition, match="'cancelled'"):
        accept(services, task_id)

    assert services.unit_of_work.logistic.tasks[task_id].task.status is SupplyTaskStatus.CANCELLED


def test_an_unknown_task_is_named(services: FakeLogisticServices) -> None:
    with pytest.raises(UnknownSupplyTask, match="task_id=404"):
        accept(services, 404)


class RefusingShipments:
    """A hook that cannot place the shipment (the simulated Ozon with a SKU it does not know)."""

    def shipped(self, task: SupplyTask, sku: int, at: datetime) -> None:
        raise ValueError(f"sku={sku} is not an article of this market")


def test_a_hook_that_cannot_place_the_shipment_is_logged_and_counted_the_task_stays_shipped(
    services: FakeLogisticServices, caplog: pytest.LogCaptureFixture
) -> None:
    task_id = one_task(services)
    accept(services, task_id)
    services.supply_shipments = RefusingShipments()  # type: ignore[assignment]

    with caplog.at_level(logging.WARNING, logger="adolf.application.logistic.supply_actions"):
        answer = ship(services, task_id)

    sku = services.unit_of_work.logistic.articles[
        services.unit_of_work.logistic.tasks[task_id].task.article_id
    ].ozon_sku
    assert answer["status"] == "shipped" and answer["shipment_told"] is False
    assert answer["shipment_error"] == f"ValueError: sku={sku} is not an article of this market"
    assert services.unit_of_work.logistic.tasks[task_id].task.status is SupplyTaskStatus.SHIPPED
    assert services.status_board.counters == {UNPLACED_KEY: 1}
    [record] = caplog.records
    assert f"supply task {task_id} is shipped" in record.getMessage() and "28 units" in record.getMessage()


def test_a_failing_counter_does_not_turn_the_shipped_task_into_an_error(services: FakeLogisticServices) -> None:
    task_id = one_task(services)
    accept(services, task_id)
    services.supply_shipments = RefusingShipments()  # type: ignore[assignment]

    def down(key: str, amount: int = 1, ttl: int | None = None) -> int:
        raise ConnectionError("redis is away")

    services.status_board.incr = down  # type: ignore[method-assign]

    assert ship(services, task_id)["shipment_told"] is False
    assert services.unit_of_work.logistic.tasks[task_id].task.status is SupplyTaskStatus.SHIPPED


def test_a_task_whose_article_has_no_ozon_sku_is_shipped_untold(services: FakeLogisticServices) -> None:
    task_id = one_task(services)
    accept(services, task_id)
    logistic = services.unit_of_work.logistic
    article_id = logistic.tasks[task_id].task.article_id
    logistic.articles[article_id] = replace(logistic.articles[article_id], ozon_sku=None)

    assert ship(services, task_id) | {"at": None} == {
        "task_id": task_id,
        "from": "accepted",
        "status": "shipped",
        "at": None,
        "shipment_told": False,
        "shipment_error": None,
    }
    assert services.supply_shipments is not None and services.supply_shipments.shipped_tasks == []
