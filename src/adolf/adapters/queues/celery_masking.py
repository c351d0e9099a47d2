"""Secrets out of what Celery's result store keeps of a failed task.

The result backend stores a failure's exception (its type and message) and its formatted
traceback, the whole chain, so the original error under a dead-lettered task with whatever
its message carried; ``adolf tasks status``, the HTTP API and Flower read it back for an
hour. ``mask_stored_failures`` makes a backend mask both (``mask_text`` with the configured
secrets) before it writes them. Celery's log lines are masked by the record factory
``configure_logging`` installs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from celery import states
from celery.backends.base import Backend


def mask_stored_failures(backend: Backend, redact: Callable[[str], str]) -> Backend:
    """``backend``, writing failures with their message and traceback masked."""
    meta_of = backend._get_result_meta

    def result_meta(result: Any, state: str, traceback: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        if state in states.EXCEPTION_STATES:
            if isinstance(traceback, str):
                traceback = redact(traceback)
            if isinstance(result, dict) and "exc_message" in result:
                result = {**result, "exc_message": _masked(result["exc_message"], redact)}
        return meta_of(result, state, traceback, request, *args, **kwargs)

    backend._get_result_meta = result_meta  # type: ignore[method-assign]
    return backend


def _masked(value: Any, redact: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list | tuple):
        return type(value)(_masked(v, redact) for v in value)
    return value
