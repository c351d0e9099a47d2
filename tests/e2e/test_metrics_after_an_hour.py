"""An hour of the schedule run inline on the simulated market, then ``GET /metrics`` from the
API over the same container: every task that ran in that hour has its runs counter, the
bid cycle its figures."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

from dependency_injector import providers
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from adolf.adapters.clocks import ManualClock
from adolf.adapters.observability.metrics import PrometheusTaskMetrics
from adolf.adapters.queues.inline_scheduler import InlineScheduler
from adolf.container import build_container
from adolf.entrypoints.http import create_app
from adolf.entrypoints.simulation.run import SimulationOptions, prepare, simulation_settings

MODULES = ("marketing", "system")


def test_after_a_simulated_hour_metrics_show_every_task_that_ran(tmp_path: Path) -> None:
    options = SimulationOptions(days=1, campaigns=6, keywords=4, database_url=f"sqlite:///{tmp_path / 'hour.sqlite3'}")
    settings = simulation_settings(options)
    container = build_container(settings)
    clock = ManualClock(options.start_at)
    container.clock.override(providers.Object(clock))
    prepare(container, options)
    queue = container.task_queue()
    assert isinstance(container.task_metrics(), PrometheusTaskMetrics)

    InlineScheduler(queue, settings.timezone, only=lambda spec: spec.module in MODULES).run_until(
        options.start_at + timedelta(hours=1)
    )
    ran = Counter((name, state.value) for _, name, state in queue.executed)
    assert ran[("marketing.run_bid_cycle", "succeeded")] == 4  # every 15 minutes

    text = TestClient(create_app(settings, container)).get("/metrics").text
    runs = {
        (s.labels["task"], s.labels["outcome"]): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "adolf_task_runs_total" and s.labels["backend"] == "inline"
    }
    assert runs == dict(ran)
    figures = {
        s.name: s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
        if not s.labels or set(s.labels) == {"backend"}
    }
    assert figures["adolf_bid_cycle_campaigns_total"] >= 4 * 6
    assert figures["adolf_bid_cycle_api_calls_total"] > 0
    assert figures["adolf_bid_cycle_duration_seconds_count"] == 4
    container.engine().dispose()
