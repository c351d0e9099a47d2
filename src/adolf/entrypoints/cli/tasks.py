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
from adolf.entrypoints.cli.context import (
    console,
    container,
    fail,
    masked,
    note,
    print_json,
    require_redis,
    settings,
)

app = typer.Typer(help="The task catalogue; run a task by hand; look a result up by id.", no_args_is_help=True)

TERMINAL = {TaskState.SUCCEEDED, TaskState.FAILED, TaskState.SKIPPED}


JSON_HELP = "Print JSON instead of a table."


@app.command("list")
def list_tasks(
    module: str = typer.Option(None, "--module", "-m", help="Only this module's tasks."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """The catalogue as a table: queue, schedule (Moscow time), next fire, retries, limits.
    An unknown --module exits 2 naming it and the modules there are."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(settings().timezone)
    now = container().clock().now()
    catalogue = list(container().catalogue())
    modules = sorted({spec.module for spec in catalogue})
    if module is not None and module not in modules:
        fail(f"--module={module!r} is not a module of the catalogue; modules: {', '.join(modules)}", 2)
    rows = []
    for spec in catalogue:
        if module and spec.module != module:
            continue
        fire = next_fire(spec.schedule, now, settings().timezone).astimezone(zone) if spec.schedule else None
        rows.append((spec, fire))
    if as_json:
        print_json([_task_json(spec, fire) for spec, fire in rows])
        return
    table = Table("task", "queue", "schedule", "next fire (MSK)", "retries", "soft/hard s", "lock")
    for spec, fire in rows:
        retry = spec.retry
        retries = (
            "-"
            if not retry.max_retries
            else (f"{retry.max_retries} × {retry.delay:g}s" + (" exp" if retry.backoff else ""))
        )
        table.add_row(
            spec.name,
            spec.queue,
            spec.schedule.describe() if spec.schedule else "on demand",
            fire.strftime("%a %d %b %H:%M:%S") if fire else "-",
            retries,
            f"{spec.soft_time_limit or '-'}/{spec.time_limit or '-'}",
            spec.lock or "-",
        )
    console.print(table)


def _task_json(spec: Any, fire: Any) -> dict[str, Any]:
    retry = spec.retry
    return {
        "task": spec.name,
        "module": spec.module,
        "queue": spec.queue,
        "schedule": spec.schedule.describe() if spec.schedule else None,
        "next_fire": fire.isoformat() if fire else None,
        "retries": {"max": retry.max_retries, "delay_s": retry.delay, "backoff": bool(retry.backoff)},
        "soft_time_limit_s": spec.soft_time_limit,
        "time_limit_s": spec.time_limit,
        "lock": spec.lock,
    }


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
    if found.state is TaskState.UNKNOWN and found.name is None:
        fail(
            f"no task with id {task_id!r} on the {settings().queue_backend.value} queue "
            "(never queued there, or its result has expired)",
            2,
        )
    if found.state is TaskState.PENDING and found.name is None and settings().queue_backend.value == "celery":
        # Celery answers "pending" for any id it has no result for: it cannot say "unknown".
        note(f"Celery reports an id it has no result for as pending: {task_id!r} may not exist")
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
