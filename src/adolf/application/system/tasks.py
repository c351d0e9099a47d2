"""System use cases: a liveness ping on a schedule and a health check on demand."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from adolf.application.bounds import KeepDays
from adolf.application.ports.services import Services


def ping(services: Services) -> dict[str, Any]:
    return {"pong": services.clock.now().isoformat()}


def cleanup_runtime_records(services: Services, keep_days: KeepDays = 7) -> dict[str, int]:
    """Idempotency keys, in-process run records and sent (or given-up) outbox entries older
    than ``keep_days``: a redelivery or a status lookup never comes that late (result
    backends keep 1 h); pending outbox entries stay until sent."""
    cutoff = services.clock.now() - timedelta(days=keep_days)
    with services.uow() as uow:
        result = {
            "idempotency_keys": uow.idempotency.delete_before(cutoff),
            "task_runs": uow.task_runs.delete_before(cutoff),
            "outbox": uow.outbox.delete_before(cutoff),
        }
        uow.commit()
    return result


def health_check(services: Services) -> dict[str, Any]:
    probe = services.health
    report: dict[str, Any] = {"database": probe.database(), "redis": probe.redis()}
    try:
        report["queues"] = probe.queue_lengths()
    except Exception as exc:  # noqa: BLE001 — a health check reports, it does not fail
        report["queues"] = f"error: {exc}"
    report["ok"] = report["database"] == "ok" and report["redis"] in ("ok", "not used")
    return report
