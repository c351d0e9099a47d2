"""The `adolf` command line."""

from __future__ import annotations

import itertools
import sys

import typer

from adolf.entrypoints.cli.app import app
from adolf.entrypoints.cli.app import main as _run

__all__ = ["app", "main"]


def main() -> None:
    """``adolf``: a command that needs an extra that is not installed, or a setting the container
    cannot build, ends on one line saying what to do, exit 1, no traceback."""
    from adolf.container import ContainerError

    try:
        _run()
    except ContainerError as exc:
        _refuse(str(exc))
    except ModuleNotFoundError as exc:
        hint = _hint(sys.argv[1:], exc)
        if hint is None:
            raise
        _refuse(hint)


def _refuse(message: str) -> None:
    from adolf.entrypoints.cli.context import unreachable

    unreachable(message)


def _hint(argv: list[str], exc: ModuleNotFoundError) -> str | None:
    """Names ``adolf <sub-commands>`` as typed and an option whose value chose the missing
    extra (``adolf simulate --backend celery``); no other option: their values may be secrets."""
    from adolf.extras import EXTRA_OF, extra_for, install_hint, widest

    extra = extra_for(exc.name)
    if extra is None:
        return None
    words = ["adolf"]
    group = typer.main.get_command(app)
    for token in argv:
        found = getattr(group, "commands", {}).get(token)
        if found is not None:
            words.append(token)
            group = found
    chosen = [(option, value) for option, value in itertools.pairwise(argv) if option.startswith("--")]
    chosen += [(token.partition("=")[0], token.partition("=")[2]) for token in argv if token.startswith("--")]
    named = [value for _, value in chosen if value in EXTRA_OF.values()] + words
    extra = widest(extra, named)
    words += [f"{option} {value}" for option, value in chosen if value == extra]
    return install_hint(exc, " ".join(words), extra)
