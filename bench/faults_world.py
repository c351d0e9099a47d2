"""A seeded seller and simulated market on the suite's PostgreSQL and Redis, worked by real
worker processes on a simulated clock — ``adolf simulate --backend celery|rq`` taken apart
so that a scenario can kill, cut or restart things between fires.

Seeding, settings, the fire plan and the worker environment are ``adolf simulate``'s own
(``adolf.entrypoints.simulation``); the workers are the deployer's command lines.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from adolf.adapters.redis.sim_clock import RedisSimulatedClock
from adolf.application.ports.tasks import TaskState
from adolf.application.tasks_catalogue import build_catalogue
from adolf.container import build_container
from adolf.entrypoints.simulation.run import SimulationOptions, planned_fires, prepare, simulation_settings
from adolf.entrypoints.simulation.workers import QUEUES, _worker_env
from faults_children import CHILDREN

BID_CYCLE = "marketing.run_bid_cycle"
MOSCOW_TZ = ZoneInfo("Europe/Moscow")
WORKER_QUEUES = (*QUEUES, "system.default")
TERMINAL = {TaskState.SUCCEEDED, TaskState.FAILED, TaskState.SKIPPED}


class World:
    def __init__(
        self,
        backend: str,
        database_url: str,
        redis_url: str,
        log_dir: Path,
        *,
        campaigns: int = 9,
        keywords: int = 8,
        worker_database_url: str | None = None,
        worker_env: dict[str, str] | None = None,
        visibility_timeout: int = 7200,
        start: date = date(2026, 1, 12),
    ) -> None:
        self.backend = backend
        self.log_dir = log_dir
        self.options = SimulationOptions(
            days=1,
            campaigns=campaigns,
            keywords=keywords,
            backend=backend,
            database_url=database_url,
            redis_url=redis_url,
            workers=1,
            start=start,
        )
        self.settings = simulation_settings(
            self.options, redis_url=redis_url, clock="simulated", visibility_timeout=visibility_timeout
        )
        self.container = build_container(self.settings)
        self.clock = RedisSimulatedClock(self.container.redis())
        self.clock.set(self.options.start_at)
        self.catalogue = build_catalogue()
        self.env = _worker_env(self.settings)
        self.env["ADOLF_VISIBILITY_TIMEOUT"] = str(visibility_timeout)
        if worker_database_url is not None:
            self.env["ADOLF_DATABASE_URL"] = worker_database_url
        self.env.update(worker_env or {})
        self.workers: list[subprocess.Popen[Any]] = []
        self.task_ids: list[str] = []
        self.seen: dict[str, TaskState] = {}  # ends observed by ``wait``

    # -- set up and tear down ----------------------------------------------------------------
    def seed(self) -> None:
        prepare(self.container, self.options)
        for name in WORKER_QUEUES:
            with contextlib.suppress(Exception):  # a queue the broker never saw
                self.queue.purge(name)

    def engine_for_market(self) -> Any:
        """The driver's engine: the simulated market's tables live in the same database."""
        return self.container.engine()

    @property
    def queue(self) -> Any:
        return self.container.task_queue()

    def start_workers(self, count: int = 1, concurrency: int = 1) -> None:
        tag = uuid.uuid4().hex[:6]
        for n in range(count):
            name = f"faults-{self.backend}-{tag}-{n}"
            if self.backend == "celery":
                cmd = [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "adolf.entrypoints.celery_app",
                    "worker",
                    "-Q",
                    ",".join(WORKER_QUEUES),
                    "-c",
                    str(concurrency),
                    "--pool",
                    "prefork",
                    "-n",
                    f"{name}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel",
                    "INFO",
                ]
            else:
                cmd = [sys.executable, "-m", "adolf.entrypoints.rq_worker", "worker", "--name", name]
                cmd += [arg for q in WORKER_QUEUES for arg in ("-q", q)]
            self.workers.append(CHILDREN.spawn(cmd, env=self.env, log=self.log_dir / f"{name}.log"))
        self.wait_workers(len(self.workers))

    def wait_workers(self, expected: int, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):  # the broker answers "no workers" with errors while they boot
                if len([w for w in self.queue.workers() if w.name.startswith("faults-")]) >= expected:
                    return
            if all(p.poll() is not None for p in self.workers):
                break
            time.sleep(0.5)
        raise RuntimeError(f"{self.backend} workers did not come up within {timeout:.0f} s; logs in {self.log_dir}")

    def kill_workers(self) -> None:
        """SIGKILL every worker's whole session: main process, pool children, work horses."""
        for proc in self.workers:
            CHILDREN.kill(proc)
        self.workers = []

    def stop_workers(self) -> None:
        for proc in self.workers:
            CHILDREN.stop(proc, grace=10)
        self.workers = []

    def close(self) -> None:
        self.stop_workers()
        with contextlib.suppress(Exception):
            self.clock.clear()
        with contextlib.suppress(Exception):
            self.container.engine().dispose()
        if self.backend == "celery":
            with contextlib.suppress(Exception):
                self.container.celery_app().close()

    # -- driving the schedule ----------------------------------------------------------------
    def fires(self, name: str | None = None) -> list[tuple[datetime, str]]:
        return [(at, n) for at, n in planned_fires(self.options) if name is None or n == name]

    def fire(self, at: datetime, name: str) -> str:
        self.clock.set(at)
        task_id: str = self.queue.enqueue(name, dict(self.catalogue.get(name).scheduled_payload))
        self.task_ids.append(task_id)
        return task_id

    def state(self, task_id: str) -> TaskState:
        try:
            return TaskState(self.queue.status(task_id).state)
        except Exception:  # noqa: BLE001 — a broker that is down knows nothing
            return TaskState.UNKNOWN

    def wait(self, task_id: str, timeout: float) -> TaskState:
        """Poll until the job ends (or ``timeout``); an end seen here is remembered in
        ``seen``, so a broker that later forgets it (a Redis restart) does not undo it."""
        deadline = time.monotonic() + timeout
        state = self.state(task_id)
        while state not in TERMINAL and time.monotonic() < deadline:
            time.sleep(0.1)
            state = self.state(task_id)
        if state in TERMINAL:
            self.seen[task_id] = state
        return state

    def wait_started(self, task_id: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.state(task_id)
            if state is TaskState.STARTED or state in TERMINAL:
                return state is TaskState.STARTED
            time.sleep(0.01)
        return False

    def drain(self, timeout: float) -> bool:
        """Until nothing waits in any queue and no worker holds a job (alerts queued by a cycle)."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while time.monotonic() < deadline:
            try:
                busy = sum(self.queue.queue_lengths().values()) + sum(len(w.current_jobs) for w in self.queue.workers())
            except Exception:  # noqa: BLE001
                busy = 1
            quiet = quiet + 1 if busy == 0 else 0
            if quiet >= 3:
                return True
            time.sleep(0.5)
        return False
