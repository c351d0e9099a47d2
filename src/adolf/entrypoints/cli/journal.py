"""`adolf alerts` and `adolf recommendations`: what the modules have said, newest first."""

from __future__ import annotations

from datetime import date

import typer
from rich.table import Table

from adolf.application.marketing.calendar import Calendar
from adolf.entrypoints.cli.context import console, container, fail, nothing_in_database, print_json

JSON_HELP = "Print JSON instead of a table."
SEVERITY_STYLE = {"critical": "red", "warning": "yellow", "info": "cyan"}


def alerts(
    module: str | None = typer.Option(None, "--module", "-m", help="system, marketing, …; all when unset."),
    limit: int = typer.Option(50, min=1, max=10_000, help="How many, newest first."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Alerts raised by the modules: budgets, DRR, pauses, dead-lettered tasks. An unknown
    --module exits 2 naming it and the modules there are."""
    if module is not None:
        modules = sorted({spec.module for spec in container().catalogue()})
        if module not in modules:
            fail(f"--module={module!r} is not a module; modules: {', '.join(modules)}", 2)
    with container().uow() as uow:
        found = uow.alerts.recent(limit=limit, module=module)
    if not found:
        nothing_in_database("alerts" if module is None else f"{module} alerts")
    if as_json:
        print_json(
            [
                {
                    "id": a.id,
                    "created_at": a.created_at.isoformat(),
                    "module": a.module,
                    "severity": a.severity,
                    "type": a.type,
                    "campaign_id": a.campaign_id,
                    "message": a.message,
                }
                for a in found
            ]
        )
        return
    table = Table("id", "when (UTC)", "module", "severity", "type", "campaign", "message")
    for a in found:
        style = SEVERITY_STYLE.get(a.severity, "")
        table.add_row(
            str(a.id),
            a.created_at.strftime("%Y-%m-%d %H:%M"),
            a.module,
            f"[{style}]{a.severity}[/{style}]" if style else a.severity,
            a.type,
            a.campaign_id or "-",
            a.message,
        )
    console.print(table)


def recommendations(
    day: str | None = typer.Option(
        None, help="YYYY-MM-DD (ADOLF_TIMEZONE); default: yesterday, the day analytics ran on."
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Marketing analytics of a day: anomalies, trends and the advice written from them."""
    c = container()
    if day is None:
        wanted = Calendar.of(c.settings().timezone).yesterday(c.clock().now())
    else:
        try:
            wanted = date.fromisoformat(day)
        except ValueError:
            fail(f"--day={day!r} is not a date (YYYY-MM-DD)", 2)
    with c.uow() as uow:
        found = uow.recommendations.for_day(wanted)
        names = {camp.id: camp.name for camp in uow.campaigns.all()}
    if not found:
        nothing_in_database(
            f"recommendations for {wanted.isoformat()} "
            "(`marketing.calculate_analytics` writes a day's at 01:00 Moscow the next day)"
        )
    if as_json:
        print_json(
            {
                "day": wanted.isoformat(),
                "recommendations": [
                    {
                        "campaign_id": r.campaign_id,
                        "campaign": names.get(r.campaign_id),
                        "kind": r.kind,
                        "message": r.message,
                    }
                    for r in found
                ],
            }
        )
        return
    table = Table("campaign", "kind", "message", title=f"recommendations for {wanted.isoformat()}")
    for r in found:
        table.add_row(names.get(r.campaign_id, str(r.campaign_id)), r.kind, r.message)
    console.print(table)
