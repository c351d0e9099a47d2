"""Operator commands: queues, workers, dead letters, health."""

from __future__ import annotations

import contextlib
import json

import typer
from rich.table import Table

from adolf.application.bounds import INT64_MAX
from adolf.application.catalogue import UnknownTask
from adolf.application.payload import InvalidPayload, validate_payload
from adolf.application.ports.dead_letters import DeadLetter
from adolf.application.system.dead_letters import (
    DeadLetterAlreadyRetried,
    DeadLetterNotFound,
    retry_dead_letter,
)
from adolf.entrypoints.cli.context import console, container, cut, fail, masked, note, nothing_in_database, print_json

JSON_HELP = "Print JSON instead of a table."

queues_app = typer.Typer(help="Queue lengths; purge a queue.", invoke_without_command=True)
deadletters_app = typer.Typer(help="Jobs that failed for good: list and re-drive.", no_args_is_help=True)


@queues_app.callback()
def queues(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Length of every queue in the catalogue (and active/reserved/scheduled jobs)."""
    if ctx.invoked_subcommand is not None:
        return
    queue = container().task_queue()
    if as_json:
        print_json({"waiting": dict(sorted(queue.queue_lengths().items())), "jobs": queue.jobs()})
        return
    table = Table("queue", "waiting")
    for name, length in sorted(queue.queue_lengths().items()):
        table.add_row(name, str(length))
    console.print(table)
    for state, ids in queue.jobs().items():
        console.print(
            f"{state}: {len(ids)}" + (f"  ({', '.join(ids[:5])}{' …' if len(ids) > 5 else ''})" if ids else "")
        )


@queues_app.command()
def purge(
    name: str = typer.Argument(..., help="Queue name, e.g. marketing_low"),
    yes: bool = typer.Option(False, "--yes", help="Confirm: waiting jobs are deleted."),
) -> None:
    """Delete every waiting job of a queue."""
    if not yes:
        fail(f"purging {name} deletes its waiting jobs; repeat with --yes", 2)
    known = container().catalogue().queues()
    if name not in known:
        fail(f"unknown queue {name!r}; queues: {', '.join(known)}", 2)
    removed = container().task_queue().purge(name)
    console.print(f"purged {removed} job(s) from {name}")


def workers(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Which workers are up, their queues and current jobs; exit 1 when none is."""
    found = container().task_queue().workers()
    if as_json:
        print_json(
            [
                {"worker": w.name, "state": w.state, "queues": list(w.queues), "current_jobs": list(w.current_jobs)}
                for w in found
            ]
        )
    elif not found:
        console.print("no workers are up")
    if not found:
        raise typer.Exit(1)
    if as_json:
        return
    table = Table("worker", "state", "queues", "current jobs")
    for w in found:
        table.add_row(w.name, w.state, ", ".join(w.queues), ", ".join(w.current_jobs) or "-")
    console.print(table)


@deadletters_app.command("list")
def list_letters(
    limit: int = typer.Option(50, min=1, max=10_000, help="How many, newest first."),
    all_: bool = typer.Option(False, "--all", help="Include letters already re-driven."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Dead letters: id, task, when, attempts, error. Letters spooled while the database was
    unreachable are written to it first; those it still cannot take are listed as 'spooled'."""
    c = container()
    spooled = _spooled_letters(c, limit)
    try:
        with c.uow() as uow:
            letters = uow.dead_letters.list(limit=limit, include_retried=all_)
    except Exception as exc:  # noqa: BLE001 — the database is away: the spool is still worth showing
        if not spooled:
            fail(f"the database cannot be read: {masked(f'{type(exc).__name__}: {exc}')[:300]}", 1)
        note(f"the database cannot be read ({type(exc).__name__}); showing spooled letters only")
        letters = []
    if not spooled and not letters:
        nothing_in_database("dead letters" + ("" if all_ else " waiting to be re-driven"))
    if as_json:
        print_json([_letter_json(d) for d in [*spooled, *letters]])
        return
    table = Table("id", "task", "failed at (UTC)", "runtime", "attempts", "error", "payload")
    for d in [*spooled, *letters]:
        table.add_row(
            str(d.id) if d.id is not None else "spooled",
            d.task_name,
            d.failed_at.strftime("%Y-%m-%d %H:%M:%S"),
            d.runtime,
            str(d.attempts),
            cut(masked(d.exception), 80),  # masked before cutting: a cut secret would slip past
            cut(masked(json.dumps(d.payload, ensure_ascii=False)), 60),
        )
    console.print(table)


def _letter_json(d: DeadLetter) -> dict[str, object]:
    # Masked as text: a configured secret may sit anywhere in the payload or the error.
    return {
        "id": d.id,
        "spooled": d.id is None,
        "task": d.task_name,
        "failed_at": d.failed_at.isoformat(),
        "runtime": d.runtime,
        "attempts": d.attempts,
        "error": masked(d.exception),
        "payload": json.loads(masked(json.dumps(d.payload, ensure_ascii=False, default=str))),
    }


def _spooled_letters(c: object, limit: int) -> list[DeadLetter]:
    """Write what the spool holds (the database may be back), then what is left in it."""
    runner = c.runner()  # type: ignore[attr-defined]
    with contextlib.suppress(Exception):  # still unreachable: the letters stay spooled
        runner.flush_spool()
    try:
        spool = runner.spool
        return spool.peek(limit) if spool is not None else []
    except Exception as exc:  # noqa: BLE001 — Redis away too: say so, list the table's
        note(f"the dead-letter spool cannot be read ({type(exc).__name__})")
        return []


@deadletters_app.command()
def retry(
    letter_id: int = typer.Argument(..., min=1, max=INT64_MAX, help="Id from `adolf deadletters list`."),
    force: bool = typer.Option(False, "--force", help="Re-drive even if it was re-driven before."),
) -> None:
    """Queue the failed task again with its original payload (refused, and the letter left
    as it is, when that payload no longer fits the task)."""
    c = container()
    with c.uow() as uow:
        letter = uow.dead_letters.get(letter_id)
    try:
        if letter is not None:
            validate_payload(c.catalogue(), letter.task_name, letter.payload)
    except (InvalidPayload, UnknownTask) as exc:
        fail(f"dead letter {letter_id} cannot be re-driven: {exc}", 2)
    try:
        task_id = retry_dead_letter(letter_id, c.uow, c.task_queue(), c.clock(), force)
    except (DeadLetterNotFound, DeadLetterAlreadyRetried, InvalidPayload) as exc:
        fail(str(exc), 2)
    console.print(f"dead letter {letter_id} re-driven as task {task_id}")
    status = c.task_queue().status(task_id)
    console.print(f"state: {status.state.value}" + (f" — {masked(status.error)}" if status.error else ""))


def health() -> None:
    """Database, Redis and queue lengths; exit 1 when something is down."""
    c = container()
    report = {"database": c.health().database(), "redis": c.health().redis()}
    try:
        report["queues"] = c.health().queue_lengths()  # type: ignore[assignment]
    except Exception as exc:  # noqa: BLE001 — reported, not raised
        report["queues"] = f"error: {exc}"
    console.print_json(masked(json.dumps(report)))
    if report["database"] != "ok" or report["redis"] not in ("ok", "not used"):
        raise typer.Exit(1)
