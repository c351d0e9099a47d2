"""Settings, logging and the container for one CLI invocation, built on first use."""

from __future__ import annotations

import functools
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from adolf.adapters.observability.logging import configure_logging, mask_text
from adolf.container import Container, build_container
from adolf.settings import Settings, SettingsError, load_settings

# emoji=False: Redis keys such as ``watcher:lock:check_alerts`` contain ``:lock:``, which rich
# would print as an emoji.
console = Console(emoji=False)
errors = Console(stderr=True, emoji=False)


@functools.cache
def settings() -> Settings:
    try:
        loaded = load_settings()
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


def fail(message: str, code: int = 1) -> Any:
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
