"""The ``system`` tasks: proof that a deployment's scheduler, workers and stores work."""

from __future__ import annotations

from adolf.application.catalogue import Catalogue, RetryPolicy, Schedule, TaskSpec, WorkerProfile
from adolf.application.system import tasks

SYSTEM_QUEUE = "system.default"

SYSTEM_CATALOGUE = Catalogue(
    [
        TaskSpec(
            name="system.ping",
            handler=tasks.ping,
            queue=SYSTEM_QUEUE,
            schedule=Schedule.every(60),
            soft_time_limit=20,
            time_limit=30,
            idempotent=True,
            description="Liveness: proves beat/cron and a worker are up.",
        ),
        TaskSpec(
            name="system.cleanup_runtime_records",
            handler=tasks.cleanup_runtime_records,
            queue=SYSTEM_QUEUE,
            schedule=Schedule("30 4 * * *"),
            soft_time_limit=240,
            time_limit=300,
            idempotent=True,
            description="Idempotency keys and in-process run records older than 7 days.",
        ),
        TaskSpec(
            name="system.health_check",
            handler=tasks.health_check,
            queue=SYSTEM_QUEUE,
            retry=RetryPolicy(max_retries=0),
            soft_time_limit=20,
            time_limit=30,
            idempotent=True,
            description="Database, Redis and queue lengths.",
        ),
    ],
    profiles={"system": WorkerProfile(prefetch=1, max_tasks_per_child=1000)},
)
