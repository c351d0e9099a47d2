"""RQ entrypoints: the worker and the cron scheduler.

    python -m adolf.entrypoints.rq_worker worker [-q QUEUE ...] [--burst] [--name NAME]
    python -m adolf.entrypoints.rq_worker scheduler

Both read the ``ADOLF_*`` settings (the queue backend is RQ whatever ADOLF_QUEUE_BACKEND
says; ADOLF_REDIS_URL is required). A worker serves the given queues, or every catalogue
queue (most urgent first), and runs RQ's scheduler for retries and countdowns. Run one
``scheduler`` (or more: the fire guard keeps them from double-firing) for the catalogue's
cron entries; it runs in the schedule's time zone (TZ=Europe/Moscow).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from typing import Any

from adolf.adapters.observability.logging import configure_logging
from adolf.adapters.queues.rq_admin import UnknownQueue
from adolf.adapters.queues.rq_cron import CatalogueCronScheduler, set_process_zone
from adolf.adapters.queues.rq_jobs import dead_letter_lost, install_runner
from adolf.adapters.queues.rq_masking import mask_failures
from adolf.adapters.queues.rq_queue import RqTaskQueue
from adolf.adapters.queues.rq_resilience import serve_through_outages
from adolf.adapters.queues.rq_workers import build_worker, ordered_queues
from adolf.adapters.redis.fire_guard import FireGuard
from adolf.application.payload import handler_fields
from adolf.container import Container, build_container
from adolf.settings import Settings, SettingsError, load_settings


def _container() -> tuple[Settings, Container]:
    settings = load_settings(queue_backend="rq")
    configure_logging(settings.log_format.value, settings.log_level, settings.secret_values())
    return settings, build_container(settings)


def _warm(container: Container) -> None:
    """Build the runner and everything a job touches once, in the worker process, so each
    forked work horse inherits them instead of building them per job; give each horse its
    own database connections (a pooled connection must not cross a fork)."""
    runner = container.runner()
    install_runner(runner)
    container.services()
    for spec in runner.catalogue:
        handler_fields(spec.handler)
    engine: Any = container.engine()
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))


def run_worker(queues: Sequence[str] | None = None, burst: bool = False, name: str | None = None) -> bool:
    """Serve ``queues`` (default: every catalogue queue); returns whether any job ran."""
    settings, container = _container()
    tasks: RqTaskQueue = container.task_queue()
    known = ordered_queues(tasks.catalogue)
    wanted = list(queues or known)
    unknown = [q for q in wanted if q not in known]
    if unknown:
        raise UnknownQueue(f"unknown queue(s) {', '.join(unknown)}; queues: {', '.join(known)}")
    _warm(container)
    secrets = settings.secret_values()
    return serve_through_outages(  # a fresh worker after each Redis outage that stopped one
        lambda: mask_failures(build_worker(tasks.redis, wanted, name=name, on_lost=dead_letter_lost), secrets),
        tasks.redis,
        burst=burst,
        with_scheduler=True,
        logging_level=settings.log_level.upper(),
    )


def run_scheduler(name: str = "") -> None:
    """Fire the catalogue's cron entries until stopped (SIGINT/SIGTERM)."""
    settings, container = _container()
    set_process_zone(settings.timezone)
    tasks: RqTaskQueue = container.task_queue()
    scheduler = CatalogueCronScheduler(tasks, FireGuard(tasks.redis), tz=settings.timezone, name=name)
    scheduler.start()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m adolf.entrypoints.rq_worker",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    worker = commands.add_parser("worker", help="run an RQ worker (with RQ's scheduler for retries)")
    worker.add_argument("-q", "--queue", action="append", dest="queues", help="queue to serve (repeatable)")
    worker.add_argument("--burst", action="store_true", help="quit when the queues are empty")
    worker.add_argument("--name", help="worker name (default: random)")
    scheduler = commands.add_parser("scheduler", help="run the cron scheduler for the catalogue")
    scheduler.add_argument("--name", default="", help="scheduler name (default: host:pid:random)")
    args = parser.parse_args(argv)
    try:
        if args.command == "worker":
            run_worker(args.queues, args.burst, args.name)
        else:
            run_scheduler(args.name)
    except (SettingsError, UnknownQueue) as exc:
        parser.error(str(exc))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
