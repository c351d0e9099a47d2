"""``watcher.office_heartbeat`` (every 60 s) and Watcher's Office Dashboard employees (SPEC §5).

- ``watcher_price_monitor`` (1.0 FTE): generates the nightly tasks and watches prices;
  metrics ``products_monitored``, ``price_changes_today``, ``tasks_generated``, ``queue_size``
  (seed 000 B.7);
- ``watcher_night_agent`` (0.5): the agent fleet's night — working while tonight's tasks are
  queued or in progress, idle once they are done; metrics ``queue_size``,
  ``tasks_in_progress``, ``tasks_done_tonight``;
- ``watcher_competitor_scan`` (1.0): the nightly priority scoring; metric
  ``competitors_monitored``.

The jobs report working / idle / error as they run (``generate_daily_tasks``,
``calculate_priorities``); the heartbeat keeps every card alive and its metrics fresh.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from adolf.application.office import OfficeEmployee, OfficeReporter
from adolf.application.watcher.night import night_of
from adolf.application.watcher.ports import WatcherServices
from adolf.domain.watcher.tasks import TaskStatus

DEPARTMENT = "watcher"
EMPLOYEES = {
    "price_monitor": OfficeEmployee("watcher_price_monitor", DEPARTMENT, "Мониторинг цен", Decimal("1.0")),
    "night_agent": OfficeEmployee("watcher_night_agent", DEPARTMENT, "Ночной агент", Decimal("0.5")),
    "competitor_scan": OfficeEmployee("watcher_competitor_scan", DEPARTMENT, "Сканер конкурентов", Decimal("1.0")),
}


def reporter(services: WatcherServices, name: str) -> OfficeReporter:
    return OfficeReporter(EMPLOYEES[name], services.status_board, services.clock)


def office_heartbeat(services: WatcherServices) -> dict[str, Any]:
    now = services.clock.now()
    today = services.calendar.day(now)
    night = night_of(services.calendar, now)
    with services.uow() as uow:
        counts = uow.watcher_catalog.counts()
        changes = uow.watcher_prices.changes_since(services.calendar.day_start(today))
        tasks = uow.watcher_tasks.counts(night)
    queue_size = sum(services.parsing_queue.lengths().values())
    generated = services.watcher_stats.read_generation(night).get("total", "0")
    in_progress = sum(n for (_, status), n in tasks.items() if status == TaskStatus.IN_PROGRESS)
    done = sum(n for (_, status), n in tasks.items() if status == TaskStatus.DONE)
    metrics = {
        "price_monitor": {
            "products_monitored": counts.get("products", 0),
            "price_changes_today": changes,
            "tasks_generated": int(generated) if generated.isdigit() else 0,
            "queue_size": queue_size,
        },
        "night_agent": {"queue_size": queue_size, "tasks_in_progress": in_progress, "tasks_done_tonight": done},
        "competitor_scan": {"competitors_monitored": counts.get("competitor_products", 0)},
    }
    for name in EMPLOYEES:
        reporter(services, name).heartbeat(metrics[name])
    night_agent = reporter(services, "night_agent")
    if queue_size or in_progress:
        night_agent.report_working(f"parsing the night of {night.isoformat()}")
    else:
        night_agent.report_idle()
    return {"agents": len(EMPLOYEES), "metrics": metrics}
