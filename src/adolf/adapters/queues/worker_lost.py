"""A job whose process keeps dying: shared by the Celery and RQ adapters."""

from __future__ import annotations

#: Times a job may lose its process and run again before it is dead-lettered.
MAX_REDELIVERIES = 3


class WorkerLost(Exception):
    """The process running the job died and the job will not run again."""
