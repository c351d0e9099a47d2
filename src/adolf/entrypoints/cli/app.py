"""Top-level `adolf` command: sub-commands are registered here, one module each."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as dist_version

import typer

from adolf.entrypoints.cli import (
    campaigns,
    config,
    db,
    journal,
    logistic,
    marketplace,
    ops,
    reputation,
    rq,
    simulate,
    tasks,
    watcher,
)
from adolf.entrypoints.cli.context import console, override

app = typer.Typer(
    name="adolf",
    help="ADOLF: a marketplace seller's routine (ad bids, prices, reviews, supply) as background jobs.\n\n"
    "In a pipe or a file, tables are printed whole (no cell cut, no line wrapped) and without colours; "
    "every listing takes --json and then prints JSON alone on stdout (notes and progress go to stderr).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold secrets
)


@app.callback()
def options(
    database: str | None = typer.Option(
        None,
        "--database",
        metavar="URL",
        help="Database to read and write (over ADOLF_DATABASE_URL), e.g. sqlite:///var/simulation.sqlite3, "
        "the one `adolf simulate` writes.",
    ),
) -> None:
    # Before any command reads a setting: settings() is built on first use.
    override("database_url", database)


app.add_typer(db.app, name="db")
app.add_typer(config.app, name="config")
app.add_typer(tasks.app, name="tasks")
app.add_typer(ops.queues_app, name="queues")
app.add_typer(ops.deadletters_app, name="deadletters")
app.add_typer(rq.app, name="rq")
app.add_typer(campaigns.app, name="campaigns")
app.add_typer(watcher.app, name="watcher")
app.add_typer(logistic.app, name="logistic")
app.add_typer(reputation.app, name="reputation")
app.add_typer(marketplace.app, name="marketplace")
app.command()(journal.alerts)
app.command()(journal.recommendations)
app.command()(ops.workers)
app.command()(ops.health)
app.command()(simulate.simulate)


@app.command()
def api(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
) -> None:
    """Serve the HTTP API (manual runs, task status, /health, /metrics) with uvicorn."""
    import uvicorn

    from adolf.entrypoints.http import create_app

    uvicorn.run(create_app(), host=host, port=port, log_level="warning")


@app.command()
def version() -> None:
    """Print the installed version of ADOLF."""
    try:
        console.print(dist_version("adolf"))
    except PackageNotFoundError:
        console.print("unknown (not installed)")


def main() -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from adolf.adapters.redis.probe import unreachable_errors
    from adolf.entrypoints.cli.context import database_shown, masked, unreachable

    try:
        app()
    except unreachable_errors() as exc:  # any command: one line, not a traceback
        unreachable(masked(f"Redis or the broker is unreachable: {exc}"))
    except SQLAlchemyError as exc:  # e.g. a database never migrated: name it, and the way out
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        unreachable(
            masked(
                f"the database {database_shown()} could not be read or written ({detail}); "
                "is it migrated? `adolf db upgrade` (or `adolf --database URL …` for another one)"
            )
        )
