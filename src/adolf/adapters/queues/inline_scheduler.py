"""Fires the catalogue's schedules in-process, on any clock.

On a ``ManualClock`` it jumps from fire to fire (and to retries in between), so a
simulated week runs as fast as the jobs themselves.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import datetime

from adolf.adapters.clocks import ManualClock
from adolf.adapters.queues.inline import InlineTaskQueue
from adolf.adapters.queues.schedules import iter_fires
from adolf.application.catalogue import MOSCOW, TaskSpec

FireHook = Callable[[datetime, TaskSpec], None]


class InlineScheduler:
    def __init__(self, queue: InlineTaskQueue, tz: str = MOSCOW, only: Callable[[TaskSpec], bool] | None = None):
        self.queue = queue
        self.tz = tz
        self.specs = [s for s in queue.catalogue.scheduled() if only is None or only(s)]

    def fires(self, start: datetime, end: datetime) -> list[tuple[datetime, str]]:
        """Every (fire time, task name) in ``(start, end]``, in order."""
        merged: list[tuple[datetime, str]] = []
        for spec in self.specs:
            assert spec.schedule is not None
            for fire in iter_fires(spec.schedule, start, self.tz):
                if fire > end:
                    break
                merged.append((fire, spec.name))
        return sorted(merged)

    def run_until(self, end: datetime, on_fire: FireHook | None = None) -> int:
        """Fire every schedule up to ``end`` and run the jobs; returns the fires made."""
        clock = self.queue.clock
        if not isinstance(clock, ManualClock):
            raise TypeError("run_until needs a ManualClock; a wall-clock deployment uses Celery beat or RQ cron")
        start = clock.now()
        heap = self.fires(start, end)
        heapq.heapify(heap)
        fired = 0
        while heap:
            at, name = heapq.heappop(heap)
            self.queue.drain(advance=True, until=at)
            if clock.now() < at:
                clock.set(at)
            spec = self.queue.catalogue.get(name)
            if on_fire is not None:
                on_fire(at, spec)
            self.queue.enqueue(name, dict(spec.scheduled_payload))
            self.queue.drain(advance=False)
            fired += 1
        self.queue.drain(advance=True, until=end)
        if clock.now() < end:
            clock.set(end)
        return fired
