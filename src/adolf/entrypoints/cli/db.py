"""`adolf db …`: schema migrations (Alembic) on SQLite or PostgreSQL."""

from __future__ import annotations

import typer

from adolf.adapters.sqlalchemy import migrate
from adolf.entrypoints.cli.context import console, container

app = typer.Typer(help="Database schema: upgrade, downgrade, current revision.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision (default: the latest).")) -> None:
    """Apply migrations up to REVISION."""
    engine = container().engine()
    migrate.upgrade(engine, revision)
    console.print(f"database at revision [bold]{migrate.current(engine)}[/bold]")


@app.command()
def downgrade(revision: str = typer.Argument("-1", help="Target revision; 'base' removes every table.")) -> None:
    """Revert migrations down to REVISION (one step by default)."""
    engine = container().engine()
    migrate.downgrade(engine, revision)
    console.print(f"database at revision [bold]{migrate.current(engine) or 'base'}[/bold]")


@app.command()
def current() -> None:
    """Print the revision the database is at."""
    console.print(migrate.current(container().engine()) or "base (empty)")
