"""The RQ backend: real worker processes (``python -m adolf.entrypoints.rq_worker worker``),
each the leader of its own session, so that killing the session takes the worker, its
forked work horse (RQ puts the horse in a process group of its own) and RQ's scheduler."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import IO, Any

from redis import Redis
from rq import Worker

from adolf.adapters.sqlalchemy import migrate
from adolf.application.ports.tasks import TaskQueue
from adolf.container import build_container
from adolf.settings import load_settings
from tests.support import processes
from tests.support.parity_tasks import QUEUE

REPO = Path(__file__).resolve().parents[3]
READY_TIMEOUT = 30.0
STOP_GRACE = 10.0


def session_members(leader: int) -> list[int]:
    """Pids of the processes in the session ``leader`` started (start_new_session=True)."""
    sessions, groups = processes.tree([leader])
    return processes.members(sessions, groups)


def kill_session(leader: int, sig: signal.Signals = signal.SIGKILL) -> None:
    sessions, groups = processes.tree([leader])
    processes.signal_tree(sessions, groups, sig)


class RqHarness:
    name = "rq"

    def __init__(self, env: dict[str, str], tmp_path: Path) -> None:
        self.env = {**os.environ, **env, "ADOLF_QUEUE_BACKEND": "rq"}
        self.logs = tmp_path / "rq-workers"
        self.logs.mkdir(exist_ok=True)
        self.container: Any = build_container(
            load_settings(
                database_url=env["ADOLF_DATABASE_URL"],
                redis_url=env["ADOLF_REDIS_URL"],
                queue_backend="rq",
                extra_catalogues=env["ADOLF_EXTRA_CATALOGUES"],
            )
        )
        migrate.upgrade(self.container.engine())
        self.redis = Redis.from_url(env["ADOLF_REDIS_URL"])
        self._workers: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = []

    def start(self, workers: int = 1) -> None:
        names = []
        for _ in range(workers):
            name = f"parity-{uuid.uuid4().hex[:10]}"
            log = (self.logs / f"{name}.log").open("wb")
            # its own session (the horse and RQ's scheduler included), dies with the test process
            proc = processes.spawn(
                [sys.executable, "-m", "adolf.entrypoints.rq_worker", "worker", "-q", QUEUE, "--name", name],
                env=self.env,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            self._workers.append((proc, log))
            names.append(name)
        self._wait_ready(names)

    def _wait_ready(self, names: list[str]) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            alive = {w.name for w in Worker.all(connection=self.redis)}
            if alive.issuperset(names):
                return
            if any(proc.poll() is not None for proc, _ in self._workers):
                break
            time.sleep(0.1)
        raise RuntimeError(f"RQ workers {names} did not start; logs in {self.logs}:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        return "\n".join(p.read_text()[-2000:] for p in sorted(self.logs.glob("*.log")))

    def kill_worker(self) -> None:
        workers, self._workers = self._workers, []
        processes.stop_tree([proc for proc, _ in workers], grace=0)  # SIGKILL, no warning
        for _, log in workers:
            log.close()

    def stop(self) -> None:
        """SIGTERM to every session, 10 s, then SIGKILL for whatever is left (a horse mid-job, a
        scheduler); runs from the fixture's finalizer on any outcome."""
        workers, self._workers = self._workers, []
        try:
            processes.stop_tree([proc for proc, _ in workers], grace=STOP_GRACE)
        finally:
            for _, log in workers:
                log.close()
            self.container.engine().dispose()

    @property
    def queue(self) -> TaskQueue:
        queue: TaskQueue = self.container.task_queue()
        return queue


def make_harness(env: dict[str, str], tmp_path: Path) -> RqHarness:
    return RqHarness(env, tmp_path)
