"""`adolf logistic …`: Ozon FBO supply from the internal (1C) warehouse. For now
``load-brain``: a seller's 1C CSV export into a ``brain_*`` table (ADOLF does not run 1C;
``sync_brain_stocks`` reads what lands there). File rules: ``logistic_brain_load.py``."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from adolf.adapters.sqlalchemy.logistic_brain_load import (
    ALIASES,
    FIELDS,
    MAX_LISTED,
    BrainLoadError,
    LoadReport,
    brain_table,
    load_brain_csv,
)
from adolf.adapters.sqlalchemy.logistic_tables import BRAIN_TABLES
from adolf.entrypoints.cli.context import console, container, fail, masked

app = typer.Typer(help="Logistic: Ozon FBO stock, the 1C warehouse extract, supply tasks.", no_args_is_help=True)

JSON_HELP = "Print JSON instead of a table."
DELIMITER_NAMES = {";": "semicolon", ",": "comma", "\t": "tab"}


def _headers_help() -> str:
    lines = [
        f"{table}: {', '.join(FIELDS[table]['required'])} (and optionally {', '.join(FIELDS[table]['optional'])})"
        for table in BRAIN_TABLES
    ]
    names = [f"{name} = {' / '.join(aliases)}" for name, aliases in ALIASES.items()]
    return "Columns by table:\n\n" + "\n\n".join(lines) + "\n\nHeader names (any case):\n\n" + "\n\n".join(names)


@app.command("load-brain", epilog=_headers_help())
def load_brain(
    file: Path = typer.Argument(..., help="The 1C CSV export (UTF-8 with or without BOM, or cp1251; ';' or ',')."),
    table: str = typer.Option(..., "--table", help=f"The table it replaces: one of {', '.join(BRAIN_TABLES)}."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Load a 1C CSV extract into a brain_* table, replacing its previous load. Bad rows are
    skipped and reported by line; a quantity is kept as written (the import classifies it).
    Exit 0 when loaded (even with skipped rows), 2 when the file, table or header is refused."""
    try:
        brain_table(table)
        c = container()
        report = load_brain_csv(c.engine(), file, table, c.clock().now())
    except BrainLoadError as exc:
        fail(str(exc), 2)
    except SQLAlchemyError as exc:
        detail = getattr(exc, "orig", None) or exc
        fail(masked(f"{table} could not be written (is the database migrated? `adolf db upgrade`): {detail}"))
    if as_json:
        console.print_json(json.dumps({"file": str(file), **report.as_dict()}, ensure_ascii=False))
        return
    _print(file, report)


def _print(file: Path, report: LoadReport) -> None:
    summary = Table("rows", "count", title=f"{escape(str(file))} → {report.table}")
    summary.add_row("read", str(report.rows_read))
    summary.add_row("loaded", f"[green]{report.rows_loaded}[/green]")
    summary.add_row("skipped", f"[yellow]{report.rows_skipped}[/yellow]" if report.rows_skipped else "0")
    summary.add_row("previous load replaced", str(report.rows_replaced))
    console.print(summary)
    delimiter = DELIMITER_NAMES.get(report.delimiter, repr(report.delimiter))
    console.print(f"{report.encoding}, {delimiter}-separated; loaded_at {report.loaded_at.isoformat()}")
    if not report.rows_skipped:
        return
    reasons = Table("reason", "rows", title="skipped rows")
    for reason, count in sorted(report.skipped_by_reason.items()):
        reasons.add_row(escape(reason), str(count))
    console.print(reasons)
    lines = Table("line", "why", title=f"skipped lines (the first {MAX_LISTED})")
    for skipped in report.skipped_lines:
        lines.add_row(str(skipped.line), escape(skipped.reason))
    console.print(lines)
