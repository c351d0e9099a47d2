"""Waiting for a queued task's end, the same way on every backend."""

from __future__ import annotations

import time

from adolf.application.ports.tasks import TaskQueue, TaskState, TaskStatus

TERMINAL = frozenset({TaskState.SUCCEEDED, TaskState.FAILED, TaskState.SKIPPED})


class TaskWaitTimeout(TimeoutError):
    pass


def wait_for(queue: TaskQueue, task_id: str, timeout: float = 600.0, poll: float = 0.05) -> TaskStatus:
    deadline = time.monotonic() + timeout
    status = queue.status(task_id)
    while status.state not in TERMINAL:
        if time.monotonic() > deadline:
            raise TaskWaitTimeout(f"task {task_id} still {status.state.value} after {timeout:.0f} s")
        time.sleep(poll)
        status = queue.status(task_id)
    return status
