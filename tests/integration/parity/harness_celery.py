"""The Celery backend: real ``celery worker`` processes (prefork pool) on the Redis broker.

Workers run exactly the deployer's command line, each in its own process group so that
``kill_worker`` can SIGKILL the main process and its pool children at once. The visibility
timeout is lowered to 10 s so that a killed worker's job is handed out again within
seconds (it must stay above the longest job these tests run, 4 s).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from adolf.adapters.sqlalchemy import migrate
from adolf.application.ports.tasks import TaskQueue
from adolf.container import build_container
from adolf.settings import load_settings
from tests.support import processes

CELERY = str(Path(sys.executable).parent / "celery")
APP = "adolf.entrypoints.celery_app"
VISIBILITY_TIMEOUT = "10"
STOP_GRACE = 10.0


class CeleryProcesses:
    """Celery subprocesses (workers, beats), each in its own session; logs under ``log_dir``."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = {**os.environ, **env}
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen[bytes]] = []

    def spawn(self, *args: str, label: str) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"{label}.log").open("ab")
        try:
            # its own session, killed as a whole; dies with the test process (PR_SET_PDEATHSIG)
            proc = processes.spawn(
                [CELERY, "-A", APP, *args],
                env=self.env,
                cwd=self.log_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        finally:
            log.close()
        self.procs.append(proc)
        return proc

    def worker(self, queues: str, concurrency: int = 1, *extra: str) -> str:
        """Start a worker and return its node name (``<name>@<host>``) once it answers ping."""
        name = f"w{uuid.uuid4().hex[:8]}"
        self.spawn(
            "worker",
            "-Q",
            queues,
            "-c",
            str(concurrency),
            "--pool",
            "prefork",
            "-n",
            f"{name}@%h",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            *extra,
            label=name,
        )
        return name

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal every process of every session we started (workers, pool children, beats)."""
        sessions, groups = processes.tree(p.pid for p in self.procs)
        processes.signal_tree(sessions, groups, sig)

    def stop(self, grace: float = STOP_GRACE) -> None:
        """SIGTERM, ``grace`` seconds, then SIGKILL for whatever is left; on any outcome."""
        procs, self.procs = list(self.procs), []
        processes.stop_tree(procs, grace=grace)

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}" for p in sorted(self.log_dir.glob("*.log"))
        )


def wait_for_worker(app: Any, name: str, procs: CeleryProcesses, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=0.5) or []
        if any(node.startswith(f"{name}@") for reply in replies for node in reply):
            return
        if any(p.poll() is not None for p in procs.procs[-1:]):
            raise RuntimeError(f"celery worker {name} exited:\n{procs.logs()}")
    raise TimeoutError(f"celery worker {name} did not answer ping within {timeout} s:\n{procs.logs()}")


class CeleryHarness:
    name = "celery"

    def __init__(self, env: dict[str, str], tmp_path: Path) -> None:
        env = {**env, "ADOLF_QUEUE_BACKEND": "celery", "ADOLF_VISIBILITY_TIMEOUT": VISIBILITY_TIMEOUT}
        log_dir = tmp_path / "celery"
        log_dir.mkdir(exist_ok=True)
        self.procs = CeleryProcesses(env, log_dir)
        self.container: Any = build_container(
            load_settings(
                database_url=env["ADOLF_DATABASE_URL"],
                redis_url=env["ADOLF_REDIS_URL"],
                queue_backend="celery",
                extra_catalogues=env["ADOLF_EXTRA_CATALOGUES"],
                visibility_timeout=int(VISIBILITY_TIMEOUT),
            )
        )
        migrate.upgrade(self.container.engine())

    def start(self, workers: int = 1) -> None:
        name = self.procs.worker("parity.default", workers)
        wait_for_worker(self.container.celery_app(), name, self.procs)

    def stop(self) -> None:
        try:
            self.procs.stop()
        finally:
            self.container.celery_app().close()
            self.container.engine().dispose()

    @property
    def queue(self) -> TaskQueue:
        queue: TaskQueue = self.container.task_queue()
        return queue

    def kill_worker(self) -> None:
        self.procs.kill(signal.SIGKILL)
        for proc in self.procs.procs:
            proc.wait(timeout=10)


def make_harness(env: dict[str, str], tmp_path: Path) -> CeleryHarness:
    return CeleryHarness(env, tmp_path)
