"""What a person does with a supply task (CLI, HTTP): ``accept``, ``ship``, ``cancel`` by id.

The domain's status machine decides (``supply_tasks.with_status``: new → accepted | cancelled,
accepted → shipped | cancelled; shipped and cancelled are final): a move it refuses raises its
``IllegalTransition`` naming both statuses, and nothing is stored. A task that does not exist
is ``UnknownSupplyTask``. Each change is one transaction (the status and its time).

``ship`` tells the Ozon side only if the deployment has a ``SupplyShipments`` hook (the
simulated Ozon does: the goods show in transit, then arrive after a lead time; the real Ozon
learns of a supply from the seller's cabinet). It is told after the commit, of the task's
``allocated`` units — what the warehouse gives; a task with none allocated ships nothing there.
The task is shipped once committed, whatever the hook then does: a hook that cannot be built
or cannot place the shipment (a SKU or cluster the simulation does not know) is logged
(warning), counted on the status board (``UNPLACED_KEY``) and answered as ``shipment_told:
false`` with its ``shipment_error`` — never an exception after the commit (the caller would
read a failure for a move that happened).
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Any

from adolf.application.logistic.ports import LogisticServices
from adolf.domain.logistic.supply_tasks import SupplyTask, SupplyTaskStatus, with_status

log = logging.getLogger(__name__)

#: Status-board counter of shipped tasks the Ozon side could not be told of.
UNPLACED_KEY = "logistic:shipments_unplaced"


class UnknownSupplyTask(LookupError):
    """No supply task with this id."""


def accept(services: LogisticServices, task_id: int) -> dict[str, Any]:
    return _move(services, task_id, SupplyTaskStatus.ACCEPTED)[1]


def cancel(services: LogisticServices, task_id: int) -> dict[str, Any]:
    return _move(services, task_id, SupplyTaskStatus.CANCELLED)[1]


def ship(services: LogisticServices, task_id: int) -> dict[str, Any]:
    task, summary = _move(services, task_id, SupplyTaskStatus.SHIPPED)
    told, error = _tell(services, task)
    return {**summary, "shipment_told": told, "shipment_error": error}


def _tell(services: LogisticServices, task: SupplyTask) -> tuple[bool, str | None]:
    """Tell the hook, if any, of a committed shipment: (told, why not when it failed)."""
    if task.allocated <= 0:
        return False, None
    try:
        hook = services.supply_shipments
        if hook is None:
            return False, None
        with services.uow() as uow:
            article = uow.logistic_articles.by_ids([task.article_id]).get(task.article_id)
        if article is None or article.ozon_sku is None:
            return False, None
        hook.shipped(task, article.ozon_sku, services.clock.now())
    except Exception as exc:  # noqa: BLE001 — the task is shipped and committed: report, never raise now
        error = f"{type(exc).__name__}: {exc}"
        log.warning(
            "supply task %s is shipped, but the Ozon side could not be told of its %s units: %s",
            task.id,
            task.allocated,
            error,
        )
        with suppress(Exception):  # a count lost is better than a crash here
            services.status_board.incr(UNPLACED_KEY)
        return False, error
    return True, None


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
