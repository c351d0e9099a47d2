"""The Prometheus adapter counts what the runtime reports: deliveries by outcome, failures,
retries, dead letters and durations of fake tasks run by the inline queue, and the bid
cycle's figures, read back from the exposition a scrape gets."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from prometheus_client.parser import text_string_to_metric_families

from adolf.adapters.clocks import ManualClock
from adolf.adapters.observability.metrics import PrometheusTaskMetrics, render
from adolf.adapters.queues.inline import InlineTaskQueue
from adolf.application.catalogue import Catalogue, RetryableError, RetryPolicy, TaskSpec
from adolf.application.marketing.bid_cycle import run_bid_cycle
from adolf.application.ports.metrics import NO_METRICS, current_metrics
from adolf.application.ports.services import Services
from adolf.application.ports.tasks import TaskState
from adolf.application.runtime import TaskRunner
from adolf.domain.marketing.bid_context import StrategyType
from tests.support.fakes import FakeServices
from tests.unit.application.builders import D, campaign, cstats, keyword, kstats, seed

NAP = 0.06


def ok(services: Services) -> str:
    return "done"


def slow(services: Services) -> str:
    time.sleep(NAP)
    return "done"


def flaky(services: Services) -> None:
    raise RetryableError("the marketplace timed out")


def broken(services: Services) -> None:
    raise ValueError("a bug")


def reports_inside(services: Services) -> bool:
    return current_metrics() is not NO_METRICS


CATALOGUE = Catalogue(
    [
        TaskSpec("test.ok", ok, "fast"),
        TaskSpec("test.slow", slow, "fast"),
        TaskSpec("test.flaky", flaky, "slow", retry=RetryPolicy(max_retries=2, delay=10)),
        TaskSpec("test.broken", broken, "slow"),
        TaskSpec("test.inside", reports_inside, "fast"),
        TaskSpec("marketing.run_bid_cycle", run_bid_cycle, "marketing_high", lock="marketing:lock:bid_cycle"),
    ]
)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(scraped: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return scraped[(name, frozenset(labels.items()))]


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


@pytest.fixture
def metrics() -> PrometheusTaskMetrics:
    return PrometheusTaskMetrics("inline")


@pytest.fixture
def queue(services: FakeServices, metrics: PrometheusTaskMetrics) -> InlineTaskQueue:
    runner = TaskRunner(CATALOGUE, lambda: services, "inline", metrics=metrics)
    return InlineTaskQueue(runner, ManualClock(datetime(2026, 1, 12, 9, tzinfo=UTC)), eager=False)


def scrape(metrics: PrometheusTaskMetrics) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return samples(render(metrics, "inline", {"fast": 2}, dead_letters=3).decode())


def test_runs_failures_retries_and_dead_letters_are_counted_per_task(
    queue: InlineTaskQueue, metrics: PrometheusTaskMetrics, services: FakeServices
) -> None:
    for name in ("test.ok", "test.ok", "test.flaky", "test.broken"):
        queue.enqueue(name)
    queue.drain(advance=True, follow_retries=True)
    assert [state for _, name, state in queue.executed if name == "test.flaky"] == [
        TaskState.RETRYING,
        TaskState.RETRYING,
        TaskState.FAILED,
    ]

    got = scrape(metrics)
    ok_labels = {"task": "test.ok", "queue": "fast", "backend": "inline"}
    flaky_labels = {"task": "test.flaky", "queue": "slow", "backend": "inline"}
    broken_labels = {"task": "test.broken", "queue": "slow", "backend": "inline"}
    assert value(got, "adolf_task_runs_total", **ok_labels, outcome="succeeded") == 2
    assert value(got, "adolf_task_runs_total", **flaky_labels, outcome="retrying") == 2
    assert value(got, "adolf_task_runs_total", **flaky_labels, outcome="failed") == 1
    assert value(got, "adolf_task_runs_total", **broken_labels, outcome="failed") == 1
    assert value(got, "adolf_task_failures_total", **flaky_labels) == 3
    assert value(got, "adolf_task_failures_total", **broken_labels) == 1
    assert value(got, "adolf_task_retries_total", **flaky_labels) == 2
    assert value(got, "adolf_task_dead_letters_total", **flaky_labels) == 1
    assert value(got, "adolf_task_dead_letters_total", **broken_labels) == 1
    assert ("adolf_task_failures_total", frozenset(ok_labels.items())) not in got
    assert len(services.uow().dead_letters.list()) == 2  # the counter follows the letters written


def test_durations_land_in_the_histogram(queue: InlineTaskQueue, metrics: PrometheusTaskMetrics) -> None:
    queue.enqueue("test.slow")
    queue.enqueue("test.ok")
    queue.drain()

    got = scrape(metrics)
    slow_labels = {"task": "test.slow", "queue": "fast", "backend": "inline"}
    assert value(got, "adolf_task_duration_seconds_count", **slow_labels) == 1
    assert value(got, "adolf_task_duration_seconds_sum", **slow_labels) >= NAP
    assert value(got, "adolf_task_duration_seconds_bucket", **slow_labels, le="0.05") == 0
    assert value(got, "adolf_task_duration_seconds_bucket", **slow_labels, le="0.1") == 1
    ok_labels = {"task": "test.ok", "queue": "fast", "backend": "inline"}
    assert value(got, "adolf_task_duration_seconds_bucket", **ok_labels, le="0.05") == 1


def test_the_use_case_reports_to_the_runner_delivering_it_and_to_nothing_outside(
    queue: InlineTaskQueue, services: FakeServices
) -> None:
    task_id = queue.enqueue("test.inside")
    queue.drain()
    assert queue.status(task_id).result is True
    assert reports_inside(services) is False


def test_the_bid_cycle_reports_its_figures(
    queue: InlineTaskQueue, metrics: PrometheusTaskMetrics, services: FakeServices
) -> None:
    wb = services.market()
    seed(services, campaign(1, strategy=StrategyType.TARGET_DRR, target_drr=D("20")), keyword(11, 1))
    seed(services, campaign(2, strategy=StrategyType.TARGET_CPO, target_drr=None, target_cpo=D("50")), keyword(21, 2))
    wb.set_campaign_stats(cstats("c1"), cstats("c2"))
    wb.set_keyword_stats("c1", kstats("k11"))
    wb.set_keyword_stats("c2", kstats("k21"))

    task_id = queue.enqueue("marketing.run_bid_cycle")
    queue.drain()
    result = queue.status(task_id).result

    got = scrape(metrics)
    assert result["campaigns"] == value(got, "adolf_bid_cycle_campaigns_total", backend="inline") == 2
    assert result["bids_changed"] == value(got, "adolf_bid_cycle_bids_changed_total", backend="inline") == 2
    assert result["api_calls"] == value(got, "adolf_bid_cycle_api_calls_total", backend="inline") > 0
    assert value(got, "adolf_bid_cycle_errors_total", backend="inline") == 0
    assert value(got, "adolf_bid_cycle_duration_seconds_count", backend="inline") == 1


def test_a_scrape_also_reads_the_queue_lengths_and_dead_letters(metrics: PrometheusTaskMetrics) -> None:
    got = scrape(metrics)
    assert value(got, "adolf_queue_length", queue="fast", backend="inline") == 2
    assert value(got, "adolf_dead_letters") == 3


def test_a_metric_that_cannot_be_kept_never_fails_the_job(services: FakeServices) -> None:
    class Broken(PrometheusTaskMetrics):
        def task_finished(self, task: str, queue: str, outcome: str, duration_s: float) -> None:
            raise OSError("no space left on device")

    runner = TaskRunner(CATALOGUE, lambda: services, "inline", metrics=Broken("inline"))
    assert runner.run("test.ok", {}, "t-1").state is TaskState.SUCCEEDED
