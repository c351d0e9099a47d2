"""Port: the dead-letter record of jobs that failed for good."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class DeadLetter:
    task_id: str
    task_name: str
    payload: dict[str, Any]
    exception: str
    traceback: str
    failed_at: datetime
    runtime: str  # inline | celery | rq
    attempts: int = 1
    id: int | None = None
    retried_at: datetime | None = None


class DeadLetters(Protocol):
    def add(self, letter: DeadLetter) -> int: ...

    def list(self, limit: int = 50, include_retried: bool = False) -> list[DeadLetter]: ...

    def get(self, letter_id: int) -> DeadLetter | None: ...

    def mark_retried(self, letter_id: int, at: datetime) -> None: ...
