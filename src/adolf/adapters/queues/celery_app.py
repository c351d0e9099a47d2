"""The Celery app, derived from the catalogue: tasks, queues, routes, limits, beat.

Choices a deployer should know:

* ``visibility_timeout`` (``ADOLF_VISIBILITY_TIMEOUT``, default 7200 s). On a Redis broker a
  job taken by a worker that dies is handed out again only after this many seconds, and a
  job reserved longer than this (a long countdown/ETA, a long run under ``acks_late``) is
  handed out *again while it is still held*. So it must exceed the longest hard limit
  (``watcher.calculate_priorities``: 2100 s) and the longest retry countdown (the retry
  policies cap at 3600 s): 7200 s covers both. Restore sweeps run every
  ``min(10, timeout/5)`` s (kombu's default is ~100 s), so a lowered timeout, as the
  redelivery test uses, takes effect within seconds. A catalogue entry that breaks the rule
  is logged as a warning when the app is built.
* Per-module prefetch and ``max_tasks_per_child``: run one worker per module's queues,
  ``celery -A adolf.entrypoints.celery_app worker -Q marketing_high,marketing_default,
  marketing_low``; the module(s) of the ``-Q`` queues pick the catalogue's
  ``WorkerProfile`` (see ``celery_worker``). ``--prefetch-multiplier`` /
  ``--max-tasks-per-child`` on the command line still win.
* Priorities: the catalogue's 0 (highest) … 9. Redis reads them that way (ten priority
  sub-queues per queue); for an AMQP broker they are inverted and queues declared with
  ``x-max-priority``.
* Hard time limits are enforced by the prefork pool (``--pool prefork``, the default).
* A job whose process dies is put back on its queue (``acks_late`` +
  ``reject_on_worker_lost``) and runs again; one that has lost its process
  ``MAX_REDELIVERIES`` times is dead-lettered instead of looping (``celery_task``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from celery import Celery
from kombu import Exchange, Queue

from adolf.adapters.queues.celery_beat import beat_fire_times, beat_schedule
from adolf.adapters.queues.celery_task import register_tasks
from adolf.adapters.queues.celery_worker import AdolfCeleryApp, worker_profile
from adolf.adapters.redis.deliveries import DeliveryCounter
from adolf.application.catalogue import Catalogue
from adolf.application.runtime import TaskRunner
from adolf.settings import Settings

__all__ = ["CeleryContext", "beat_fire_times", "build_celery_app", "worker_profile"]

log = logging.getLogger(__name__)

RESULT_EXPIRES = 3600
#: A connect to the Redis broker or result store that gets no answer fails after this many
#: seconds (then Celery's own retries go on) instead of hanging as long as the OS lets it;
#: only the connect: a worker's blocking reads keep their own timeouts.
REDIS_CONNECT_TIMEOUT = 5.0
PRIORITY_LEVELS = 10


@dataclass(frozen=True)
class CeleryContext:
    """What the beat scheduler and the queue adapter need beside the Celery app."""

    catalogue: Catalogue
    runner: TaskRunner
    settings: Settings
    deliveries: DeliveryCounter | None = None


def build_celery_app(catalogue: Catalogue, runner: TaskRunner, settings: Settings) -> Celery:
    broker = settings.effective_broker_url
    amqp = broker.startswith(("amqp://", "amqps://", "pyamqp://"))

    def priority(value: int) -> int:
        return PRIORITY_LEVELS - 1 - value if amqp else value

    app = AdolfCeleryApp("adolf", set_as_current=False)
    deliveries = DeliveryCounter(settings.redis_url) if settings.redis_url else None
    app.adolf = CeleryContext(catalogue, runner, settings, deliveries)
    app.conf.update(_config(catalogue, settings, broker, amqp, priority))
    app.conf.beat_schedule = beat_schedule(catalogue, app, priority)
    register_tasks(app, runner)
    _warn_about_visibility(catalogue, settings.visibility_timeout)
    return app


def _config(
    catalogue: Catalogue, settings: Settings, broker: str, amqp: bool, priority: Callable[[int], int]
) -> dict[str, Any]:
    queue_args = {"x-max-priority": PRIORITY_LEVELS - 1} if amqp else None
    queues = [
        Queue(name, Exchange(name, type="direct"), routing_key=name, queue_arguments=queue_args)
        for name in catalogue.queues()
    ]
    visibility = settings.visibility_timeout
    lowest = worker_profile(catalogue, None)  # a worker started without -Q
    default_queue = "system.default" if "system.default" in catalogue.queues() else catalogue.queues()[0]
    return {
        "broker_url": broker,
        "result_backend": settings.redis_url,
        "redis_socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {
            "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
            "visibility_timeout": visibility,
            "priority_steps": list(range(PRIORITY_LEVELS)),
            "queue_order_strategy": "priority",
            "unacked_restore_interval": max(1, min(10, visibility // 5)),
            "unacked_restore_throttle": 1,
        },
        "task_queues": queues,
        "task_default_queue": default_queue,
        "task_create_missing_queues": False,
        "task_routes": {spec.name: {"queue": spec.queue, "priority": priority(spec.priority)} for spec in catalogue},
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "result_expires": RESULT_EXPIRES,
        "result_extended": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_track_started": True,
        "task_acks_on_failure_or_timeout": True,
        "timezone": settings.timezone,
        "enable_utc": True,
        "worker_prefetch_multiplier": lowest.prefetch,
        "worker_max_tasks_per_child": lowest.max_tasks_per_child,
        "beat_scheduler": "adolf.adapters.queues.celery_beat:GuardedScheduler",
    }


def _warn_about_visibility(catalogue: Catalogue, visibility: int) -> None:
    too_long = sorted(
        spec.name
        for spec in catalogue
        if max(spec.time_limit or 0, spec.retry.base_delay(spec.retry.max_retries) if spec.retry.max_retries else 0)
        >= visibility
    )
    if too_long:
        log.warning(
            "ADOLF_VISIBILITY_TIMEOUT=%s s is not above the hard limit or longest retry delay of %s: "
            "a Redis broker would hand such a job out twice",
            visibility,
            ", ".join(too_long),
        )
