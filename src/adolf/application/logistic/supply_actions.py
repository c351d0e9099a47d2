"""What a person does with a supply task (CLI, HTTP): ``accept``, ``ship``, ``cancel`` by id.

The domain's status machine decides (``supply_tasks.with_status``: new → accepted | cancelled,
accepted → shipped | cancelled; shipped and cancelled are final): a move it refuses raises its
``IllegalTransition`` naming both statuses, and nothing is stored. A task that does not exist
is ``UnknownSupplyTask``. Each change is one transaction (the status and its time).

``ship`` tells the Ozon side only if the deployment has a ``SupplyShipments`` hook (the
simulated Ozon does: the goods show in transit, then arrive after a lead time; the real Ozon
learns of a supply from the seller's cabinet). It is told after the commit, of the task's
``allocated`` units — what the warehouse gives; a task with none allocated ships nothing there.
"""

from __future__ import annotations

from typing import Any

from adolf.application.logistic.ports import LogisticServices
from adolf.domain.logistic.supply_tasks import SupplyTask, SupplyTaskStatus, with_status


class UnknownSupplyTask(LookupError):
    """No supply task with this id."""


def accept(services: LogisticServices, task_id: int) -> dict[str, Any]:
    return _move(services, task_id, SupplyTaskStatus.ACCEPTED)[1]


def cancel(services: LogisticServices, task_id: int) -> dict[str, Any]:
    return _move(services, task_id, SupplyTaskStatus.CANCELLED)[1]


def ship(services: LogisticServices, task_id: int) -> dict[str, Any]:
    task, summary = _move(services, task_id, SupplyTaskStatus.SHIPPED)
    hook = services.supply_shipments
    told = False
    if hook is not None and task.allocated > 0:
        with services.uow() as uow:
            article = uow.logistic_articles.by_ids([task.article_id]).get(task.article_id)
        if article is not None and article.ozon_sku is not None:
            hook.shipped(task, article.ozon_sku, services.clock.now())
            told = True
    return {**summary, "shipment_told": told}


def _move(services: LogisticServices, task_id: int, target: SupplyTaskStatus) -> tuple[SupplyTask, dict[str, Any]]:
    now = services.clock.now()
    with services.uow() as uow:
        task = uow.logistic_tasks.get(task_id)
        if task is None:
            raise UnknownSupplyTask(f"task_id={task_id}: no such supply task")
        moved = with_status(task, target, now)
        uow.logistic_tasks.save(moved, now)
        uow.commit()
    return moved, {"task_id": task_id, "from": task.status.value, "status": target.value, "at": now.isoformat()}
