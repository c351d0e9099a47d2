"""Retention: ``logistic.cleanup_stock_history(keep_days=90)`` (1st of the month 03:00; seed
003 §8.4.9) and ``logistic.cleanup_old_data(retention_days=90)`` (Sundays 04:00; §8.4.8).

``cleanup_stock_history`` deletes the internal warehouse's history (``logistic_warehouse_history``)
recorded before ``keep_days`` ago. ``cleanup_old_data`` deletes what the seed's SQL function
``logistic_cleanup_old_data`` does: FBO snapshots, warehouse history, alerts that are no longer
open (resolved stock alerts, and events; an open alert stays whatever its age — deleting it
would raise it again), and supply tasks shipped or cancelled — each older than ``retention_days``.
The current stock (the cache, the warehouse stock) is never deleted by age.

Deletes are set-based and bounded, as Watcher's cleanup: at most ``BATCH`` rows per statement,
each batch its own short transaction, until a batch comes back short. Then ``VACUUM ANALYZE``
of each table that lost rows through ``services.maintenance`` (PostgreSQL, outside any
transaction; nothing on SQLite).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from adolf.application.bounds import KeepDays
from adolf.application.logistic.ports import LogisticServices, LogisticUnitOfWork

BATCH = 5_000
SNAPSHOTS = "logistic_fbo_stock"
HISTORY = "logistic_warehouse_history"
ALERTS = "logistic_alerts"
TASKS = "logistic_supply_tasks"


def delete_in_batches(services: LogisticServices, delete: Callable[[LogisticUnitOfWork, int], int]) -> int:
    """Run ``delete(uow, BATCH)`` in its own transaction until a batch deletes fewer than
    ``BATCH`` rows; the rows deleted."""
    total = 0
    while True:
        with services.uow() as uow:
            deleted = delete(uow, BATCH)
            uow.commit()
        total += deleted
        if deleted < BATCH:
            return total


def cleanup_stock_history(services: LogisticServices, keep_days: KeepDays = 90) -> dict[str, Any]:
    cutoff = services.clock.now() - timedelta(days=keep_days)
    deleted = delete_in_batches(services, lambda uow, n: uow.logistic_warehouse.delete_history_before(cutoff, n))
    vacuumed = services.maintenance.vacuum_analyze(HISTORY) if deleted else False
    return {"deleted_rows": deleted, "cutoff": cutoff.isoformat(), "vacuumed": vacuumed}


def cleanup_old_data(services: LogisticServices, retention_days: KeepDays = 90) -> dict[str, Any]:
    cutoff = services.clock.now() - timedelta(days=retention_days)
    deleted = {
        SNAPSHOTS: delete_in_batches(services, lambda uow, n: uow.logistic_stock.delete_snapshots_before(cutoff, n)),
        HISTORY: delete_in_batches(services, lambda uow, n: uow.logistic_warehouse.delete_history_before(cutoff, n)),
        ALERTS: delete_in_batches(services, lambda uow, n: uow.logistic_alerts.delete_closed_before(cutoff, n)),
        TASKS: delete_in_batches(services, lambda uow, n: uow.logistic_tasks.delete_finished_before(cutoff, n)),
    }
    vacuumed = [table for table, count in deleted.items() if count and services.maintenance.vacuum_analyze(table)]
    return {
        "snapshots": deleted[SNAPSHOTS],
        "history": deleted[HISTORY],
        "alerts": deleted[ALERTS],
        "tasks": deleted[TASKS],
        "cutoff": cutoff.isoformat(),
        "vacuumed": vacuumed,
    }
