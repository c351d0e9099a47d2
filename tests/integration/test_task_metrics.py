"""The same task metrics, told apart by ``backend``, from a real Celery worker (prefork pool)
and a real RQ worker (a forked work horse per job) writing to one ``ADOLF_METRICS_DIR``:
scraped over HTTP from each worker's ``ADOLF_METRICS_PORT`` and from the API's ``/metrics``
over the same directory."""

from __future__ import annotations

import os
import socket
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis

from adolf.container import build_container
from adolf.entrypoints.http import create_app
from adolf.settings import load_settings
from tests.integration.parity.harness import wait_for
from tests.integration.parity.harness_celery import CeleryHarness
from tests.integration.parity.harness_rq import RqHarness
from tests.support.parity_tasks import QUEUE
from tests.support.services import require_redis

pytestmark = [pytest.mark.slow, pytest.mark.redis]

REDIS_DB = 5  # this module's own: flushed before and after
REPO = Path(__file__).resolve().parents[2]
SCRAPE_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def scrape(port: int) -> Samples:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        return parse(answer.read().decode())


def get(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def task(name: str, backend: str) -> dict[str, str]:
    return {"task": name, "queue": QUEUE, "backend": backend}


def wait_for_dead_letter(port: int, backend: str) -> Samples:
    """Scrape until the worker's port shows ``parity.always_fails`` dead-lettered."""
    deadline = time.monotonic() + SCRAPE_TIMEOUT
    samples: Samples = {}
    while time.monotonic() < deadline:
        try:
            samples = scrape(port)
        except OSError:
            samples = {}
        if get(samples, "adolf_task_dead_letters_total", **task("parity.always_fails", backend)):
            return samples
        time.sleep(0.3)
    raise AssertionError(f"no dead letter of parity.always_fails on {backend}'s port {port}: {sorted(samples)[:20]}")


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    redis_url = require_redis(REDIS_DB)
    Redis.from_url(redis_url).flushdb()
    try:
        yield {
            "ADOLF_DATABASE_URL": f"sqlite:///{tmp_path / 'metrics.sqlite3'}",
            "ADOLF_REDIS_URL": redis_url,
            "ADOLF_TEST_REDIS_URL": redis_url,
            "ADOLF_EXTRA_CATALOGUES": "tests.support.parity_tasks:CATALOGUE",
            "ADOLF_METRICS_DIR": str(tmp_path / "metrics"),
            "ADOLF_LOG_FORMAT": "json",
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        }
    finally:
        Redis.from_url(redis_url).flushdb()


def test_celery_and_rq_workers_expose_the_same_metrics_on_their_ports_and_through_the_api(
    env: dict[str, str], tmp_path: Path
) -> None:
    ports = {"celery": free_port(), "rq": free_port()}
    (tmp_path / "metrics").mkdir()  # empty when the fleet starts
    celery = CeleryHarness({**env, "ADOLF_METRICS_PORT": str(ports["celery"])}, tmp_path)
    rq = RqHarness({**env, "ADOLF_METRICS_PORT": str(ports["rq"])}, tmp_path)
    try:
        celery.start()
        rq.start()
        for harness in (celery, rq):
            done = harness.queue.enqueue("parity.echo", {"value": {"n": 1}})
            harness.queue.enqueue("parity.always_fails", {"key": f"metrics-{harness.name}"})
            assert wait_for(harness.queue, done).state.value == "succeeded"

        for backend, port in ports.items():
            samples = wait_for_dead_letter(port, backend)
            assert get(samples, "adolf_task_runs_total", **task("parity.echo", backend), outcome="succeeded") == 1
            fails = task("parity.always_fails", backend)
            assert get(samples, "adolf_task_runs_total", **fails, outcome="retrying") == 2
            assert get(samples, "adolf_task_runs_total", **fails, outcome="failed") == 1
            assert get(samples, "adolf_task_failures_total", **fails) == 3
            assert get(samples, "adolf_task_retries_total", **fails) == 2
            assert get(samples, "adolf_task_duration_seconds_count", **task("parity.echo", backend)) == 1

        settings = load_settings(
            database_url=env["ADOLF_DATABASE_URL"],
            redis_url=env["ADOLF_REDIS_URL"],
            queue_backend="rq",
            extra_catalogues=env["ADOLF_EXTRA_CATALOGUES"],
            metrics_dir=env["ADOLF_METRICS_DIR"],
            api_tokens="adm-0123456789:admin",
        )
        api = TestClient(create_app(settings, build_container(settings)))
        served = parse(api.get("/metrics").text)
        for backend in ports:
            fails = task("parity.always_fails", backend)
            assert get(served, "adolf_task_runs_total", **fails, outcome="failed") == 1
            assert get(served, "adolf_task_failures_total", **fails) == 3
            assert get(served, "adolf_task_retries_total", **fails) == 2
            assert get(served, "adolf_task_dead_letters_total", **fails) == 1
            assert get(served, "adolf_task_runs_total", **task("parity.echo", backend), outcome="succeeded") == 1
        assert get(served, "adolf_queue_length", queue=QUEUE, backend="rq") == 0
        assert get(served, "adolf_dead_letters") == 2
        # one file per writer: the Celery pool child and the RQ worker's horses (one file for all)
        files = sorted(p.name for p in (tmp_path / "metrics").iterdir())
        assert sum(name.startswith("counter_") and name.endswith("-horse.db") for name in files) == 1, files
        assert sum(name.startswith("counter_") for name in files) >= 2, files  # and the Celery child's
    finally:
        try:
            celery.stop()
        finally:
            rq.stop()


def test_a_worker_given_only_a_port_counts_its_horses_in_a_private_directory_it_removes(
    env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    temp = tmp_path / "worker-tmp"  # where the worker makes its private directory (TMPDIR)
    temp.mkdir()
    worker_env = {k: v for k, v in env.items() if k != "ADOLF_METRICS_DIR"}
    rq = RqHarness({**worker_env, "ADOLF_METRICS_PORT": str(port), "TMPDIR": str(temp)}, tmp_path)
    try:
        rq.start()
        for n in range(3):
            assert wait_for(rq.queue, rq.queue.enqueue("parity.echo", {"value": {"n": n}})).state.value == "succeeded"
        samples = scrape(port)
        assert get(samples, "adolf_task_runs_total", **task("parity.echo", "rq"), outcome="succeeded") == 3
        [private] = temp.glob("adolf-metrics-*")
        # three horses, one file of each kind: the counters and the histograms
        assert sorted(p.name.split("_")[0] for p in private.glob("*-horse.db")) == ["counter", "histogram"]
    finally:
        rq.stop()
    assert list(temp.iterdir()) == []  # removed when the worker stopped
