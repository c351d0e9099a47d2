"""System use cases: a liveness ping on a schedule and a health check on demand."""

from __future__ import annotations

from typing import Any

from adolf.application.ports.services import Services


def ping(services: Services) -> dict[str, Any]:
    return {"pong": services.clock.now().isoformat()}


def health_check(services: Services) -> dict[str, Any]:
    probe = services.health
    report: dict[str, Any] = {"database": probe.database(), "redis": probe.redis()}
    try:
        report["queues"] = probe.queue_lengths()
    except Exception as exc:  # noqa: BLE001 — a health check reports, it does not fail
        report["queues"] = f"error: {exc}"
    report["ok"] = report["database"] == "ok" and report["redis"] in ("ok", "not used")
    return report
