"""``watcher.health_check`` (by hand, or a probe): the database, Redis and the parsing queues
(``watcher:task_queue:{mp}`` lengths, as the seed reports them), besides the task queues."""

from __future__ import annotations

from typing import Any

from adolf.application.watcher.ports import WatcherServices


def health_check(services: WatcherServices) -> dict[str, Any]:
    probe = services.health
    report: dict[str, Any] = {"database": probe.database(), "redis": probe.redis()}
    try:
        report["parsing_queues"] = {mp.value: n for mp, n in services.parsing_queue.lengths().items()}
    except Exception as exc:  # noqa: BLE001 — a health check reports, it does not fail
        report["parsing_queues"] = f"error: {type(exc).__name__}: {exc}"
    try:
        report["task_queues"] = {name: n for name, n in probe.queue_lengths().items() if name.startswith("watcher.")}
    except Exception as exc:  # noqa: BLE001
        report["task_queues"] = f"error: {type(exc).__name__}: {exc}"
    report["ok"] = report["database"] == "ok" and report["redis"] in ("ok", "not used")
    report["status"] = "healthy" if report["ok"] else "unhealthy"
    return report
