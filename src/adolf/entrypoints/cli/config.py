"""`adolf config show`: the effective settings, secrets masked."""

from __future__ import annotations

import typer
from pydantic import SecretStr
from rich.table import Table

from adolf.adapters.observability.logging import mask_text
from adolf.entrypoints.cli.context import console, print_json, settings

app = typer.Typer(help="Effective configuration.", no_args_is_help=True)


@app.command()
def show(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
    """Print every setting with the environment variable that sets it; secrets masked."""
    current = settings()
    shown_values: dict[str, str] = {}
    for name in type(current).model_fields:
        value = getattr(current, name)
        if isinstance(value, SecretStr):
            shown = "***" if value.get_secret_value() else "(unset)"
        elif value is None:
            shown = "(unset)"
        elif isinstance(value, tuple):
            shown = ",".join(map(str, value)) or "(none)"
        else:
            shown = mask_text(str(getattr(value, "value", value)))
        shown_values[f"ADOLF_{name.upper()}"] = shown
    if as_json:
        print_json(shown_values)
        return
    table = Table("variable", "value")
    for variable, shown in shown_values.items():
        table.add_row(variable, shown)
    console.print(table)
