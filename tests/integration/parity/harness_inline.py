"""The in-process backend: no worker processes; jobs run in the triggering thread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adolf.adapters.sqlalchemy import migrate
from adolf.application.ports.tasks import TaskQueue
from adolf.container import build_container
from adolf.settings import load_settings


class InlineHarness:
    name = "inline"

    def __init__(self, env: dict[str, str], tmp_path: Path) -> None:
        self.env = env
        self.container: Any = build_container(
            load_settings(
                database_url=env["ADOLF_DATABASE_URL"],
                redis_url=env["ADOLF_REDIS_URL"],
                queue_backend="inline",
                extra_catalogues=env["ADOLF_EXTRA_CATALOGUES"],
                lock_ttl=float(env["ADOLF_LOCK_TTL"]),
                transient_retry_delay=float(env["ADOLF_TRANSIENT_RETRY_DELAY"]),
            )
        )
        migrate.upgrade(self.container.engine())

    def start(self, workers: int = 1) -> None:
        return None

    def stop(self) -> None:
        self.container.engine().dispose()

    @property
    def queue(self) -> TaskQueue:
        queue: TaskQueue = self.container.task_queue()
        return queue

    def kill_worker(self) -> None:
        raise NotImplementedError("the inline backend has no worker process to kill")


def make_harness(env: dict[str, str], tmp_path: Path) -> InlineHarness:
    return InlineHarness(env, tmp_path)
