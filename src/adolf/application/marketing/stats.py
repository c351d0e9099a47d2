"""Statistics: 15-minute snapshots, daily and monthly aggregates, retention."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from adolf.application.marketing.calendar import month_bounds, moscow_day, previous_month, yesterday
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


def collect_stats(services: MarketingServices, mp: Marketplace) -> dict[str, Any]:
    """Campaign and keyword day-so-far totals of one marketplace → snapshots."""
    now = services.clock.now()
    day = moscow_day(now)
    api = services.marketplace(mp)
    with services.uow() as uow:
        campaigns = uow.campaigns.active(mp)
        keywords = uow.campaigns.keywords_of([c.id for c in campaigns], active_only=False)
    if not campaigns:
        return {"campaigns": 0, "snapshots": 0}
    fetched = api.campaign_stats([c.external_id for c in campaigns], day)
    by_external = {s.campaign_external_id: s for s in fetched.items}
    snapshots: list[StatsSnapshot] = []
    skipped = len(fetched.skipped)
    errors = 0
    for campaign in campaigns:
        stats = by_external.get(campaign.external_id)
        if stats is not None:
            snapshots.append(StatsSnapshot(campaign.id, day, now, totals_of(stats)))
        try:
            per_keyword = api.keyword_stats(campaign.external_id, day)
        except MarketplaceError:
            errors += 1
            continue
        skipped += len(per_keyword.skipped)
        ids = {k.external_id: k.id for k in keywords.get(campaign.id, [])}
        for row in per_keyword.items:
            if row.keyword_external_id in ids:
                snapshots.append(
                    StatsSnapshot(campaign.id, day, now, totals_of(row), ids[row.keyword_external_id], row.avg_position)
                )
    with services.uow() as uow:
        written = uow.stats.add_snapshots(snapshots)
        uow.commit()
    return {"campaigns": len(campaigns), "snapshots": written, "skipped_rows": skipped, "errors": errors}


def aggregate_daily_stats(services: MarketingServices, day: date | None = None) -> dict[str, Any]:
    """A day's last campaign snapshot is its total: upsert it as the daily row (idempotent)."""
    target = day or yesterday(services.clock.now())
    with services.uow() as uow:
        rows = [DailyStats(s.campaign_id, target, s.totals) for s in uow.stats.last_snapshots_of_day(target)]
        written = uow.stats.upsert_daily(rows)
        uow.commit()
    return {"day": target.isoformat(), "campaigns": written}


def aggregate_monthly_stats(
    services: MarketingServices, year: int | None = None, month: int | None = None
) -> dict[str, Any]:
    """The previous month's daily rows summed per campaign, upserted on (campaign, year, month)."""
    if year is None or month is None:
        year, month = previous_month(services.clock.now())
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
    today = moscow_day(now)
    with services.uow() as uow:
        result = {
            "snapshots": uow.stats.delete_snapshots_before(now - timedelta(days=SNAPSHOT_DAYS)),
            "bid_history": uow.bid_history.delete_before(now - timedelta(days=BID_HISTORY_DAYS)),
            "alerts": uow.alert_queries.delete_before("marketing", now - timedelta(days=ALERT_DAYS)),
            "daily_stats": uow.stats.delete_daily_before(today - timedelta(days=DAILY_DAYS)),
        }
        uow.commit()
    return result
