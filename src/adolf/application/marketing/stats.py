"""Statistics: 15-minute snapshots, daily and monthly aggregates, retention."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from adolf.application.bounds import Day, Month, Year
from adolf.application.marketing.calendar import month_bounds
from adolf.application.marketing.campaign_cycle import totals_of
from adolf.application.marketing.ports import DailyStats, MarketingServices, MonthlyStats, StatsSnapshot
from adolf.application.ports.ads_marketplace import MarketplaceError
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketplace import Marketplace

#: retention (SPEC §3 cleanup_old_stats)
SNAPSHOT_DAYS = 30
BID_HISTORY_DAYS = 365
ALERT_DAYS = 183
DAILY_DAYS = 730
KEYWORD_STATS_CHUNK = 50  # campaigns per keyword-stats call, as in the bid cycle


def collect_stats(services: MarketingServices, mp: Marketplace) -> dict[str, Any]:
    """Campaign and keyword day-so-far totals of one marketplace → snapshots; both batched
    across campaigns (the seed fetched keyword stats one keyword at a time)."""
    now = services.clock.now()
    day = services.calendar.day(now)
    api = services.marketplace(mp)
    with services.uow() as uow:
        campaigns = uow.campaigns.active(mp)
        keywords = uow.campaigns.keywords_of([c.id for c in campaigns], active_only=False)
    keyword_ids = {(cid, k.external_id): k.id for cid, ks in keywords.items() for k in ks}
    if not campaigns:
        return {"campaigns": 0, "snapshots": 0}
    fetched = api.campaign_stats([c.external_id for c in campaigns], day)
    by_external = {s.campaign_external_id: s for s in fetched.items}
    snapshots = [
        StatsSnapshot(c.id, day, now, totals_of(by_external[c.external_id]))
        for c in campaigns
        if c.external_id in by_external
    ]
    skipped = len(fetched.skipped)
    errors = 0
    by_campaign = {c.external_id: c for c in campaigns}
    ids = [c.external_id for c in campaigns]
    for start in range(0, len(ids), KEYWORD_STATS_CHUNK):
        chunk = ids[start : start + KEYWORD_STATS_CHUNK]
        try:
            per_keyword = api.keyword_stats_batch(chunk, day)
        except MarketplaceError:
            errors += len(chunk)
            continue
        errors += len(per_keyword.failed)
        skipped += len(per_keyword.skipped) - len(per_keyword.failed)
        for row in per_keyword.items:
            campaign = by_campaign.get(row.campaign_external_id or "")
            keyword_id = keyword_ids.get((campaign.id, row.keyword_external_id)) if campaign else None
            if campaign is not None and keyword_id is not None:
                snapshots.append(StatsSnapshot(campaign.id, day, now, totals_of(row), keyword_id, row.avg_position))
    with services.uow() as uow:
        written = uow.stats.add_snapshots(snapshots)
        uow.commit()
    return {"campaigns": len(campaigns), "snapshots": written, "skipped_rows": skipped, "errors": errors}


def aggregate_daily_stats(services: MarketingServices, day: Day | None = None) -> dict[str, Any]:
    """A day's last campaign snapshot is its total: upsert it as the daily row (idempotent)."""
    target = day or services.calendar.yesterday(services.clock.now())
    with services.uow() as uow:
        rows = [DailyStats(s.campaign_id, target, s.totals) for s in uow.stats.last_snapshots_of_day(target)]
        written = uow.stats.upsert_daily(rows)
        uow.commit()
    return {"day": target.isoformat(), "campaigns": written}


def aggregate_monthly_stats(
    services: MarketingServices, year: Year | None = None, month: Month | None = None
) -> dict[str, Any]:
    """The previous month's daily rows summed per campaign, upserted on (campaign, year, month)."""
    if year is None or month is None:
        year, month = services.calendar.previous_month(services.clock.now())
    first, last = month_bounds(year, month)
    with services.uow() as uow:
        sums: dict[int, StatsTotals] = defaultdict(StatsTotals)
        for row in uow.stats.daily_between(first, last):
            sums[row.campaign_id] = sums[row.campaign_id] + row.totals
        written = uow.stats.upsert_monthly([MonthlyStats(cid, year, month, t) for cid, t in sums.items()])
        uow.commit()
    return {"year": year, "month": month, "campaigns": written}


def cleanup_old_stats(services: MarketingServices) -> dict[str, Any]:
    now = services.clock.now()
    today = services.calendar.day(now)
    with services.uow() as uow:
        result = {
            "snapshots": uow.stats.delete_snapshots_before(now - timedelta(days=SNAPSHOT_DAYS)),
            "bid_history": uow.bid_history.delete_before(now - timedelta(days=BID_HISTORY_DAYS)),
            "alerts": uow.alert_queries.delete_before("marketing", now - timedelta(days=ALERT_DAYS)),
            "daily_stats": uow.stats.delete_daily_before(today - timedelta(days=DAILY_DAYS)),
        }
        uow.commit()
    return result
