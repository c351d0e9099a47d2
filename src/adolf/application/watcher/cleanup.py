"""Retention: ``watcher.cleanup_old_tasks(days=90)`` (03:00), ``cleanup_old_logs(days=30)``
(03:30), ``cleanup_resolved_alerts(days=365)`` (Sun 03:45), ``cleanup_redis_keys`` (03:50).

Deletes are set-based and bounded: at most ``BATCH`` rows per statement, each batch its own
short transaction, repeated until a batch comes back short — never one statement holding a
lock over a night's worth of rows (the seed deletes 90 days of tasks at once). After the
tasks, ``VACUUM ANALYZE`` of the tasks' table through ``services.maintenance``: on
PostgreSQL, outside any transaction (it refuses to run in one); on SQLite nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from adolf.application.bounds import KeepDays
from adolf.application.watcher.ports import WatcherServices, WatcherUnitOfWork

BATCH = 5_000
TASKS_TABLE = "watcher_parsing_tasks"


def delete_in_batches(services: WatcherServices, delete: Callable[[WatcherUnitOfWork, int], int]) -> tuple[int, int]:
    """Run ``delete(uow, BATCH)`` in its own transaction until a batch deletes fewer than
    ``BATCH`` rows; (rows deleted, batches run)."""
    total = batches = 0
    while True:
        with services.uow() as uow:
            deleted = delete(uow, BATCH)
            uow.commit()
        total += deleted
        batches += 1
        if deleted < BATCH:
            return total, batches


def cleanup_old_tasks(services: WatcherServices, days: KeepDays = 90) -> dict[str, Any]:
    cutoff = services.calendar.day(services.clock.now()) - timedelta(days=days)
    deleted, batches = delete_in_batches(services, lambda uow, n: uow.watcher_tasks.delete_before(cutoff, n))
    vacuumed = services.maintenance.vacuum_analyze(TASKS_TABLE) if deleted else False
    return {"deleted": deleted, "batches": batches, "cutoff": cutoff.isoformat(), "vacuumed": vacuumed}


def cleanup_old_logs(services: WatcherServices, days: KeepDays = 30) -> dict[str, Any]:
    cutoff = services.clock.now() - timedelta(days=days)
    deleted, batches = delete_in_batches(services, lambda uow, n: uow.watcher_agents.delete_events_before(cutoff, n))
    return {"deleted": deleted, "batches": batches, "cutoff": cutoff.isoformat()}


def cleanup_resolved_alerts(services: WatcherServices, days: KeepDays = 365) -> dict[str, Any]:
    cutoff = services.clock.now() - timedelta(days=days)
    deleted, batches = delete_in_batches(services, lambda uow, n: uow.watcher_alerts.delete_resolved_before(cutoff, n))
    return {"deleted": deleted, "batches": batches, "cutoff": cutoff.isoformat()}


def cleanup_redis_keys(services: WatcherServices) -> dict[str, Any]:
    """Stale stats hashes and the state of agents that no longer exist (``state_ports``)."""
    now = services.clock.now()
    with services.uow() as uow:
        agent_ids = [agent.id for agent in uow.watcher_agents.all()]
    deleted = services.watcher_stats.cleanup(agent_ids, services.calendar.day(now))
    return {"deleted": deleted, "agents": len(agent_ids)}
