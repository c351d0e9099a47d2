"""Secrets out of what RQ keeps of a failed job.

RQ formats a failed job's exception — the whole chain, so the original error under our
``TaskFailed`` with whatever message it carried, a token in a refused URL included — and
stores that text in the job's ``Result`` and the failed registry, where ``rq info``,
dashboards and ``adolf tasks status`` read it for a day. ``mask_failures`` makes a worker
mask that text (``mask_text`` with the configured secrets) before RQ stores it; the work
horse is forked from the worker, so it masks too. RQ's log line of the same failure is
masked by the record factory ``configure_logging`` installs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from rq import Worker

from adolf.adapters.observability.logging import redactor

W = TypeVar("W", bound=Worker)


def mask_failures(worker: W, known_secrets: Iterable[str]) -> W:
    """``worker``, storing failed jobs' tracebacks with the configured secrets masked."""
    redact = redactor(known_secrets)
    store = worker.handle_job_failure

    def handle_job_failure(
        job: Any, queue: Any, started_job_registry: Any = None, exc_string: str = "", **kwargs: Any
    ) -> Any:
        return store(job, queue, started_job_registry, exc_string=redact(exc_string or ""), **kwargs)

    worker.handle_job_failure = handle_job_failure  # type: ignore[method-assign,assignment]
    return worker
