"""One fire per schedule slot, however many schedulers run.

Neither Celery beat nor RQ's cron scheduler stops a second instance from firing the same
job. Each scheduler claims ``adolf:fired:{task}:{slot}`` with SET NX before it enqueues;
the slot is the schedule's own fire time, so two schedulers a few seconds apart compute
the same key and only the first enqueues.
"""

from __future__ import annotations

from datetime import datetime

from redis import Redis

KEY = "adolf:fired:{task}:{slot}"
KEEP_SECONDS = 2 * 24 * 3600


class FireGuard:
    def __init__(self, client: Redis) -> None:
        self.client = client

    def claim(self, task: str, slot: datetime, owner: str) -> bool:
        key = KEY.format(task=task, slot=slot.isoformat())
        return bool(self.client.set(key, owner, nx=True, ex=KEEP_SECONDS))
