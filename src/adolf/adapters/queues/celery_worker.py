"""Per-module worker settings (SPEC §2): prefetch and max tasks per child follow the
module whose queues a worker consumes.

Deployers run one worker per module, ``celery -A adolf.entrypoints.celery_app worker -Q
marketing_high,marketing_default,marketing_low``; the ``-Q`` queues pick the module's
``WorkerProfile``. A worker over several modules' queues (or over all, without ``-Q``)
takes the most conservative of their profiles. ``--prefetch-multiplier`` and
``--max-tasks-per-child`` given on the command line (or as ``CELERY_…`` env options) win.

Celery's CLI always passes a prefetch value (the config default when the option is not
given), and hands it to the worker before any signal can change it, so the choice is made
in the worker's own ``setup_defaults``.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import click
from celery import Celery
from celery.apps.worker import Worker
from click.core import ParameterSource

from adolf.application.catalogue import Catalogue, WorkerProfile


def worker_profile(catalogue: Catalogue, queues: str | list[str] | tuple[str, ...] | None) -> WorkerProfile:
    """The profile of a worker consuming ``queues`` (a ``-Q`` value; None: every queue)."""
    if isinstance(queues, str):
        queues = [q.strip() for q in queues.split(",") if q.strip()]
    wanted = set(queues or ())
    modules = sorted({spec.module for spec in catalogue if not wanted or spec.queue in wanted})
    profiles = [catalogue.profile(module) for module in modules] or [WorkerProfile()]
    return WorkerProfile(
        prefetch=min(p.prefetch for p in profiles),
        max_tasks_per_child=min(p.max_tasks_per_child for p in profiles),
    )


def _given(name: str, kwargs: dict[str, Any]) -> bool:
    context = click.get_current_context(silent=True)
    if context is None or name not in context.params:
        return kwargs.get(name) is not None  # a worker built in code: its argument
    return context.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)


class ProfiledWorker(Worker):  # type: ignore[misc]
    def setup_defaults(self, **kwargs: Any) -> None:
        profile = worker_profile(self.app.adolf.catalogue, kwargs.get("queues"))
        if not _given("prefetch_multiplier", kwargs):
            kwargs["prefetch_multiplier"] = profile.prefetch
        if not _given("max_tasks_per_child", kwargs):
            kwargs["max_tasks_per_child"] = profile.max_tasks_per_child
        super().setup_defaults(**kwargs)

    def on_start(self) -> None:
        """The main process, before the pool forks: its children's metrics reach the port."""
        super().on_start()
        from adolf.adapters.queues.worker_metrics import start_worker_metrics

        start_worker_metrics(self.app.adolf.runner)


class AdolfCeleryApp(Celery):  # type: ignore[misc]
    """A Celery app whose ``celery worker`` applies the module profile and whose result
    backend stores failures with secrets masked (``celery_masking``)."""

    @cached_property
    def Worker(self) -> Any:  # Celery's name for it
        return self.subclass_with_self(ProfiledWorker)

    def _get_backend(self) -> Any:
        """Celery's result backend, storing failures with the configured secrets masked."""
        from adolf.adapters.observability.logging import redactor
        from adolf.adapters.queues.celery_masking import mask_stored_failures

        backend = super()._get_backend()
        context = getattr(self, "adolf", None)
        return mask_stored_failures(backend, redactor(context.settings.secret_values())) if context else backend
