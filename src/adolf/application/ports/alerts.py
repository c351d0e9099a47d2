"""Ports: where alerts are kept, and how people are told."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class AlertRecord:
    module: str  # system | marketing | watcher | reputation | logistic
    type: str  # e.g. budget_exceeded, task_dead_lettered
    severity: str  # info | warning | critical
    message: str
    created_at: datetime
    brand: str | None = None
    campaign_id: str | None = None
    details: dict[str, str] = field(default_factory=dict)
    id: int | None = None
    #: What makes this alert the same alert (source, type, subject, window): the database
    #: keeps one row per key, so a redelivered or retried job adds none.
    dedupe_key: str | None = None
    notified_at: datetime | None = None


class AlertStore(Protocol):
    def add(self, alert: AlertRecord) -> int | None:
        """The new row's id; None when a row with the same ``dedupe_key`` exists."""

    def by_key(self, dedupe_key: str) -> AlertRecord | None: ...

    def mark_notified(self, alert_id: int, at: datetime) -> None: ...

    def recent(self, limit: int = 50, module: str | None = None) -> list[AlertRecord]: ...


@dataclass(frozen=True, slots=True)
class Notification:
    recipient: str
    subject: str
    body: str
    #: The same for every attempt to tell this person of this alert: a channel that can
    #: deduplicate (a message id) sends it once even when a job dying between sending and
    #: marking the alert notified makes the next delivery send it again.
    key: str | None = None


class Notifier(Protocol):
    def send(self, notifications: Sequence[Notification]) -> None: ...
