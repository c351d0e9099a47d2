"""A configured secret in a task's payload never reaches a worker's log nor the failure RQ
or Celery stores (message and traceback): real RQ and Celery workers (DEBUG logging) on a
redis-server of the test's own."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from rq.job import Job

from adolf.adapters.queues.rq_jobs import SERIALIZER
from adolf.adapters.queues.rq_queue import RqTaskQueue
from adolf.adapters.sqlalchemy import migrate
from adolf.application.catalogue import Catalogue, RetryPolicy, TaskSpec
from adolf.application.ports.tasks import TaskState
from adolf.container import build_container
from adolf.settings import load_settings
from tests.integration.parity.harness_celery import CeleryProcesses, wait_for_worker
from tests.support import processes
from tests.support.own_redis import OwnRedis, own_redis

REPO = Path(__file__).resolve().parents[2]
QUEUE = "masking.default"
SECRET = "wb-secret-0123456789"
TEXT = f"calling WB with {SECRET} now"


def _echo(services: Any, text: str) -> dict[str, str]:
    return {"echo": text}


def _leak(services: Any, text: str) -> None:
    raise RuntimeError(f"the marketplace refused {text}")


CATALOGUE = Catalogue(
    [
        TaskSpec("masking.echo", _echo, QUEUE),
        TaskSpec("masking.leak", _leak, QUEUE, retry=RetryPolicy(max_retries=0)),
    ]
)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[OwnRedis]:
    with own_redis(tmp_path) as server:
        yield server


def _env(url: str, tmp_path: Path, backend: str) -> dict[str, str]:
    return {
        **os.environ,
        "ADOLF_DATABASE_URL": f"sqlite:///{tmp_path / 'masking.sqlite3'}",
        "ADOLF_REDIS_URL": url,
        "ADOLF_QUEUE_BACKEND": backend,
        "ADOLF_WB_API_TOKEN": SECRET,
        "ADOLF_LOG_LEVEL": "DEBUG",
        "ADOLF_LOG_FORMAT": "json",
        "ADOLF_EXTRA_CATALOGUES": "tests.integration.test_worker_secret_masking:CATALOGUE",
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }


def _container(env: dict[str, str], backend: str) -> Any:
    container = build_container(
        load_settings(
            database_url=env["ADOLF_DATABASE_URL"],
            redis_url=env["ADOLF_REDIS_URL"],
            queue_backend=backend,
            extra_catalogues=env["ADOLF_EXTRA_CATALOGUES"],
            wb_api_token=SECRET,
        )
    )
    migrate.upgrade(container.engine())
    return container


@pytest.mark.slow
def test_rq_stores_and_logs_a_failed_jobs_traceback_with_the_secret_masked(
    redis_server: OwnRedis, tmp_path: Path
) -> None:
    env = _env(redis_server.url, tmp_path, "rq")
    container = _container(env, "rq")
    client = Redis.from_url(redis_server.url)
    try:
        tasks = RqTaskQueue(client, container.catalogue())
        echoed = tasks.enqueue("masking.echo", {"text": TEXT})
        leaked = tasks.enqueue("masking.leak", {"text": TEXT})
        burst = processes.run(
            [sys.executable, "-m", "adolf.entrypoints.rq_worker", "worker", "-q", QUEUE, "--burst"],
            env=env,
            cwd=REPO,
            timeout=60,
        )
        output = burst.stdout.decode() + burst.stderr.decode()
        assert burst.returncode == 0, output[-3000:]
        assert tasks.status(echoed).state is TaskState.SUCCEEDED
        assert tasks.status(leaked).state is TaskState.FAILED

        job = Job.fetch(leaked, connection=client, serializer=SERIALIZER)
        result = job.latest_result()
        assert result is not None and result.exc_string
        assert "the marketplace refused calling WB with *** now" in result.exc_string, result.exc_string
        assert SECRET not in result.exc_string
        assert leaked in output and "the marketplace refused" in output  # the failure is logged ...
        assert SECRET not in output  # ... masked, as is every other line (DEBUG included)
    finally:
        client.close()
        container.engine().dispose()


@pytest.mark.slow
def test_celerys_task_log_lines_mask_the_secret_in_args_results_and_errors(
    redis_server: OwnRedis, tmp_path: Path
) -> None:
    env = _env(redis_server.url, tmp_path, "celery")
    container = _container(env, "celery")
    log_dir = tmp_path / "celery"
    log_dir.mkdir()
    procs = CeleryProcesses(env, log_dir)
    app = container.celery_app()
    try:
        name = f"m{os.getpid()}"
        procs.spawn(
            "worker",
            "-Q",
            QUEUE,
            "-c",
            "1",
            "--pool",
            "prefork",
            "-n",
            f"{name}@%h",
            "--loglevel",
            "DEBUG",
            "--without-gossip",
            "--without-mingle",
            label=name,
        )
        wait_for_worker(app, name, procs)
        tasks = container.task_queue()
        ids = [tasks.enqueue("masking.echo", {"text": TEXT}), tasks.enqueue("masking.leak", {"text": TEXT})]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(
            tasks.status(i).state not in (TaskState.SUCCEEDED, TaskState.FAILED) for i in ids
        ):
            time.sleep(0.2)
        assert [tasks.status(i).state for i in ids] == [TaskState.SUCCEEDED, TaskState.FAILED], procs.logs()
        stored = json.loads(Redis.from_url(redis_server.url).get(f"celery-task-meta-{ids[1]}") or b"{}")
        failure = json.dumps([stored["result"], stored["traceback"]])
        assert "the marketplace refused calling WB with *** now" in failure and SECRET not in failure, failure
        time.sleep(0.5)  # the worker writes its "succeeded"/"raised" lines after the result
    finally:
        procs.stop()
        app.close()
        container.engine().dispose()
    logs = "".join(p.read_text(errors="replace") for p in log_dir.glob("*.log"))
    assert ids[0] in logs and ids[1] in logs  # Celery logged both tasks (received, args, result, error) ...
    assert SECRET not in logs  # ... masked
    assert "calling WB with *** now" in logs
