"""A job whose process keeps dying: shared by the Celery and RQ adapters."""

from __future__ import annotations

from adolf.application.runtime import WorkerLost

__all__ = ["MAX_REDELIVERIES", "WorkerLost"]

#: Times a job may lose its process and run again before it is dead-lettered.
MAX_REDELIVERIES = 3
