"""`adolf campaigns`: see campaigns and set what the bid engine does with each one."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from typing import Any

import typer
from rich.table import Table

from adolf.application.bounds import INT64_MAX
from adolf.application.marketing.campaign_settings import update_campaign_settings
from adolf.domain.errors import DomainError
from adolf.domain.marketing.campaign import Campaign, CampaignStatus
from adolf.domain.marketing.campaign_settings import TARGET_OF
from adolf.domain.marketing.safety_thresholds import SafetyThresholds
from adolf.domain.marketplace import Marketplace
from adolf.entrypoints.cli.context import (
    console,
    container,
    cut,
    database_shown,
    fail,
    nothing_in_database,
    print_json,
)

app = typer.Typer(help="Campaigns: list, show, and set strategy, bounds, targets and safety.", no_args_is_help=True)


def _money(value: Decimal | None) -> str:
    return "-" if value is None else f"{value:,.2f}".replace(",", " ")


def _target(campaign: Campaign) -> str:
    name = TARGET_OF.get(campaign.strategy)
    return "-" if name is None else f"{name.removeprefix('target_')} {getattr(campaign, name)}"


def _flags(campaign: Campaign) -> str:
    return ", ".join(n for n in ("kill_switch", "dry_run") if getattr(campaign, n)) or "-"


@app.command("list")
def list_campaigns(
    marketplace: Marketplace | None = typer.Option(None, "--marketplace", "-m", help="wb, ozon or ym."),
    status: CampaignStatus | None = typer.Option(None, help="active, paused or archived."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Campaigns with their strategy, bid bounds, budget, target and flags. None found: stderr
    names the database read (`adolf simulate` writes its own)."""
    with container().uow() as uow:
        found = [c for c in uow.campaigns.all(marketplace) if status is None or c.status is status]
    if not found:
        nothing_in_database("campaigns" if marketplace is None and status is None else "such campaigns")
    if as_json:
        print_json([_campaign_json(c) for c in found])
        return
    table = Table("id", "mp", "name", "status", "strategy", "bids ₽", "budget ₽", "target", "flags")
    for c in found:
        table.add_row(
            str(c.id),
            c.marketplace.value,
            cut(c.name, 40),
            c.status.value,
            c.strategy.value,
            f"{_money(c.min_bid)}–{_money(c.max_bid)}",
            _money(c.daily_budget),
            _target(c),
            _flags(c),
        )
    console.print(table)
    console.print(f"{len(found)} campaign(s)")


def _campaign_json(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.id,
        "marketplace": c.marketplace.value,
        "external_id": c.external_id,
        "name": c.name,
        "status": c.status.value,
        "strategy": c.strategy.value,
        "min_bid": c.min_bid,
        "max_bid": c.max_bid,
        "daily_budget": c.daily_budget,
        "target_position": c.target_position,
        "target_drr": c.target_drr,
        "target_cpo": c.target_cpo,
        "kill_switch": c.kill_switch,
        "dry_run": c.dry_run,
    }


@app.command()
def show(
    campaign_id: int = typer.Argument(..., min=1, max=INT64_MAX, help="Id from `adolf campaigns list`."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """One campaign: every setting, its safety thresholds, keywords and latest bid changes."""
    with container().uow() as uow:
        campaign = uow.campaigns.get(campaign_id)
        if campaign is None:
            fail(f"campaign_id={campaign_id} does not exist in {database_shown()}", 2)
        keywords = uow.campaigns.keywords_of([campaign_id], active_only=False)[campaign_id]
        history = uow.bid_history.for_campaign(campaign_id, limit=10)
    if as_json:
        active = sum(k.is_active for k in keywords)
        print_json(
            {
                **_campaign_json(campaign),
                "pause_reason": campaign.pause_reason,
                "safety": {item.name: getattr(campaign.safety, item.name) for item in fields(SafetyThresholds)},
                "safety_overrides": sorted(campaign.safety.overrides()),
                "keywords": {"active": active, "paused": len(keywords) - active},
                "latest_bid_changes": [
                    {
                        "at": h.created_at.isoformat(),
                        "keyword_id": h.keyword_id,
                        "old_bid": h.old_bid,
                        "new_bid": h.new_bid,
                        "source": h.source,
                        "reason": h.reason,
                    }
                    for h in history
                ],
            }
        )
        return
    settings = Table("setting", "value", title=f"{campaign.name} ({campaign.marketplace.value} {campaign.external_id})")
    for name in (
        "status",
        "pause_reason",
        "strategy",
        "min_bid",
        "max_bid",
        "daily_budget",
        "target_position",
        "target_drr",
        "target_cpo",
        "kill_switch",
        "dry_run",
    ):
        value = getattr(campaign, name)
        settings.add_row(name, "-" if value is None else str(getattr(value, "value", value)))
    own = campaign.safety.overrides()
    for item in fields(SafetyThresholds):
        mark = " (set for this campaign)" if item.name in own else ""
        settings.add_row(f"safety.{item.name}", f"{getattr(campaign.safety, item.name)}{mark}")
    active = sum(k.is_active for k in keywords)
    settings.add_row("keywords", f"{active} active, {len(keywords) - active} paused")
    console.print(settings)
    if history:
        changes = Table("when (UTC)", "keyword", "old ₽", "new ₽", "source", "reason", title="latest bid changes")
        for h in history:
            changes.add_row(
                h.created_at.strftime("%Y-%m-%d %H:%M"),
                str(h.keyword_id),
                _money(h.old_bid),
                _money(h.new_bid),
                h.source,
                h.reason,
            )
        console.print(changes)


def _pairs(items: list[str], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            fail(f"{option} {item!r}: expected NAME=VALUE", 2)
        pairs[name.strip()] = value.strip()
    return pairs


@app.command("set")
def set_settings(
    campaign_id: int = typer.Argument(..., min=1, max=INT64_MAX, help="Id from `adolf campaigns list`."),
    strategy: str | None = typer.Option(None, help="manual, target_position, target_drr or target_cpo."),
    min_bid: str | None = typer.Option(None, help="Lowest bid, ₽ (YM: % of price)."),
    max_bid: str | None = typer.Option(None, help="Highest bid, ₽ (YM: % of price)."),
    daily_budget: str | None = typer.Option(None, help="Daily limit, ₽; 'none' clears it."),
    target_position: str | None = typer.Option(None, help="Wanted position (target_position strategy)."),
    target_drr: str | None = typer.Option(None, help="Wanted DRR, % (target_drr strategy)."),
    target_cpo: str | None = typer.Option(None, help="Wanted cost per order, ₽ (target_cpo strategy)."),
    kill_switch: bool | None = typer.Option(
        None, "--kill-switch/--no-kill-switch", help="Stop every automatic bid change for this campaign."
    ),
    dry_run: bool | None = typer.Option(
        None, "--dry-run/--no-dry-run", help="Decide and log bids without sending them."
    ),
    safety: list[str] = typer.Option(
        [], "--safety", metavar="NAME=VALUE", help="Override a safety threshold, e.g. --safety max_drr=25 (repeatable)."
    ),
) -> None:
    """Change a campaign's settings; the whole change is checked first and nothing is written if any part is refused."""
    given: dict[str, Any] = {
        "strategy": strategy,
        "min_bid": min_bid,
        "max_bid": max_bid,
        "daily_budget": daily_budget,
        "target_position": target_position,
        "target_drr": target_drr,
        "target_cpo": target_cpo,
        "kill_switch": kill_switch,
        "dry_run": dry_run,
    }
    changes = {name: value for name, value in given.items() if value is not None}
    overrides = _pairs(safety, "--safety")
    if not changes and not overrides:
        fail("nothing to change: give at least one option (see --help)", 2)
    try:
        updated = update_campaign_settings(container().uow, campaign_id, changes, overrides)
    except DomainError as exc:  # CampaignNotFound included
        fail(str(exc), 2)
    console.print(
        f"campaign {updated.id} ({updated.name}): strategy {updated.strategy.value}, bids "
        f"{_money(updated.min_bid)}–{_money(updated.max_bid)}, target {_target(updated)}, "
        f"flags {_flags(updated)}"
    )
