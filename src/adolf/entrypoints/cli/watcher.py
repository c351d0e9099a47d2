"""`adolf watcher …`: the parsing agents, a night's tasks, competitor priorities, price
alerts, and registering an agent (its token printed once)."""

from __future__ import annotations

import ipaddress
import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from adolf.application.watcher.agent_tokens import (
    MAX_AGENT_ID_LENGTH,
    AgentRegistrationRefused,
    register_agent,
)
from adolf.application.watcher.overview import (
    MAX_TOP,
    agents_overview,
    priority_breakdown,
    task_counts,
    tonight,
)
from adolf.application.watcher.ports import WatcherServices
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.agents import Agent, AgentStatus
from adolf.domain.watcher.alerts import AlertKind
from adolf.domain.watcher.tasks import TaskStatus
from adolf.entrypoints.cli.context import console, container, cut, errors, fail, nothing_in_database

app = typer.Typer(
    help="Watcher: parsing agents, a night's tasks, competitor priorities, price alerts.", no_args_is_help=True
)

STATUS_STYLE = {AgentStatus.ONLINE: "green", AgentStatus.OFFLINE: "yellow", AgentStatus.PANIC: "red"}
SEVERITY_STYLE = {"critical": "red", "warning": "yellow", "info": "cyan"}
JSON_HELP = "Print JSON instead of a table."
DATE_HELP = "Night as YYYY-MM-DD (the date its tasks were generated for); default: the night running now."


def _services() -> WatcherServices:
    services: WatcherServices = container().watcher_services()
    return services


def _night(services: WatcherServices, value: str | None) -> date:
    if value is None:
        return tonight(services)
    try:
        return date.fromisoformat(value)
    except ValueError:
        return fail(f"--date={value!r} is not a date (YYYY-MM-DD)", 2)


def _print_json(document: Any) -> None:
    console.print_json(json.dumps(document, ensure_ascii=False, default=str))


def _when(at: datetime | None, now: datetime) -> str:
    if at is None:
        return "never"
    age = int((now - at).total_seconds())
    ago = f"{age}s" if age < 120 else f"{age // 60} min" if age < 7200 else f"{age // 3600} h"
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M:%S} ({ago} ago)"


def _money(value: Decimal | None) -> str:
    return "-" if value is None else f"{value:,.2f}".replace(",", " ")


def _points(points: int) -> str:
    return f"{points:+d}" if points else "0"


@app.command()
def agents(
    day: str | None = typer.Option(None, "--date", help=DATE_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Parsing agents: status, IP, cookies, last heartbeat and the tasks each did in the night."""
    services = _services()
    night = _night(services, day)
    lines = agents_overview(services, night)
    now = services.clock.now()
    if as_json:
        _print_json(
            {
                "night": night.isoformat(),
                "agents": [
                    {
                        "id": line.agent.id,
                        "name": line.agent.name,
                        "marketplace": line.agent.marketplace.value if line.agent.marketplace else None,
                        "status": line.agent.status.value,
                        "stale": line.stale,
                        "ip": line.agent.ip,
                        "cookies_valid": line.agent.cookies_valid,
                        "last_heartbeat": line.agent.last_heartbeat.isoformat() if line.agent.last_heartbeat else None,
                        "tasks_done": line.done,
                    }
                    for line in lines
                ],
            }
        )
        return
    table = Table(
        "id", "name", "mp", "status", "ip", "cookies", "last heartbeat (UTC)", f"done {night.isoformat()}",
        title="parsing agents",
    )  # fmt: skip
    for line in lines:
        agent = line.agent
        style = STATUS_STYLE[agent.status]
        status = f"[{style}]{agent.status.value}[/{style}]" + (" (stale)" if line.stale else "")
        table.add_row(
            escape(agent.id),
            escape(agent.name),
            agent.marketplace.value if agent.marketplace else "any",
            status,
            agent.ip or "-",
            "valid" if agent.cookies_valid else "[red]invalid[/red]",
            _when(agent.last_heartbeat, now),
            str(line.done),
        )
    console.print(table)
    console.print(f"{len(lines)} agent(s); stale: online but silent for over 5 min (sync_agent_status → offline)")
    if not lines:
        nothing_in_database("parsing agents", "`adolf watcher register-agent` registers one")


@app.command()
def tasks(
    day: str | None = typer.Option(None, "--date", help=DATE_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """A night's parsing tasks: how many are pending, in progress, done and failed, per marketplace."""
    services = _services()
    night = _night(services, day)
    counts = task_counts(services, night)
    if as_json:
        _print_json(
            {
                "night": night.isoformat(),
                "by_marketplace": {mp.value: {s.value: n for s, n in row.items()} for mp, row in counts.items()},
                "total": sum(sum(row.values()) for row in counts.values()),
            }
        )
        return
    if not counts:
        nothing_in_database(
            f"parsing tasks for the night of {night.isoformat()}",
            "`watcher.generate_daily_tasks` creates a night's at 20:30 (ADOLF_TIMEZONE)",
        )
        return
    table = Table("mp", *(s.value for s in TaskStatus), "total", title=f"parsing tasks, night of {night.isoformat()}")
    for marketplace, row in counts.items():
        table.add_row(marketplace.value, *(str(row[s]) for s in TaskStatus), str(sum(row.values())))
    totals = [sum(row[s] for row in counts.values()) for s in TaskStatus]
    table.add_row("all", *(str(n) for n in totals), str(sum(totals)), style="bold")
    console.print(table)


@app.command()
def priorities(
    top: int = typer.Option(20, "--top", "-n", min=1, max=MAX_TOP, help="How many, highest first."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Competitor listings by monitoring priority (SPEC §4.3), with the four factors of each score."""
    lines = priority_breakdown(_services(), top)
    if as_json:
        _print_json(
            [
                {
                    "competitor_product_id": line.product.id,
                    "marketplace": line.product.marketplace.value,
                    "competitor": line.competitor,
                    "external_id": line.product.external_id,
                    "name": line.product.name,
                    "our_sku": line.our_sku,
                    "priority": line.stored,
                    "score_now": line.score.value,
                    "price_changes_30d": {"count": line.inputs.changes_30d, "points": line.score.price_changes},
                    "avg_discount": {"percent": line.inputs.avg_discount, "points": line.score.discount},
                    "price_gap": {
                        "percent": line.gap_percent,
                        "competitor_price": line.inputs.latest_price,
                        "our_price": line.inputs.our_price,
                        "points": line.score.proximity,
                    },
                    "dumping_alerts_30d": {"count": line.inputs.dumping_alerts_30d, "points": line.score.dumping},
                }
                for line in lines
            ]
        )
        return
    if not lines:
        nothing_in_database("active competitor listings", "nothing to rank")
        return
    table = Table(
        "id", "mp", "competitor", "listing", "ours", "priority", "now",
        "changes 30d", "avg discount", "gap vs ours", "dumping 30d",
        title=f"top {len(lines)} competitor listings by priority",
        caption="priority: as the last calculate_priorities stored it; now: 50 + the four factors' points "
        "(in brackets) over the last 30 days, clamped to 0…100",
    )  # fmt: skip
    for line in lines:
        score, facts = line.score, line.inputs
        discount = "-" if facts.avg_discount is None else f"{facts.avg_discount:.2f} %"
        gap = "-" if line.gap_percent is None else f"{line.gap_percent:+.2f} %"
        table.add_row(
            str(line.product.id),
            line.product.marketplace.value,
            escape(line.competitor or "-"),
            escape(cut(line.product.name or line.product.external_id, 40)),
            escape(line.our_sku or "-"),
            str(line.stored),
            str(score.value),
            f"{facts.changes_30d} ({_points(score.price_changes)})",
            f"{discount} ({_points(score.discount)})",
            f"{gap} ({_points(score.proximity)})",
            f"{facts.dumping_alerts_30d} ({_points(score.dumping)})",
        )
    console.print(table)


@app.command()
def alerts(
    limit: int = typer.Option(50, min=1, max=10_000, help="How many, newest first."),
    kind: AlertKind | None = typer.Option(None, help="Only this kind."),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Price alerts (dumping, price drop or rise, out of stock), newest first."""
    with _services().uow() as uow:
        found = uow.watcher_alerts.recent(limit=limit, kind=kind)
    if as_json:
        _print_json(
            [
                {
                    "id": a.id,
                    "created_at": a.created_at.isoformat(),
                    "kind": a.kind.value,
                    "severity": a.severity.value,
                    "marketplace": a.marketplace.value,
                    "brand": a.brand,
                    "competitor_product_id": a.competitor_product_id,
                    "our_product_id": a.our_product_id,
                    "message": a.message,
                    "details": dict(a.details),
                    "resolved": a.resolved,
                }
                for a in found
            ]
        )
        return
    table = Table("id", "when (UTC)", "kind", "severity", "mp", "brand", "listing", "message")
    for a in found:
        style = SEVERITY_STYLE.get(a.severity.value, "")
        table.add_row(
            str(a.id),
            a.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            a.kind.value,
            f"[{style}]{a.severity.value}[/{style}]" if style else a.severity.value,
            a.marketplace.value,
            escape(a.brand),
            str(a.competitor_product_id),
            escape(a.message),
        )
    console.print(table)
    console.print(f"{len(found)} alert(s)")
    if not found:
        nothing_in_database("price alerts" if kind is None else f"{kind.value} alerts")


def _agent_id(name: str, given: str | None) -> str:
    if given is not None:
        return given
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:MAX_AGENT_ID_LENGTH].strip("-")
    if not slug:
        fail(f"name={name!r} gives no id (letters a-z and digits make it): give one with --id", 2)
    return slug


def _marketplace(value: str) -> Marketplace | None:
    if value == "any":
        return None
    try:
        return Marketplace(value)
    except ValueError:
        known = ", ".join(mp.value for mp in Marketplace)
        return fail(f"--marketplace={value!r} must be one of {known} or any", 2)


def _ip(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return fail(f"--ip={value!r} is not an IPv4 or IPv6 address", 2)


@app.command("register-agent")
def register(
    name: str = typer.Argument(..., help="The agent's name, e.g. 'night parser 1'."),
    marketplace: str = typer.Option(..., "--marketplace", "-m", help="wb, ozon, ym, or any."),
    ip: str | None = typer.Option(None, help="The IP it parses from (blocked for 1 h when it panics)."),
    agent_id: str | None = typer.Option(
        None, "--id", help="Its id in the agent URLs; default: the name in lower case, a-z 0-9 and '-'."
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Register a parsing agent and print its API token, once: ADOLF keeps only the token's hash."""
    agent = Agent(_agent_id(name, agent_id), name, _marketplace(marketplace), _ip(ip))
    try:
        token = register_agent(_services(), agent)
    except AgentRegistrationRefused as exc:
        fail(str(exc), 2)
    warning = "the token is shown only now (ADOLF stores its hash): hand it to the agent's host"
    if as_json:
        _print_json(
            {
                "id": agent.id,
                "name": agent.name,
                "marketplace": agent.marketplace.value if agent.marketplace else None,
                "ip": agent.ip,
                "token": token,
                "warning": warning,
            }
        )
        return
    where = agent.marketplace.value if agent.marketplace else "any marketplace"
    console.print(f"registered agent {escape(agent.id)} ({escape(agent.name)}, {where}, ip {agent.ip or '-'})")
    console.print(f"token: {token}", soft_wrap=True, highlight=False)
    errors.print(
        f"[yellow]warning:[/yellow] {warning}; it calls POST /watcher/agents/{escape(agent.id)}/heartbeat "
        "with the header 'Authorization: Bearer <token>'",
        soft_wrap=True,
    )
