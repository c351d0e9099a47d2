"""The ``QueueAdmin`` port on RQ: queue lengths, purge, workers, jobs by state.

Registries are read without RQ's implicit cleanup (``cleanup=False``): RQ's cleanup of
the started registry would fail a job abandoned by a dead worker, which our workers
redeliver instead (see ``rq_workers``).
"""

from __future__ import annotations

from typing import Protocol

from redis import Redis
from rq import Queue, Worker

from adolf.adapters.queues.rq_jobs import SERIALIZER
from adolf.application.catalogue import Catalogue
from adolf.application.ports.tasks import WorkerInfo


class UnknownQueue(LookupError):
    """A queue name that is not in the catalogue."""


class _HasQueues(Protocol):
    redis: Redis
    catalogue: Catalogue

    def queue(self, name: str) -> Queue: ...


class RqQueueAdmin:
    def queue_lengths(self: _HasQueues) -> dict[str, int]:
        return {name: self.queue(name).count for name in self.catalogue.queues()}

    def purge(self: _HasQueues, queue: str) -> int:
        """Drop the jobs waiting in ``queue`` (not the running or scheduled ones)."""
        if queue not in self.catalogue.queues():
            raise UnknownQueue(f"unknown queue {queue!r}; queues: {', '.join(self.catalogue.queues())}")
        return int(self.queue(queue).empty())  # type: ignore[no-untyped-call]

    def workers(self: _HasQueues) -> list[WorkerInfo]:
        infos = []
        for worker in Worker.all(connection=self.redis, serializer=SERIALIZER):
            current = worker.get_current_job_id()
            infos.append(
                WorkerInfo(
                    name=worker.name,
                    queues=tuple(worker.queue_names()),
                    state=str(worker.get_state()),
                    current_jobs=(current,) if current else (),
                )
            )
        return infos

    def jobs(self: _HasQueues) -> dict[str, list[str]]:
        active: list[str] = []
        reserved: list[str] = []
        scheduled: list[str] = []
        for name in self.catalogue.queues():
            queue = self.queue(name)
            active += queue.started_job_registry.get_job_ids(cleanup=False)
            reserved += queue.get_job_ids()
            scheduled += queue.scheduled_job_registry.get_job_ids(cleanup=False)
        return {"active": active, "reserved": reserved, "scheduled": scheduled}
