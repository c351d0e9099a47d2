"""The Celery entrypoint. Deployers run exactly::

    celery -A adolf.entrypoints.celery_app worker -Q <queues> -c N
    celery -A adolf.entrypoints.celery_app beat

One worker per module's queues gets that module's prefetch and max-tasks-per-child (see
``adolf.adapters.queues.celery_app``). Settings come from ``ADOLF_*`` variables; a missing
or invalid one stops the process with a message naming it.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, signals

from adolf.adapters.observability.logging import configure_logging
from adolf.container import Container, ContainerError, build_container
from adolf.settings import SettingsError, load_settings


def create_app() -> tuple[Celery, Container]:
    settings = load_settings(queue_backend="celery")  # the runner records runtime "celery"
    configure_logging(settings.log_format.value, settings.log_level, settings.secret_values())
    container = build_container(settings)
    celery_app: Celery = container.celery_app()
    container.task_queue()  # use cases enqueue through the same app

    @signals.worker_process_init.connect(weak=False)
    def _fresh_connections_after_fork(**_: Any) -> None:
        # A pool child must not share the parent's database sockets.
        container.engine().dispose(close=False)

    return celery_app, container


try:
    app, container = create_app()
except (SettingsError, ContainerError) as exc:  # one line naming the variable, not a traceback
    raise SystemExit(f"adolf (celery): {exc}") from None
