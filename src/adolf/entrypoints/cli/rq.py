"""`adolf rq …`: the RQ worker and cron scheduler (the alternate runtime)."""

from __future__ import annotations

import typer

from adolf.entrypoints.cli.context import fail

app = typer.Typer(help="RQ runtime: workers and the cron scheduler.", no_args_is_help=True)


@app.command()
def worker(
    queue: list[str] = typer.Option(None, "--queue", "-q", help="Queue to serve (repeatable; default: all)."),
    burst: bool = typer.Option(False, help="Quit when the queues are empty."),
    name: str = typer.Option(None, help="Worker name (default: random)."),
) -> None:
    """Serve queues with an RQ worker (RQ's scheduler runs inside it for retries and countdowns)."""
    from adolf.adapters.queues.rq_admin import UnknownQueue
    from adolf.entrypoints.rq_worker import run_worker

    try:
        run_worker(queue or None, burst, name)
    except UnknownQueue as exc:
        fail(str(exc), 2)


@app.command()
def scheduler(name: str = typer.Option("", help="Scheduler name (default: host:pid:random).")) -> None:
    """Fire the catalogue's schedules in Moscow time; more than one may run (a fire guard dedupes)."""
    from adolf.entrypoints.rq_worker import run_scheduler

    run_scheduler(name)
