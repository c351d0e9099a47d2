"""`adolf logistic …`: Ozon FBO supply from the internal (1C) warehouse.

- ``deficits``: the deficits per article × cluster as of now (SPEC §4.4), each with what
  ``generate_supply_tasks`` would do with it: its open task, or the units the warehouse would
  allocate. Read-only; computed by the task's own ``supply_generation.plan_supply`` (the same
  reads, ``blend``, ``needs`` and ``allocate``), shown in the order the warehouse serves them.
- ``tasks``: supply tasks, newest first; ``accept`` / ``ship`` / ``cancel`` ID move one through
  ``supply_actions`` (the domain's status machine: a refused move exits 2 naming both statuses,
  an unknown id exits 2).
- ``load-brain``: a seller's 1C CSV export into a ``brain_*`` table (ADOLF does not run 1C;
  ``sync_brain_stocks`` reads what lands there). File rules: ``logistic_brain_load.py``.

Exit codes: 0 done, 2 refused input (bad option, unknown id, illegal move), 1 the database
could not be read or written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

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
from adolf.application.logistic import supply_actions
from adolf.application.logistic.ports import LogisticServices
from adolf.application.logistic.scope import brand_filter, brand_label
from adolf.application.logistic.supply_actions import UnknownSupplyTask
from adolf.application.logistic.supply_generation import plan_supply
from adolf.application.payload import InvalidPayload
from adolf.domain.logistic.allocation import Allocation, Coverage, service_order
from adolf.domain.logistic.articles import Article
from adolf.domain.logistic.deficit import Need, SupplyPriority, target_stock
from adolf.domain.logistic.errors import IllegalTransition
from adolf.domain.logistic.stock import FboStock
from adolf.domain.logistic.supply_tasks import SupplyTask, SupplyTaskStatus
from adolf.entrypoints.cli import progress
from adolf.entrypoints.cli.context import console, container, cut, fail, masked, nothing_in_database

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
    """Load a 1C CSV extract into a brain_* table, replacing its previous load.

    Bad rows are skipped and reported by line; a quantity is kept as written (the import classifies it).
    Exit 0 when loaded (even with skipped rows), 2 when the file, table or header is refused."""
    try:
        brain_table(table)
        c = container()
        # One call reads, checks and replaces the table: the bar says it is working, not how far.
        with progress.bar(quiet=as_json) as bar:
            bar.add_task(f"loading {file.name} into {table}", total=None)
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


# --- deficits, supply tasks and their moves ------------------------------------------------

PRIORITY_STYLE = {SupplyPriority.URGENT: "red", SupplyPriority.PLANNED: "yellow", SupplyPriority.RECOMMENDED: "cyan"}
STATUS_STYLE = {
    SupplyTaskStatus.NEW: "cyan",
    SupplyTaskStatus.ACCEPTED: "yellow",
    SupplyTaskStatus.SHIPPED: "green",
    SupplyTaskStatus.CANCELLED: "dim",
}
BRAND_HELP = "One brand's name, or 'all'."


def _services() -> LogisticServices:
    services: LogisticServices = container().services()
    return services


def _print_json(document: Any) -> None:
    console.print_json(json.dumps(document, ensure_ascii=False, default=str))


def _scope(brand: str) -> str | None:
    try:
        return brand_filter(brand)
    except InvalidPayload:
        fail(f"--brand={brand!r} must be a brand's name or 'all'", 2)
    return None  # not reached: fail() exits


def _database_failed(exc: SQLAlchemyError) -> Any:
    detail = getattr(exc, "orig", None) or exc
    return fail(masked(f"the database could not be read (is it migrated? `adolf db upgrade`): {detail}"))


def _cover(value: Decimal | None) -> str:
    return "-" if value is None else str(value)


def _styled(value: str, style: str) -> str:
    return f"[{style}]{value}[/{style}]"


@dataclass(frozen=True, slots=True)
class DeficitLine:
    """A need with what ``generate_supply_tasks`` would do with it now: leave it to its open
    task, or create a task with ``allocation``."""

    need: Need
    stock: FboStock
    article: Article
    cluster: str
    target: int
    open_task: SupplyTask | None
    allocation: Allocation | None


@dataclass(frozen=True, slots=True)
class DeficitView:
    lines: list[DeficitLine]  # in the order the warehouse serves them
    warehouse: int  # units in the 1C warehouse (of the brand's articles)
    reserved: int  # of them, allocated to open tasks


def deficit_view(services: LogisticServices, scope: str | None) -> DeficitView:
    """The deficits as ``generate_supply_tasks`` would see them if it ran now: its own
    ``plan_supply`` (the cover counts available + in transit at each cluster's blended
    velocity; a pair with an open task, new or accepted, any day, gets no second one; the
    warehouse's units less those reserved by open tasks are shared urgent first), nothing
    written."""
    policy = services.supply_policy
    with services.uow() as uow:
        plan = plan_supply(uow, policy, scope)
        clusters = {cluster.id: cluster.name for cluster in uow.logistic_clusters.all()}
    allocations = {(a.need.article_id, a.need.cluster_id): a for a in plan.allocations}
    by_pair = {(stock.article_id, stock.cluster_id): stock for stock in plan.stocks}
    lines = []
    for index in service_order(plan.needs):
        need = plan.needs[index]
        pair = (need.article_id, need.cluster_id)
        lines.append(
            DeficitLine(
                need=need,
                stock=by_pair[pair],
                article=plan.articles[need.article_id],
                cluster=clusters.get(need.cluster_id, str(need.cluster_id)),
                target=target_stock(need.velocity, policy.target_days),
                open_task=plan.open_tasks.get(pair),
                allocation=allocations.get(pair),
            )
        )
    reserved = sum(min(plan.reserved[a], units) for a, units in plan.warehouse.items())
    return DeficitView(lines, sum(plan.warehouse.values()), reserved)


def _deficit_json(line: DeficitLine) -> dict[str, Any]:
    need, task, allocation = line.need, line.open_task, line.allocation
    return {
        "article_id": need.article_id,
        "code": line.article.code,
        "name": line.article.name,
        "brand": line.article.brand,
        "cluster_id": need.cluster_id,
        "cluster": line.cluster,
        "priority": need.priority.value,
        "days_of_cover": None if need.days_of_cover is None else str(need.days_of_cover),
        "available": line.stock.available,
        "in_transit": line.stock.in_transit,
        "velocity": str(need.velocity),
        "target": line.target,
        "deficit": need.deficit,
        "open_task": None
        if task is None
        else {"id": task.id, "status": task.status.value, "allocated": task.allocated},
        "would_allocate": None if allocation is None else allocation.allocated,
        "coverage": None if allocation is None else allocation.coverage.value,
    }


def _totals(lines: list[DeficitLine]) -> dict[str, dict[str, int]]:
    totals: dict[str, dict[str, int]] = {}
    for priority in SupplyPriority:
        mine = [line for line in lines if line.need.priority is priority]
        fresh = [line.allocation for line in mine if line.allocation is not None]
        totals[priority.value] = {
            "needs": len(mine),
            "units": sum(line.need.deficit for line in mine),
            "open_task": len(mine) - len(fresh),
            "would_allocate": sum(a.allocated for a in fresh),
            "to_purchase": sum(a.need.deficit - a.allocated for a in fresh),
        }
    return totals


@app.command()
def deficits(
    brand: str = typer.Option("all", "--brand", help=BRAND_HELP),
    priority: SupplyPriority | None = typer.Option(None, "--priority", help="Only needs of this priority."),
    limit: int = typer.Option(50, "--limit", "-n", min=1, max=1_000_000, help="How many lines, most pressing first."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """FBO deficits per article × cluster now, most pressing first, and what 07:00 would do with each.

    deficit = target − FBO stock − in transit, target = ⌈velocity × target days⌉, priority by
    the days of cover of stock + transit (SPEC §4.4; thresholds: ADOLF_LOGISTIC_POLICY). For
    each, what generate_supply_tasks would do if it ran now: leave it to its open task, or
    allocate the 1C warehouse's units (urgent first, never more than is there; coverage full,
    partial or none). Nothing is written."""
    scope = _scope(brand)
    services = _services()
    try:
        view = deficit_view(services, scope)
    except SQLAlchemyError as exc:
        _database_failed(exc)
    policy = services.supply_policy
    lines = [line for line in view.lines if priority is None or line.need.priority is priority]
    totals = _totals(lines)
    if as_json:
        _print_json(
            {
                "brand": brand_label(scope),
                "priority": None if priority is None else priority.value,
                "policy": {
                    "target_days": policy.target_days,
                    "urgent_days": policy.urgent_days,
                    "planned_days": policy.planned_days,
                    "recommended_days": policy.recommended_days,
                },
                "warehouse": {"units": view.warehouse, "reserved_by_open_tasks": view.reserved},
                "totals": totals,
                "total": len(lines),
                "deficits": [_deficit_json(line) for line in lines[:limit]],
            }
        )
        return
    _print_deficits(lines[:limit], len(lines), totals, view, policy.target_days, brand_label(scope))


def _print_deficits(
    lines: list[DeficitLine],
    total: int,
    totals: dict[str, dict[str, int]],
    view: DeficitView,
    target_days: int,
    brand: str,
) -> None:
    if not total:
        nothing_in_database(
            f"deficits (brand {brand})",
            "every article × cluster that sells has at least the recommended days of cover in FBO stock and transit",
        )
        return
    table = Table(
        "article", "name", "brand", "cluster", "priority", "cover, days", "fbo", "transit", "per day",
        "target", "deficit", "07:00 would",
        title=f"deficits, brand {escape(brand)}: {len(lines)} of {total}, most pressing first",
        caption=f"target = ⌈per day × {target_days}⌉; deficit = target − fbo − transit; cover = (fbo + transit) / per day",
    )  # fmt: skip
    for line in lines:
        need, task, allocation = line.need, line.open_task, line.allocation
        if task is not None:
            would = f"open task {task.id} ({task.status.value})"
        elif allocation is not None:
            would = f"allocate {allocation.allocated} ({allocation.coverage.value})"
        else:  # pragma: no cover - every fresh need has an allocation
            would = "-"
        table.add_row(
            escape(line.article.code),
            escape(cut(line.article.name, 32)),
            escape(line.article.brand),
            escape(line.cluster),
            _styled(need.priority.value, PRIORITY_STYLE[need.priority]),
            _cover(need.days_of_cover),
            str(line.stock.available),
            str(line.stock.in_transit),
            str(need.velocity),
            str(line.target),
            str(need.deficit),
            would,
        )
    console.print(table)
    summary = Table("priority", "needs", "units", "with an open task", "would allocate", "to purchase", title="totals")
    for name, row in totals.items():
        summary.add_row(name, *(str(row[k]) for k in ("needs", "units", "open_task", "would_allocate", "to_purchase")))
    console.print(summary)
    console.print(f"1C warehouse: {view.warehouse} units, {view.reserved} reserved by open tasks")


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--date={value!r} is not a date (YYYY-MM-DD)", 2)
    return None  # not reached: fail() exits


def _task_json(task: SupplyTask, code: str | None, cluster: str | None) -> dict[str, Any]:
    return {
        "id": task.id,
        "task_date": task.task_date.isoformat(),
        "brand": task.brand,
        "article_id": task.article_id,
        "code": code,
        "cluster_id": task.cluster_id,
        "cluster": cluster,
        "status": task.status.value,
        "priority": task.priority.value,
        "coverage": task.coverage.value,
        "days_of_cover": None if task.days_of_cover is None else str(task.days_of_cover),
        "quantity": task.quantity,
        "allocated": task.allocated,
        "created_at": task.created_at.isoformat(),
        "accepted_at": task.accepted_at.isoformat() if task.accepted_at else None,
        "shipped_at": task.shipped_at.isoformat() if task.shipped_at else None,
        "cancelled_at": task.cancelled_at.isoformat() if task.cancelled_at else None,
    }


@app.command()
def tasks(
    status: SupplyTaskStatus | None = typer.Option(None, "--status", help="Only tasks in this status."),
    brand: str = typer.Option("all", "--brand", help=BRAND_HELP),
    day: str | None = typer.Option(None, "--date", help="Only the tasks generated for this day (YYYY-MM-DD)."),
    limit: int = typer.Option(50, "--limit", "-n", min=1, max=100_000, help="How many, newest first."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Supply tasks, newest first, with priority, coverage, quantity and allocated units.

    Each: the day, article and cluster, priority, days of cover, the deficit (quantity), the
    units the 1C warehouse gives (allocated) and the coverage, status. A task moves new →
    accepted → shipped, or to cancelled (`adolf logistic accept|ship|cancel ID`)."""
    scope = _scope(brand)
    when = _day(day)
    try:
        with _services().uow() as uow:
            found = uow.logistic_tasks.listing(status=status, brand=scope, day=when, limit=limit)
            articles = uow.logistic_articles.by_ids(sorted({task.article_id for task in found}))
            clusters = {cluster.id: cluster.name for cluster in uow.logistic_clusters.all()}
    except SQLAlchemyError as exc:
        _database_failed(exc)
    codes = {article_id: article.code for article_id, article in articles.items()}
    if as_json:
        _print_json([_task_json(t, codes.get(t.article_id), clusters.get(t.cluster_id)) for t in found])
        return
    if not found:
        nothing_in_database(
            "supply tasks" + (f" with status {status.value}" if status else "") + f" (brand {brand_label(scope)})",
            "`logistic.generate_supply_tasks` creates a day's at 07:00",
        )
        return
    table = Table(
        "id", "day", "brand", "article", "cluster", "priority", "cover, days", "quantity", "allocated",
        "coverage", "status", "created (UTC)",
        title="supply tasks, newest first",
    )  # fmt: skip
    for task in found:
        table.add_row(
            str(task.id),
            task.task_date.isoformat(),
            escape(task.brand),
            escape(codes.get(task.article_id, str(task.article_id))),
            escape(clusters.get(task.cluster_id, str(task.cluster_id))),
            _styled(task.priority.value, PRIORITY_STYLE[task.priority]),
            _cover(task.days_of_cover),
            str(task.quantity),
            str(task.allocated),
            task.coverage.value if task.coverage is not Coverage.NONE else _styled("none", "red"),
            _styled(task.status.value, STATUS_STYLE[task.status]),
            task.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)
    console.print(f"{len(found)} task(s)" + (f" (the newest {limit})" if len(found) == limit else ""))


def _move(action: Callable[[LogisticServices, int], dict[str, Any]], task_id: int, as_json: bool) -> None:
    try:
        summary = action(_services(), task_id)
    except UnknownSupplyTask:
        fail(f"no supply task {task_id}", 2)
    except IllegalTransition as exc:
        fail(f"supply task {task_id}: {exc}", 2)
    except SQLAlchemyError as exc:
        detail = getattr(exc, "orig", None) or exc
        fail(masked(f"supply task {task_id} could not be changed: {detail}"))
    if as_json:
        _print_json(summary)
        return
    at = datetime.fromisoformat(summary["at"]).astimezone(UTC)
    console.print(f"supply task {task_id}: {summary['from']} → {summary['status']} at {at:%Y-%m-%d %H:%M:%S} UTC")
    if summary.get("shipment_told"):
        console.print("the Ozon side was told: the allocated units are on their way to the cluster")
    elif summary.get("shipment_error"):
        # The task is shipped all the same; say why the Ozon side did not hear of it.
        console.print(f"the Ozon side was not told: {escape(str(summary['shipment_error']))}", soft_wrap=True)


ID_HELP = "The supply task's id (`adolf logistic tasks`)."


@app.command()
def accept(
    task_id: int = typer.Argument(..., min=1, metavar="ID", help=ID_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Accept a new supply task (new → accepted): the warehouse will ship it.

    Exit 2 for an unknown id or a task that is not new (the message names both statuses)."""
    _move(supply_actions.accept, task_id, as_json)


@app.command()
def ship(
    task_id: int = typer.Argument(..., min=1, metavar="ID", help=ID_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Mark an accepted supply task shipped (accepted → shipped): its units have left.

    Its allocated units are on their way to the cluster (the simulated Ozon is told; the real
    Ozon learns of a supply from the seller's cabinet). Exit 2 for an unknown id or a task that
    is not accepted (the message names both statuses)."""
    _move(supply_actions.ship, task_id, as_json)


@app.command()
def cancel(
    task_id: int = typer.Argument(..., min=1, metavar="ID", help=ID_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Cancel a new or accepted supply task (→ cancelled): its units are free again.

    Its allocated units are no longer reserved, and the next generate_supply_tasks may create a
    task for its article × cluster again. Exit 2 for an unknown id or a task already shipped or
    cancelled (the message names both statuses)."""
    _move(supply_actions.cancel, task_id, as_json)
