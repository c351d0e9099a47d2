"""Settings, logging and the container for one CLI invocation, built on first use."""

from __future__ import annotations

import functools
import json
from typing import Any, NoReturn

import typer
from rich.console import Console, ConsoleDimensions
from rich.markup import escape

from adolf.adapters.observability.logging import configure_logging, mask_text
from adolf.container import Container, build_container
from adolf.settings import Settings, SettingsError, load_settings

#: The width a table may take when stdout is not a terminal: wide enough that no cell is ever
#: wrapped or cut with an ellipsis, whatever COLUMNS says.
PIPE_WIDTH = 1_000_000


class PipeConsole(Console):
    """A console that lays its output out for the terminal's width on a terminal and, in a pipe
    or a file, at no width at all: tables keep every character of every cell and a line is never
    wrapped, so ``| grep`` and ``| cut`` see what was there."""

    @property
    def size(self) -> ConsoleDimensions:
        measured = Console.size.fget(self)  # type: ignore[attr-defined]
        return measured if self.is_terminal else ConsoleDimensions(PIPE_WIDTH, measured.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


# emoji=False: Redis keys such as ``watcher:lock:check_alerts`` contain ``:lock:``, which rich
# would print as an emoji.
console = PipeConsole(emoji=False)
errors = Console(stderr=True, emoji=False)


def rule(title: str) -> None:
    """A heading: rich's full-width rule on a terminal, one ``== title ==`` line in a pipe."""
    if console.is_terminal:
        console.rule(title)
    else:
        console.print(f"== {title} ==")


def cut(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters (an ellipsis last) on a terminal; whole in a pipe."""
    if not console.is_terminal or len(text) <= width:
        return text
    return text[: width - 1] + "…"


def print_json(document: Any) -> None:
    """``document`` as JSON, alone on stdout (dates and decimals as strings)."""
    console.print_json(json.dumps(document, ensure_ascii=False, default=str))


def note(message: str) -> None:
    """A remark for the person at the terminal, on stderr: stdout keeps only the data."""
    errors.print(escape(message), soft_wrap=True, highlight=False)


#: Settings given on the command line (``adolf --database URL …``), over the environment's.
overrides: dict[str, object] = {}


def override(name: str, value: object | None) -> None:
    """Set (or, with None, drop) a setting for this invocation; the next ``settings()`` reads it."""
    wanted = {**overrides, name: value} if value is not None else {k: v for k, v in overrides.items() if k != name}
    if wanted != overrides:
        overrides.clear()
        overrides.update(wanted)
        settings.cache_clear()
        container.cache_clear()


@functools.cache
def settings() -> Settings:
    try:
        loaded = load_settings(**overrides)
    except SettingsError as exc:
        errors.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)  # one line, as fail()
        raise typer.Exit(2) from None
    configure_logging(
        loaded.log_format.value, loaded.log_level, loaded.secret_values()
    )  # stderr, as it is at each line
    return loaded


@functools.cache
def container() -> Container:
    return build_container(settings())


def unreachable(message: str) -> None:
    """Outside a command (``main``): print ``message`` as ``fail`` does and exit 1."""
    errors.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    raise SystemExit(1)


def fail(message: str, code: int = 1) -> NoReturn:
    # One line, whatever the terminal's width; brackets in a refused value are text, not markup.
    errors.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def masked(text: str) -> str:
    """``text`` as it may be shown: configured secrets and credentials masked."""
    return mask_text(text, settings().secret_values())


def require_redis() -> None:
    """Exit 1 with one line when the queue backend's Redis does not answer within seconds
    (instead of a traceback, or Celery's result store retrying for half a minute)."""
    from adolf.adapters.redis.probe import redis_problem

    current = settings()
    if current.queue_backend.value == "inline":
        return
    urls = {current.redis_url: "ADOLF_REDIS_URL"}
    urls.setdefault(current.broker_url, "ADOLF_BROKER_URL")
    for url, variable in urls.items():
        if url and url.startswith(("redis://", "rediss://", "unix://")):
            problem = redis_problem(url)
            if problem is not None:
                fail(masked(f"Redis at {url} ({variable}) is unreachable: {problem}"))


def database_shown() -> str:
    """The database this invocation reads, as it may be printed (a password masked)."""
    return masked(settings().database_url)


def nothing_in_database(what: str, why: str = "") -> None:
    """On stderr: there are no ``what`` in the database read, which one it is, and how to read
    another — ``adolf simulate`` writes its own (var/simulation.sqlite3 by default), and a
    listing right after it would otherwise show an empty table with nothing to say why."""
    from pathlib import Path

    from adolf.entrypoints.simulation.run import DEFAULT_DATABASE

    read = settings().database_url
    simulated = DEFAULT_DATABASE.removeprefix("sqlite:///")
    hint = "pass `adolf --database URL …` or set ADOLF_DATABASE_URL to read another"
    if read != DEFAULT_DATABASE and Path(simulated).exists():
        hint = f"`adolf simulate` wrote {DEFAULT_DATABASE}; {hint}"
    note(f"no {what} in {database_shown()}" + (f": {why}" if why else "") + f" — {hint}")
