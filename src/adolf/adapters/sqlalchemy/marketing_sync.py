"""``sync_campaigns``: make the campaigns and keywords tables say what a marketplace says.

A handful of statements however many rows: one read of the marketplace's campaigns, one
multi-row insert of the new ones, one bulk update of those that changed; the same for
keywords (their read chunked by campaign). Only rows that actually differ are written, so
``SyncCounts`` reports real changes and an hourly sync of an unchanged account writes nothing.

Rules:
- the marketplace decides name, status, bid, phrase and minimum bid; a pause reason is kept
  while the row stays paused and cleared when it is active again; a campaign archived in
  ADOLF stays archived;
- a remote ``daily_budget`` of None (no limit at the marketplace) keeps the local limit;
- a new campaign gets the ``manual`` strategy (ADOLF never moves bids nobody configured),
  ``default_brand``, and the bounds ``default_bounds`` gives from its keywords' bids and
  marketplace minimums (min_bid > 0: its keywords' lowest minimum, else one bid step;
  max_bid: its highest current bid), a starting point to configure that already passes the
  settings rules;
- campaigns and keywords the marketplace no longer lists are left alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.marketing_bulk import bulk_insert, bulk_update, chunks
from adolf.adapters.sqlalchemy.tables import campaigns, keywords
from adolf.application.marketing.ports import SyncCounts
from adolf.application.ports.ads_marketplace import RemoteCampaign, RemoteKeyword
from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign import CampaignStatus, KeywordStatus
from adolf.domain.marketing.default_bounds import default_bounds
from adolf.domain.marketplace import Marketplace
from adolf.domain.money import to_money

_CAMPAIGN_FIELDS = ("name", "status", "daily_budget", "pause_reason")
_KEYWORD_FIELDS = ("phrase", "bid", "status", "pause_reason", "marketplace_min_bid")


def _status(remote: str, local_reason: str | None) -> tuple[str, str | None]:
    """(status, pause_reason) of a campaign or keyword: anything but "active" counts as paused.
    Campaign and keyword statuses share these two values."""
    if remote.strip().lower() == KeywordStatus.ACTIVE.value:
        return KeywordStatus.ACTIVE.value, None
    return KeywordStatus.PAUSED.value, local_reason


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else to_money(value)


def sync_campaigns(
    session: Session,
    marketplace: Marketplace,
    remote_campaigns: Sequence[RemoteCampaign],
    remote_keywords: Mapping[str, Sequence[RemoteKeyword]],
    default_brand: str,
    now: datetime,
) -> SyncCounts:
    query = select(campaigns.c.id, campaigns.c.external_id, *(campaigns.c[f] for f in _CAMPAIGN_FIELDS))
    existing = {r.external_id: r for r in session.execute(query.where(campaigns.c.marketplace == marketplace.value))}
    new_rows: list[dict[str, Any]] = []
    changed: list[tuple[Any, ...]] = []
    # A listing that names a campaign twice is taken at its last mention, never inserted twice.
    for remote in {c.external_id: c for c in remote_campaigns}.values():
        local = existing.get(remote.external_id)
        status, reason = _status(remote.status, local.pause_reason if local else None)
        if local is None:
            remotes = remote_keywords.get(remote.external_id, ())
            bounds = default_bounds(
                marketplace, [to_money(k.bid) for k in remotes], [_money(k.min_bid) for k in remotes]
            )
            new_rows.append(_new_campaign(marketplace, remote, status, default_brand, bounds, now))
            continue
        if local.status == CampaignStatus.ARCHIVED.value:
            status, reason = local.status, local.pause_reason
        budget = _money(remote.daily_budget) if remote.daily_budget is not None else local.daily_budget
        wanted = (remote.name, status, budget, reason)
        if wanted != tuple(local[2:]):
            changed.append((local.id, *wanted))
    ids = {external_id: row.id for external_id, row in existing.items()}
    if new_rows:
        returned = session.execute(
            insert(campaigns).returning(campaigns.c.id, campaigns.c.external_id, sort_by_parameter_order=True),
            new_rows,
        )
        ids.update({r.external_id: r.id for r in returned})
    bulk_update(session, campaigns, _CAMPAIGN_FIELDS, changed, updated_at=now)
    added, updated = _sync_keywords(session, ids, remote_keywords)
    return SyncCounts(
        campaigns_added=len(new_rows), campaigns_updated=len(changed), keywords_added=added, keywords_updated=updated
    )


def _new_campaign(
    marketplace: Marketplace,
    remote: RemoteCampaign,
    status: str,
    brand: str,
    bounds: tuple[Decimal, Decimal],
    now: datetime,
) -> dict[str, Any]:
    min_bid, max_bid = bounds
    return {
        "marketplace": marketplace.value,
        "external_id": remote.external_id,
        "name": remote.name,
        "brand": brand,
        "status": status,
        "pause_reason": None,
        "strategy": StrategyType.MANUAL.value,
        "min_bid": min_bid,
        "max_bid": max_bid,
        "daily_budget": _money(remote.daily_budget),
        "target_position": None,
        "target_drr": None,
        "target_cpo": None,
        "safety_overrides": {},
        "kill_switch": False,
        "dry_run": False,
        "created_at": now,
        "updated_at": now,
    }


def _sync_keywords(
    session: Session, campaign_ids: Mapping[str, int], remote_keywords: Mapping[str, Sequence[RemoteKeyword]]
) -> tuple[int, int]:
    wanted = {campaign_ids[ext]: rows for ext, rows in remote_keywords.items() if ext in campaign_ids and rows}
    existing: dict[tuple[int, str], Any] = {}
    columns = (keywords.c.id, keywords.c.campaign_id, keywords.c.external_id, *(keywords.c[f] for f in _KEYWORD_FIELDS))
    for chunk in chunks(list(wanted)):
        for row in session.execute(select(*columns).where(keywords.c.campaign_id.in_(chunk))):
            existing[(row.campaign_id, row.external_id)] = row
    new_rows: list[dict[str, Any]] = []
    changed: list[tuple[Any, ...]] = []
    for campaign_id, remotes in wanted.items():
        for remote in {k.external_id: k for k in remotes}.values():
            local = existing.get((campaign_id, remote.external_id))
            status, reason = _status(remote.status, local.pause_reason if local else None)
            values = (remote.phrase, to_money(remote.bid), status, reason, _money(remote.min_bid))
            if local is None:
                new_rows.append(
                    {
                        "campaign_id": campaign_id,
                        "external_id": remote.external_id,
                        **dict(zip(_KEYWORD_FIELDS, values, strict=True)),
                    }
                )
            elif values != tuple(local[3:]):
                changed.append((local.id, *values))
    if new_rows:
        bulk_insert(session, keywords, new_rows)
    bulk_update(session, keywords, _KEYWORD_FIELDS, changed)
    return len(new_rows), len(changed)
