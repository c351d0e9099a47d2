"""The RQ backend: real worker processes (``python -m adolf.entrypoints.rq_worker worker``),
each the leader of its own session, so that killing the session takes the worker, its
forked work horse (RQ puts the horse in a process group of its own) and RQ's scheduler."""

from __future__ import annotations

import contextlib
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
from tests.support.parity_tasks import QUEUE

REPO = Path(__file__).resolve().parents[3]
READY_TIMEOUT = 30.0


def session_members(leader: int) -> list[int]:
    """Pids of the processes in the session ``leader`` started (start_new_session=True)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == leader:  # state ppid pgrp session …
            members.append(int(entry.name))
    return members


def kill_session(leader: int, sig: signal.Signals = signal.SIGKILL) -> None:
    for pid in session_members(leader):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


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
            proc = subprocess.Popen(
                [sys.executable, "-m", "adolf.entrypoints.rq_worker", "worker", "-q", QUEUE, "--name", name],
                env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
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
        for proc, log in self._workers:
            kill_session(proc.pid)
            proc.wait(timeout=10)
            log.close()
        self._workers = []

    def stop(self) -> None:
        for proc, _ in self._workers:
            kill_session(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc, log in self._workers:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            kill_session(proc.pid)  # whatever is left: a horse mid-job, a scheduler
            if proc.poll() is None:
                proc.wait(timeout=10)
            log.close()
        self._workers = []
        self.container.engine().dispose()

    @property
    def queue(self) -> TaskQueue:
        queue: TaskQueue = self.container.task_queue()
        return queue


def make_harness(env: dict[str, str], tmp_path: Path) -> RqHarness:
    return RqHarness(env, tmp_path)
