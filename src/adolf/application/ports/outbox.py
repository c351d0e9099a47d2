"""Port: the outbox — external effects claimed with the decision, then sent.

A use case writes each effect it decided (a bid change, a pause, an alert) with its
idempotency key in the same transaction as the decision. Only then is it sent, and marked
sent in the transaction that applies it to our records. A retried or redelivered job finds
its recorded effects: it sends those still ``pending`` and never re-sends a ``sent`` one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

PENDING, SENT, FAILED, EXPIRED = "pending", "sent", "failed", "expired"


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    key: str
    task: str
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    status: str = PENDING
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None
    id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


class Outbox(Protocol):
    def claim_many(self, entries: Sequence[OutboxEntry]) -> set[str]:
        """Insert the entries whose key is new (one statement); the keys inserted now."""

    def pending(self, task: str, keys: Sequence[str] | None = None, limit: int = 10_000) -> list[OutboxEntry]:
        """Entries not yet sent, oldest first; only those with ``keys`` when given."""

    def mark_sent(self, ids: Sequence[int], at: datetime) -> None: ...

    def mark_failed(self, ids: Sequence[int], error: str, final: bool) -> None:
        """Count a failed send; ``final`` stops it being sent again (a refused request)."""

    def failed_since(self, tasks: Sequence[str], kinds: Sequence[str], since: datetime) -> list[OutboxEntry]:
        """Entries of ``tasks`` and ``kinds`` refused as final (``failed``), decided at or after
        ``since``, oldest first."""

    def expire_before(self, task: str, cutoff: datetime) -> int:
        """Give up on entries still pending that were decided before ``cutoff``."""

    def delete_before(self, cutoff: datetime) -> int:
        """Forget entries decided before ``cutoff`` that are no longer pending."""
