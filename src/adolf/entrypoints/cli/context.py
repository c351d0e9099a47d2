"""Settings, logging and the container for one CLI invocation, built on first use."""

from __future__ import annotations

import functools
import sys
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from adolf.adapters.observability.logging import configure_logging
from adolf.container import Container, build_container
from adolf.settings import Settings, SettingsError, load_settings

console = Console()
errors = Console(stderr=True)


@functools.cache
def settings() -> Settings:
    try:
        loaded = load_settings()
    except SettingsError as exc:
        errors.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    configure_logging(loaded.log_format.value, loaded.log_level, loaded.secret_values(), stream=sys.stderr)
    return loaded


@functools.cache
def container() -> Container:
    return build_container(settings())


def fail(message: str, code: int = 1) -> Any:
    # One line, whatever the terminal's width; brackets in a refused value are text, not markup.
    errors.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)
