"""`adolf simulate`: the main job — a simulated week of Marketing, Watcher, Logistic and Reputation, ending with
a report."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from adolf.domain.marketplace import Marketplace
from adolf.entrypoints.cli import progress
from adolf.entrypoints.cli.context import console, fail, note, rule
from adolf.entrypoints.simulation.run import (
    DEFAULT_DATABASE,
    HTTP_INLINE_ONLY,
    MARKETPLACES,
    MODULES,
    SimulationOptions,
)

MOSCOW = ZoneInfo("Europe/Moscow")
SIM_LOG_HANDLER = "adolf-simulate"


def simulate(
    days: int = typer.Option(7, min=1, max=366, help="Simulated days to run."),
    campaigns: int = typer.Option(50, min=1, help="Campaigns in all, spread over WB, Ozon and YM."),
    keywords: int = typer.Option(20, min=1, max=500, help="Keywords per campaign."),
    seed: int = typer.Option(7, help="Seed of the simulated market (same seed, same run)."),
    backend: str = typer.Option("inline", help="inline | celery | rq (celery and rq start real workers)."),
    database: str = typer.Option(DEFAULT_DATABASE, help="Database URL; it is emptied first."),
    start: str = typer.Option("2026-01-12", help="First simulated day (Moscow)."),
    workers: int = typer.Option(2, min=1, max=16, help="Worker processes for celery/rq."),
    redis: str = typer.Option(
        "redis://127.0.0.1:6379/9", help="Redis for celery/rq runs (its queues are purged: not a deployment's)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    modules: str | None = typer.Option(
        None,
        help="Modules to simulate, comma-separated: marketing, watcher, logistic, reputation (default all four).",
    ),
    articles: int = typer.Option(40, min=1, max=10_000, help="Logistic: articles on Ozon FBO (× 10 clusters)."),
    marketplace: str = typer.Option(
        "simulated",
        help="simulated: the jobs call the simulated market in this process; http: they go through the real "
        "marketplace clients over HTTP to the wire-level fake, started by the command on this run's simulated "
        "market (inline only). The same seed gives the same report, apart from API-call counts and a retried "
        "publish's attempts (README).",
    ),
    quota_scale: int = typer.Option(
        100,
        min=1,
        help="http: every marketplace quota allows this many times its calls in its window, for the clients' "
        "limiter and the fake's 429s alike (1: the real quotas, hours of wall time per simulated day).",
    ),
) -> None:
    """Run the schedule of Marketing, Watcher, Logistic and Reputation over simulated days against
    the simulated marketplace and print what they did: bids, pauses and why, alerts, spend, orders,
    revenue, DRR; Watcher's parsing tasks, agents, price alerts, priorities and hand-offs to
    Marketing; Logistic's supply tasks, deficits, warehouse allocation, 1C imports, stock alerts
    and the stock-outs and lost sales against the same run without supply tasks; Reputation's
    polls, circuit breakers through an outage, the manager's work and the answers published."""
    if backend not in ("inline", "celery", "rq"):
        fail(f"--backend={backend!r} must be inline, celery or rq", 2)
    if modules is None:
        chosen: tuple[str, ...] = _installed_modules()
    else:
        chosen = tuple(dict.fromkeys(m.strip().lower() for m in modules.split(",") if m.strip()))
    if not chosen or any(m not in MODULES for m in chosen):
        fail(f"--modules={modules!r} must name {', '.join(MODULES)} (one or more), comma-separated", 2)
    if marketplace not in MARKETPLACES:
        fail(f"--marketplace={marketplace!r} must be {' or '.join(MARKETPLACES)}", 2)
    if marketplace == "http" and backend != "inline":
        fail(HTTP_INLINE_ONLY, 2)
    try:
        first_day = date.fromisoformat(start)
    except ValueError:
        fail(f"--start={start!r} is not a date (YYYY-MM-DD)", 2)
    options = SimulationOptions(
        days=days,
        campaigns=campaigns,
        keywords=keywords,
        seed=seed,
        backend=backend,
        database_url=database,
        start=first_day,
        workers=workers,
        redis_url=redis,
        modules=tuple(m for m in MODULES if m in chosen),
        articles=articles,
        marketplace=marketplace,
        quota_scale=quota_scale,
    )
    _say_campaigns(options)
    _log_to_file(quiet=as_json)
    report = _run(options, quiet=as_json)
    if as_json:
        print(json.dumps(report, indent=2, default=str))
    else:
        render(report)
    if report.get("dead_letters"):
        raise typer.Exit(1)


def _say_campaigns(options: SimulationOptions) -> None:
    """The campaigns are seeded as the same number on each marketplace: say so when that is
    more than was asked (on stderr, --json or not: stdout keeps the report alone)."""
    if "marketing" not in options.modules:
        return
    per, asked = options.per_marketplace, options.campaigns
    made = per * len(Marketplace)
    if made != asked:
        note(
            f"--campaigns {asked}: the simulation seeds the same number on each of the {len(Marketplace)} "
            f"marketplaces ({', '.join(mp.value for mp in Marketplace)}), so {per} each, {made} in all"
        )


def _installed_modules() -> tuple[str, ...]:
    """Every module by default — but Watcher's simulated agents speak the HTTP API (FastAPI
    through httpx), so on a bare ``adolf[core]`` the default leaves Watcher out, saying so,
    instead of refusing the whole run; ``--modules watcher`` still names the missing extra."""
    from importlib.util import find_spec

    if all(find_spec(package) is not None for package in ("fastapi", "httpx")):
        return MODULES
    note("watcher left out: its simulated agents need adolf[api] (pip install 'adolf[api]')")
    return tuple(m for m in MODULES if m != "watcher")


def _log_to_file(quiet: bool) -> None:
    """Jobs log every decision; on a terminal that would bury the progress bar, so the
    simulation's log goes to var/simulation.log (JSON lines)."""
    from pathlib import Path

    from adolf.adapters.observability.logging import configure_logging
    from adolf.entrypoints.cli.context import settings

    current = settings()
    path = Path("var/simulation.log")
    path.parent.mkdir(parents=True, exist_ok=True)
    stream = path.open("w", encoding="utf-8")
    configure_logging("json", current.log_level, current.secret_values(), stream=stream)
    # The jobs' standard-library loggers (a poll failing in the planned outage, a send retried)
    # have no handler of their own: Python would print their warnings over the progress bar.
    # One such handler, the latest run's: a second run in one process replaces it.
    adolf = logging.getLogger("adolf")
    for old in [h for h in adolf.handlers if h.get_name() == SIM_LOG_HANDLER]:
        adolf.removeHandler(old)
    handler = logging.StreamHandler(stream)
    handler.set_name(SIM_LOG_HANDLER)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    adolf.addHandler(handler)
    if not quiet:
        note(f"log: {path}")


def _run(options: SimulationOptions, quiet: bool) -> dict[str, Any]:
    from adolf.entrypoints.simulation import run

    runner = run.run_inline if options.backend == "inline" else run.run_with_workers
    total = len(run.planned_fires(options))
    with progress.bar(quiet) as bar:
        job = bar.add_task("simulating", total=total)

        def advance(at: datetime, name: str) -> None:
            local = at.astimezone(MOSCOW)
            bar.update(job, advance=1, description=f"{local:%a %d %b %H:%M} MSK {name:<32}")

        return runner(options, advance)


def render(report: dict[str, Any]) -> None:
    where = report.get("marketplace", "simulated")
    rule(
        f"[bold]ADOLF simulation — {report['period']['start']} … {report['period']['end']} "
        f"({report['backend']}, {where} marketplace)"
    )
    if where == "http":
        console.print(
            "through the real clients and the wire-level fake; API calls per host: "
            + (", ".join(f"{host} {n:,}" for host, n in report["api_calls"].items()) or "none")
        )
    if "per_day" in report:
        render_marketing(report)
    else:
        console.print(f"dead letters: {report['dead_letters']}")
    if "watcher" in report:
        render_watcher(report["watcher"], report["setup"].get("watcher", {}))
    if "logistic" in report:
        render_logistic(report["logistic"])
    if "reputation" in report:
        render_reputation(report["reputation"])


def _api_calls(report: dict[str, Any]) -> str:
    if report["api_calls"]:
        return f"{sum(report['api_calls'].values()):,}"
    # each worker process calls the simulated market and counts its own calls in memory; the
    # workers' adolf_bid_cycle_api_calls_total (see Metrics in the README) has the bid cycles'
    return "not counted (made in the worker processes; inline counts them)"


def render_marketing(report: dict[str, Any]) -> None:
    setup = report["setup"]
    console.print(
        f"campaigns: {report['campaigns']} ({', '.join(f'{k} {v}' for k, v in setup['campaigns'].items())}), "
        f"marketplace API calls: {_api_calls(report)}, "
        f"dead letters: {report['dead_letters']}"
    )
    console.print(
        f"bids changed: {sum(report['bids_changed'].values())} "
        f"({', '.join(f'{k} {v}' for k, v in report['bids_changed'].items()) or 'none'})"
    )
    console.print("campaigns paused: " + (_pairs(report["campaigns_paused"]) or "none"))
    console.print("keywords paused: " + (_pairs(report["keywords_paused"]) or "none"))
    console.print("alerts: " + (_pairs(report["alerts"]) or "none"))
    console.print(_table("per day", report["per_day"], "day"))
    console.print(_table("per strategy", report["per_strategy"], "strategy", total=report["total"]))
    render_attainment(report.get("attainment"))


def render_attainment(found: dict[str, Any] | None) -> None:
    """Each target campaign against its target, then a line per strategy."""
    if not found:
        return
    judged = found["judged"]
    table = Table(title=f"target attainment ({judged['start']} … {judged['end']})", title_justify="left")
    for column in ("campaign", "mp", "strategy", "target", "achieved", "±10 %", "bound by"):
        table.add_column(column, justify="right" if column in ("target", "achieved") else "left")
    for row in found["campaigns"]:
        table.add_row(
            row["name"],
            row["marketplace"],
            row["strategy"],
            row["target"],
            row["achieved"] or "—",
            "[green]yes" if row["within"] else "[red]no",
            row["constraint"] if row["bound"] else f"free: {row['constraint']}",
        )
    console.print(table)
    for summary in found["summary"].values():
        console.print(summary["line"])
    console.print(
        "orders per 1000 ₽ (judged days): " + ", ".join(f"{k} {v}" for k, v in found["orders_per_1000_rub"].items())
    )


def _pairs(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


def _table(title: str, rows: dict[str, dict[str, Any]], key: str, total: dict[str, Any] | None = None) -> Table:
    table = Table(title=title, title_justify="left")
    for column in (key, "views", "clicks", "CTR %", "orders", "spent ₽", "revenue ₽", "DRR %"):
        table.add_column(column, justify="left" if column == key else "right")
    for name, r in rows.items():
        table.add_row(name, *_cells(r))
    if total is not None:
        table.add_row("[bold]total", *_cells(total))
    return table


def _cells(r: dict[str, Any]) -> list[str]:
    return [
        f"{r['views']:,}",
        f"{r['clicks']:,}",
        r["ctr"],
        f"{r['orders']:,}",
        f"{round(Decimal(r['spent'])):,}",
        f"{round(Decimal(r['revenue'])):,}",
        r["drr"],
    ]


def render_watcher(found: dict[str, Any], setup: dict[str, Any]) -> None:
    """Tasks, agents, alerts, priorities and the hand-offs to Marketing."""
    rule("[bold]Watcher")
    catalogue = found["catalogue"]
    console.print(
        f"watching: {catalogue['products']} products of ours, {catalogue['competitor_products']} competitor "
        f"products of {catalogue['competitors']} competitors, {catalogue['subscriptions']} active subscriptions "
        f"({setup.get('paused_subscriptions', 0)} paused), {setup.get('agents', 0)} parsing agents"
    )
    tasks, moved = found["tasks"], found["tasks"]["redistributed"]
    console.print(
        f"parsing tasks over {len(found['nights'])} nights (the night before the run included): "
        f"generated {tasks['generated']:,}, done {tasks['done']:,}, failed {tasks['failed']}, "
        f"pending {tasks['pending']}, in progress {tasks['in_progress']}"
        + (
            f"; {found['agents']['page_errors']} results reported a page that did not load (the 3rd fails a task)"
            if found["agents"]["page_errors"]
            else ""
        )
    )
    console.print(
        f"redistributed: {moved['given_back']} held by the silent and the panicked agent, given back to the head "
        f"of the queue; {moved['finished_by_another_agent']} finished by another agent"
        + (f" ({_pairs(moved['by'])})" if moved["by"] else "")
    )
    agents = found["agents"]
    table = Table(
        title="agents: "
        + ", ".join(f"{k} {v}" for k, v in agents["by_status"].items())
        + f" ({agents['requests']:,} HTTP requests)",
        title_justify="left",
    )
    for column in ("agent", "mp", "status", "last heartbeat", "tasks done", "log events", "refused"):
        table.add_column(column, justify="right" if column == "tasks done" else "left")
    for row in agents["each"]:
        refused = [f"{row['refused_prices']} price" if row["refused_prices"] else ""]
        refused += [f"{row['unknown_tasks']} unknown task" if row["unknown_tasks"] else ""]
        table.add_row(
            row["id"],
            row["marketplace"] or "any",
            row["status"],
            row["last_heartbeat"] or "—",
            f"{row['tasks_done']:,}",
            _pairs(row["events"]),
            ", ".join(r for r in refused if r) or "—",
        )
    console.print(table)
    for lost in agents["silent"]:
        console.print(f"silent: {lost['agent']} stopped at {_local(lost['at'])} holding {lost['held']} tasks")
    for panic in agents["panics"]:
        console.print(f"panic: {panic['agent']} met a captcha at {_local(panic['at'])} (task {panic['task']})")
    console.print("IPs blocked: " + (", ".join(agents["ip_blocked"]) or "none"))
    alerts = Table(title="price alerts by type and severity", title_justify="left")
    severities = ("info", "warning", "critical")
    for column in ("type", *severities):
        alerts.add_column(column, justify="left" if column == "type" else "right")
    for kind, counts in found["alerts"].items():
        alerts.add_row(kind, *(f"{counts.get(level, 0):,}" for level in severities))
    console.print(alerts)
    scores = found["priorities"]
    console.print(
        f"priorities ({scores['competitor_products']} competitor products, average {scores['average']}): "
        + ", ".join(f"{band}: {n}" for band, n in scores["bands"].items())
    )
    handed = found["handoffs"]
    console.print(
        f"dumping hand-offs: {handed['dumping_alerts']} dumping alerts, {handed['handed_to_marketing']} handed to "
        f"Marketing → {handed['recommendations']} recommendations for {handed['campaigns']} campaigns"
    )
    bids = found["competitor_bids"]
    console.print(
        f"competitor bids: {bids['reported']:,} keyword ladders reported by the agents; Marketing's bid cycle reads "
        f"Watcher-observed bids for {bids['held_by_marketing']:,} of {bids['keywords']:,} keywords"
    )


def _local(instant: str) -> str:
    return f"{datetime.fromisoformat(instant).astimezone(MOSCOW):%a %d %b %H:%M:%S}"


def render_logistic(found: dict[str, Any]) -> None:
    """Supply tasks, deficits and coverage, the days against the run without supply tasks, the
    1C mornings, the seller, alerts."""
    rule("[bold]Logistic")
    catalogue = found["catalogue"]
    console.print(
        f"catalogue: {catalogue['articles']} articles of {catalogue['brands']} brands × {catalogue['clusters']} "
        f"Ozon clusters; 1C warehouse holds {catalogue['warehouse_articles']} of them "
        f"({catalogue['warehouse_empty']} with none), {catalogue['unmapped_codes']} 1C codes not ours"
    )
    tasks = Table(
        title="supply tasks by priority and status, their deficit units and the units allocated", title_justify="left"
    )
    statuses = ("new", "accepted", "shipped", "cancelled")
    for column in ("priority", *statuses, "tasks", "units", "alloc."):
        tasks.add_column(column, justify="left" if column == "priority" else "right")
    for priority, counts in found["tasks"].items():
        deficit = found["deficits"][priority]
        tasks.add_row(
            priority,
            *(f"{counts.get(s, 0):,}" for s in statuses),
            f"{deficit['tasks']:,}",
            f"{deficit['units']:,}",
            f"{deficit['allocated']:,}",
        )
    console.print(tasks)
    console.print("coverage from the 1C warehouse: " + ", ".join(f"{k} {v:,}" for k, v in found["coverage"].items()))
    days = Table(
        title="per day: deficit units, allocated of the warehouse's available, shipped; stock-outs and lost "
        "sales with supply tasks (without any)",
        title_justify="left",
    )
    for column in ("day", "tasks", "deficit", "alloc.", "avail.", "shipped", "stock-outs", "lost sales"):
        days.add_column(column, justify="left" if column == "day" else "right")
    for row in found["per_day"]:
        days.add_row(
            _weekday(row["day"]),
            f"{row['tasks']:,}",
            f"{row['deficit_units']:,}",
            f"{row['allocated']:,}",
            "—" if row["warehouse_available"] is None else f"{row['warehouse_available']:,}",
            f"{row['shipped_units']:,}",
            f"{row['stockouts']} ({row['stockouts_baseline']})",
            f"{row['lost_sales']:,} ({row['lost_sales_baseline']:,})",
        )
    console.print(days)
    outcome = found["outcome"]
    console.print(
        f"Ozon FBO over the run: {outcome['stockouts']} stock-outs vs {outcome['stockouts_baseline']} without supply "
        f"tasks ({outcome['stockouts_avoided']} avoided), {outcome['lost_sales']:,} units of lost sales vs "
        f"{outcome['lost_sales_baseline']:,} ({outcome['lost_sales_avoided']:,} avoided); "
        f"{outcome['shipments']} supplies shipped ({outcome['units_shipped']:,} units, "
        f"{outcome['units_arrived']:,} arrived by the last day)"
    )
    seller = found["seller"]
    console.print(
        f"the seller: accepted {seller['accepted']}, shipped {seller['shipped']} ({seller['shipped_units']:,} units), "
        f"cancelled {seller['cancelled']} with nothing allocated, ignored {seller['ignored']} recommended; "
        f"auto_cancel_expired cancelled {seller['auto_cancelled']} after 48 h"
    )
    one_c = found["one_c"]
    mornings = Table(
        title="1C mornings: the export (rows loaded), sync_brain_stocks, check_brain_freshness (stale tables)",
        title_justify="left",
    )
    for column in ("day", "export", "rows", "validated", "unmapped", "anomaly", "invalid", "stale"):
        mornings.add_column(column, justify="left" if column in ("day", "export") else "right")
    for row in one_c["mornings"]:
        mornings.add_row(
            _weekday(row["day"]),
            row["export"],
            f"{row['rows_loaded']:,}",
            f"{row['validated']}",
            f"{row['unmapped']}",
            f"{row['anomalies']}",
            f"{row['invalid']}",
            f"{len(row['stale'])}" if row["stale"] else "—",
        )
    console.print(mornings)
    skipped = one_c["totals"]["rows_skipped"]
    console.print(
        f"1C imports over the run: validated {one_c['totals']['validated']}, unmapped {one_c['totals']['unmapped']}, "
        f"anomalies kept aside {one_c['totals']['anomalies']}, invalid {one_c['totals']['invalid']}; the loader "
        f"skipped {skipped} malformed line{'s' if skipped != 1 else ''}; missing exports: "
        f"{', '.join(one_c['missing']) or 'none'} (DATA_STALE on {', '.join(one_c['stale_days']) or 'no day'})"
    )
    codes = [f"{u['code']} {u['name'] or '(no name)'} ×{u['times']}" for u in one_c["unmapped_codes"]]
    console.print("unmapped 1C codes, for a person to map: " + (", ".join(codes) or "none"))
    alerts = Table(title="Logistic alerts by type and severity", title_justify="left")
    severities = ("info", "warning", "critical")
    for column in ("type", *severities):
        alerts.add_column(column, justify="left" if column == "type" else "right")
    for kind, counts in found["alerts"].items():
        alerts.add_row(kind, *(f"{counts.get(level, 0):,}" for level in severities))
    console.print(alerts)


def _weekday(day: str) -> str:
    return f"{date.fromisoformat(day):%a %d}"


def render_reputation(found: dict[str, Any]) -> None:
    """Polls per platform, the breakers' transitions, items by status, answers, publishing, the
    marketplace's own count, the manager."""
    rule("[bold]Reputation")
    polls = Table(
        title="polls (thinned, every 5 min around the outage): fetched, new, duplicates, malformed rows skipped, "
        "refused by an open breaker, failed",
        title_justify="left",
    )
    columns = ("platform · type", "polls", "fetched", "new", "dupl.", "skipped", "refused", "failed")
    for column in columns:
        polls.add_column(column, justify="left" if column == columns[0] else "right")
    for which, row in found["polls"].items():
        counts = (row[c] for c in ("polls", "fetched", "new", "duplicates", "skipped", "circuit_open", "failed"))
        polls.add_row(which.replace("_", " · "), *(f"{n:,}" for n in counts))
    console.print(polls)
    for key, moves in found["breakers"].items():
        if moves:
            steps = " → ".join([moves[0]["from"], *(f"{m['to']} ({m['at'][11:16]})" for m in moves)])
            console.print(f"breaker {key}: {steps}")
    quiet = [key for key, moves in found["breakers"].items() if not moves]
    if quiet:
        console.print("breakers never opened: " + ", ".join(quiet))
    items = Table(title="items by platform and status", title_justify="left")
    statuses = ("new", "analyzed", "pending_review", "approved", "failed", "published", "skipped")
    for column in ("platform", *statuses):
        items.add_column(column, justify="left" if column == "platform" else "right")
    for platform, counts in found["items"].items():
        items.add_row(platform, *(f"{counts.get(s, 0):,}" for s in statuses))
    console.print(items)
    answers, sending, market = found["answers"], found["publishing"], found["marketplace"]
    console.print(
        f"answers published: {answers['published']:,} ({answers['by_model']:,} as the model drafted them, "
        f"{answers['regenerated']} of them redrafted on the manager's instructions; {answers['by_manager']:,} in the "
        f"manager's own words); average {answers['average_minutes'] or '—'} min from an item to its answer "
        f"(longest {answers['longest_minutes'] or '—'}); drafts refused by the checks: {answers['refused_drafts']}"
    )
    console.print(
        f"publishing: {sending['send_failures']} sends failed, {sending['sent_more_than_once']} answers went through "
        f"after a retry, {sending['failed_now']} still failed; retry_failed_publish ran {sending['retry_runs']} times "
        f"and resent {sending['retried_by_retry_failed_publish']}"
    )
    for planted in sending["planted"]:
        console.print(
            f"the publish planted to fail {planted['fails']}×: {planted['platform']} {planted['external_id']} — "
            f"{planted['status']} after {planted['attempts']} attempts"
            + (f" at {planted['published_at'][11:16]}" if planted["published_at"] else "")
        )
    outages = ", ".join(
        f"{o['platform']} {o['start'][11:16]}–{o['end'][11:16]} on {o['start'][:10]}" for o in market["outages"]
    )
    console.print(
        f"the marketplace: {market['answers']:,} answers, {market['double_posts']} double posts, "
        f"{market['already_answered']} sends answered 'already answered'; ours published = its answers: "
        f"{'yes' if market['published_equals_answers'] else '[red]no'}; outage ({outages or 'none'}) refused "
        f"{market['outage_refusals']} calls; malformed rows skipped by the polls: {market['skipped_rows']:,}"
    )
    manager = found["manager"]
    console.print(
        f"the manager: {manager['rounds']} rounds, {manager['reviewed']:,} items reviewed — approved "
        f"{manager['approved']:,}, edited {manager['edited']}, sent back to the model {manager['regenerated']}, "
        f"skipped {manager['skipped']}"
        + (f"; {manager['conflicts']} had moved on" if manager["conflicts"] else "")
        + (
            f"; {manager['refused_own_words']} own answers refused by the checks"
            if manager["refused_own_words"]
            else ""
        )
    )
