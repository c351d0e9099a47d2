"""Notifier that writes each notification to the structured log.

A deployment plugs in its channel (Telegram, e-mail) behind the same port; the log one is
the embedded default, and what tests read.
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from adolf.application.ports.alerts import Notification


class LogNotifier:
    def __init__(self) -> None:
        self.sent: list[Notification] = []
        self._log = structlog.get_logger("adolf.notifications")

    def send(self, notifications: Sequence[Notification]) -> None:
        for note in notifications:
            self.sent.append(note)
            self._log.info("notification", recipient=note.recipient, subject=note.subject, key=note.key)
