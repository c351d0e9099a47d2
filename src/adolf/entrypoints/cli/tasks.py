"""`adolf tasks …`: the catalogue, running a task by hand, looking a result up."""

from __future__ import annotations

import json
import time
from typing import Any

import typer
from rich.table import Table

from adolf.adapters.queues.schedules import next_fire
from adolf.adapters.redis.probe import unreachable_errors
from adolf.application.catalogue import UnknownTask
from adolf.application.payload import InvalidPayload, parse_payload
from adolf.application.ports.tasks import TaskState
from adolf.entrypoints.cli.context import console, container, fail, masked, require_redis, settings

app = typer.Typer(help="The task catalogue; run a task by hand; look a result up by id.", no_args_is_help=True)

TERMINAL = {TaskState.SUCCEEDED, TaskState.FAILED, TaskState.SKIPPED}


@app.command("list")
def list_tasks(module: str = typer.Option(None, "--module", "-m", help="Only this module's tasks.")) -> None:
    """The catalogue as a table: queue, schedule (Moscow time), next fire, retries, limits."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(settings().timezone)
    now = container().clock().now()
    table = Table("task", "queue", "schedule", "next fire (MSK)", "retries", "soft/hard s", "lock")
    for spec in container().catalogue():
        if module and spec.module != module:
            continue
        retry = spec.retry
        retries = (
            "-"
            if not retry.max_retries
            else (f"{retry.max_retries} × {retry.delay:g}s" + (" exp" if retry.backoff else ""))
        )
        schedule = spec.schedule.describe() if spec.schedule else "on demand"
        fire = next_fire(spec.schedule, now, settings().timezone).astimezone(zone) if spec.schedule else None
        table.add_row(
            spec.name,
            spec.queue,
            schedule,
            fire.strftime("%a %d %b %H:%M:%S") if fire else "-",
            retries,
            f"{spec.soft_time_limit or '-'}/{spec.time_limit or '-'}",
            spec.lock or "-",
        )
    console.print(table)


@app.command()
def run(
    name: str = typer.Argument(..., help="Task name, e.g. system.ping"),
    payload: str = typer.Option("{}", "--payload", "-p", help="JSON object of the task's arguments."),
    wait: bool = typer.Option(False, "--wait", "-w", help="Wait for the result (inline always waits)."),
    timeout: float = typer.Option(600.0, min=0, max=86_400, help="Seconds to wait with --wait."),
) -> None:
    """Queue a task by hand and print its id (and its result with --wait). The payload is
    checked against the task's arguments first: a bad one exits 2 naming the field and value.
    Redis unreachable (celery, rq): exit 1 with one line."""
    require_redis()
    queue = container().task_queue()
    try:
        task_id = queue.enqueue(name, parse_payload(payload, "--payload"))
    except (UnknownTask, InvalidPayload) as exc:
        fail(masked(str(exc)), 2)  # a refused value may be a configured secret
    except unreachable_errors() as exc:
        fail(masked(f"the queue is unreachable: {exc}"))
    console.print(f"queued [bold]{name}[/bold] as {task_id}")
    if wait or settings().queue_backend.value == "inline":
        deadline = time.monotonic() + timeout
        try:
            status = queue.status(task_id)
            while status.state not in TERMINAL and time.monotonic() < deadline:
                time.sleep(0.2)
                status = queue.status(task_id)
        except unreachable_errors() as exc:
            fail(masked(f"queued as {task_id}, but the queue became unreachable while waiting: {exc}"))
        _print_status(status)
        if status.state is TaskState.FAILED:
            raise typer.Exit(1)


@app.command()
def status(task_id: str = typer.Argument(..., help="The id `adolf tasks run` printed.")) -> None:
    """Look a task's state and result up by id."""
    require_redis()
    try:
        found = container().task_queue().status(task_id)
    except unreachable_errors() as exc:
        fail(masked(f"the queue is unreachable: {exc}"))
    _print_status(found)


def _print_status(status: Any) -> None:
    """The status as JSON; a configured secret in the result or the error is masked."""
    console.print_json(
        masked(
            json.dumps(
                {
                    "task_id": status.task_id,
                    "task": status.name,
                    "state": status.state.value,
                    "result": status.result,
                    "error": status.error,
                },
                default=str,
            )
        )
    )
