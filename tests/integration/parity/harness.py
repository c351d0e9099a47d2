"""What the parity suite needs of a backend. One implementation per runtime:
harness_inline.py, harness_celery.py, harness_rq.py."""

from __future__ import annotations

import time
from typing import Any, Protocol

from adolf.application.ports.tasks import TaskQueue, TaskState, TaskStatus

TERMINAL = {TaskState.SUCCEEDED, TaskState.FAILED, TaskState.SKIPPED}


class BackendHarness(Protocol):
    name: str
    #: the container of the test process, built with the same settings as the workers
    container: Any

    def start(self, workers: int = 1) -> None:
        """Start worker processes (none for inline) consuming parity.default."""

    def stop(self) -> None: ...

    @property
    def queue(self) -> TaskQueue: ...

    def kill_worker(self) -> None:
        """SIGKILL the worker processes (the whole process group) mid-job."""


def wait_for(queue: TaskQueue, task_id: str, timeout: float = 30.0) -> TaskStatus:
    deadline = time.monotonic() + timeout
    status = queue.status(task_id)
    while status.state not in TERMINAL and time.monotonic() < deadline:
        time.sleep(0.1)
        status = queue.status(task_id)
    return status
