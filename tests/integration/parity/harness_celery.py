"""The Celery backend: real ``celery worker`` processes (prefork pool) on the Redis broker.

Workers run exactly the deployer's command line, each in its own process group so that
``kill_worker`` can SIGKILL the main process and its pool children at once. The visibility
timeout is lowered to 10 s so that a killed worker's job is handed out again within
seconds (it must stay above the longest job these tests run, 4 s).
"""

from __future__ import annotations

import contextlib
import ctypes
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

CELERY = str(Path(sys.executable).parent / "celery")
APP = "adolf.entrypoints.celery_app"
VISIBILITY_TIMEOUT = "10"
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """A test process that dies (Ctrl-C twice, a CI timeout) must not leave workers behind
    that would steal the next run's jobs: the kernel sends them SIGTERM (Linux only)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


class CeleryProcesses:
    """Celery subprocesses (workers, beats), each in its own session; logs under ``log_dir``."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = {**os.environ, **env}
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen[bytes]] = []

    def spawn(self, *args: str, label: str) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"{label}.log").open("ab")
        try:
            proc = subprocess.Popen(
                [CELERY, "-A", APP, *args], env=self.env, cwd=self.log_dir,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        finally:
            log.close()
        self.procs.append(proc)
        return proc

    def worker(self, queues: str, concurrency: int = 1, *extra: str) -> str:
        """Start a worker and return its node name (``<name>@<host>``) once it answers ping."""
        name = f"w{uuid.uuid4().hex[:8]}"
        self.spawn(
            "worker", "-Q", queues, "-c", str(concurrency), "--pool", "prefork", "-n", f"{name}@%h",
            "--loglevel", "INFO", "--without-gossip", "--without-mingle", *extra, label=name,
        )
        return name

    def kill(self, sig: int = signal.SIGKILL) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, sig)

    def stop(self, grace: float = 10.0) -> None:
        self.kill(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        self.kill(signal.SIGKILL)
        for proc in self.procs:
            proc.wait(timeout=10)
        self.procs.clear()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}"
                         for p in sorted(self.log_dir.glob("*.log")))


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
