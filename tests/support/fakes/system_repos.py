"""In-memory stores of the runtime's own records: alerts, dead letters, idempotency keys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from adolf.application.ports.alerts import AlertRecord
from adolf.application.ports.dead_letters import DeadLetter
from adolf.application.ports.outbox import EXPIRED, FAILED, PENDING, SENT, OutboxEntry
from tests.support.fakes.state import Stateful


class FakeAlertStore(Stateful):
    """``AlertStore``: rows with ids in insertion order."""

    def __init__(self) -> None:
        self.items: list[AlertRecord] = []

    def add(self, alert: AlertRecord) -> int | None:
        if alert.dedupe_key is not None and self.by_key(alert.dedupe_key) is not None:
            return None
        alert_id = len(self.items) + 1
        self.items.append(replace(alert, id=alert_id))
        return alert_id

    def by_key(self, dedupe_key: str) -> AlertRecord | None:
        return next((a for a in self.items if a.dedupe_key == dedupe_key), None)

    def mark_notified(self, alert_id: int, at: datetime) -> None:
        self.items[:] = [replace(a, notified_at=at) if a.id == alert_id else a for a in self.items]

    def recent(self, limit: int = 50, module: str | None = None) -> list[AlertRecord]:
        rows = [a for a in reversed(self.items) if module is None or a.module == module]
        return rows[:limit]

    def of_type(self, type_: str) -> list[AlertRecord]:
        return [a for a in self.items if a.type == type_]


class FakeAlertQueries:
    """``AlertQueries`` over the same rows as a ``FakeAlertStore`` (no state of its own)."""

    def __init__(self, store: FakeAlertStore) -> None:
        self.store = store

    def exists_since(self, module: str, type_: str, campaign_id: str, since: datetime) -> bool:
        return any(
            a.module == module and a.type == type_ and a.campaign_id == campaign_id and a.created_at >= since
            for a in self.store.items
        )

    def counts_between(self, module: str, start: datetime, end: datetime) -> dict[str, int]:
        counts: dict[str, int] = {}
        for a in self.store.items:
            if a.module == module and start <= a.created_at < end:
                counts[a.type] = counts.get(a.type, 0) + 1
        return counts

    def delete_before(self, module: str, cutoff: datetime) -> int:
        kept = [a for a in self.store.items if a.module != module or a.created_at >= cutoff]
        deleted = len(self.store.items) - len(kept)
        self.store.items[:] = kept
        return deleted


class FakeDeadLetters(Stateful):
    def __init__(self) -> None:
        self.items: list[DeadLetter] = []

    def add(self, letter: DeadLetter) -> int:
        letter_id = len(self.items) + 1
        self.items.append(replace(letter, id=letter_id))
        return letter_id

    def list(self, limit: int = 50, include_retried: bool = False) -> list[DeadLetter]:
        rows = [d for d in reversed(self.items) if include_retried or d.retried_at is None]
        return rows[:limit]

    def get(self, letter_id: int) -> DeadLetter | None:
        return next((d for d in self.items if d.id == letter_id), None)

    def mark_retried(self, letter_id: int, at: datetime) -> None:
        self.items[:] = [replace(d, retried_at=at) if d.id == letter_id else d for d in self.items]


class FakeIdempotencyKeys(Stateful):
    def __init__(self) -> None:
        self.keys: dict[str, str] = {}  # key -> task name
        self.claimed_at: dict[str, datetime | None] = {}

    def claim(self, key: str, task_name: str, at: datetime | None = None) -> bool:
        if key in self.keys:
            return False
        self.keys[key] = task_name
        self.claimed_at[key] = at
        return True

    def claim_many(self, keys: Sequence[str], task_name: str, at: datetime | None = None) -> set[str]:
        return {key for key in dict.fromkeys(keys) if self.claim(key, task_name, at)}

    def delete_before(self, cutoff: datetime) -> int:
        old = [k for k, at in self.claimed_at.items() if at is not None and at < cutoff]
        for key in old:
            del self.keys[key], self.claimed_at[key]
        return len(old)


class FakeTaskRunLog(Stateful):
    """Run records by when they were last updated."""

    def __init__(self) -> None:
        self.updated: dict[str, datetime] = {}

    def delete_before(self, cutoff: datetime) -> int:
        old = [task_id for task_id, at in self.updated.items() if at < cutoff]
        for task_id in old:
            del self.updated[task_id]
        return len(old)


class FakeOutbox(Stateful):
    """``Outbox``: entries by key, ids in insertion order."""

    def __init__(self) -> None:
        self.entries: dict[str, OutboxEntry] = {}

    def claim_many(self, entries: Sequence[OutboxEntry]) -> set[str]:
        claimed: set[str] = set()
        for entry in entries:
            if entry.key not in self.entries:
                self.entries[entry.key] = replace(entry, id=len(self.entries) + 1, status=PENDING)
                claimed.add(entry.key)
        return claimed

    def pending(self, task: str, keys: Sequence[str] | None = None, limit: int = 10_000) -> list[OutboxEntry]:
        wanted = None if keys is None else set(keys)
        found = [
            e
            for e in self.entries.values()
            if e.task == task and e.status == PENDING and (wanted is None or e.key in wanted)
        ]
        return sorted(found, key=lambda e: e.id or 0)[:limit]

    def _update(self, ids: Sequence[int], **changes: object) -> None:
        wanted = set(ids)
        for key, entry in list(self.entries.items()):
            if entry.id in wanted:
                self.entries[key] = replace(entry, **changes)  # type: ignore[arg-type]

    def mark_sent(self, ids: Sequence[int], at: datetime) -> None:
        self._update(ids, status=SENT, sent_at=at)

    def mark_failed(self, ids: Sequence[int], error: str, final: bool) -> None:
        wanted = set(ids)
        for key, entry in list(self.entries.items()):
            if entry.id in wanted:
                status = FAILED if final else entry.status
                self.entries[key] = replace(entry, attempts=entry.attempts + 1, last_error=error, status=status)

    def failed_since(self, tasks: Sequence[str], kinds: Sequence[str], since: datetime) -> list[OutboxEntry]:
        found = [
            e
            for e in self.entries.values()
            if e.task in tasks and e.kind in kinds and e.status == FAILED and e.created_at >= since
        ]
        return sorted(found, key=lambda e: e.id or 0)

    def expire_before(self, task: str, cutoff: datetime) -> int:
        old = [
            e.id or 0 for e in self.entries.values() if e.task == task and e.status == PENDING and e.created_at < cutoff
        ]
        self._update(old, status=EXPIRED)
        return len(old)

    def delete_before(self, cutoff: datetime) -> int:
        old = [k for k, e in self.entries.items() if e.status != PENDING and e.created_at < cutoff]
        for key in old:
            del self.entries[key]
        return len(old)

    def of_kind(self, kind: str) -> list[OutboxEntry]:
        return [e for e in self.entries.values() if e.kind == kind]
