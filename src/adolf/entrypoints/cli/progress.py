"""A progress bar for commands that take more than a few seconds (the simulation, 1C imports,
the benches and the fault suite).

It is drawn on stderr, so stdout keeps only the command's output, and only when both stdout
and stderr are terminals and the output is not JSON: in a pipe, a file, a CI log or under
``--json`` it is silent (a bar redrawn into a log is noise, and a script reads stdout)."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def wanted(quiet: bool = False) -> bool:
    """Whether a bar is drawn: not ``quiet`` and both stdout and stderr are terminals."""
    return not quiet and sys.stdout.isatty() and sys.stderr.isatty()


def bar(quiet: bool = False, measuring: bool = False) -> Progress:
    """A bar on stderr (description, bar, done/total, time elapsed); disabled unless ``wanted``.

    Use it as a context manager: ``with bar() as shown: job = shown.add_task("…", total=n)``.
    ``measuring`` (a bench): redrawn only when it moves, so no drawing thread competes for the
    CPU with what is timed."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True, emoji=False),
        disable=not wanted(quiet),
        transient=False,
        auto_refresh=not measuring,
    )
