"""Statistics: 15-minute snapshots, whole-day campaign and keyword rows, monthly aggregates, retention."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from adolf.application.bounds import Day, Month, Year
from adolf.application.marketing.calendar import month_bounds
from adolf.application.marketing.campaign_cycle import totals_of
from adolf.application.marketing.ports import (
    DailyStats,
    KeywordDailyStats,
    MarketingServices,
    MonthlyStats,
    StatsSnapshot,
)
from adolf.application.ports.ads_marketplace import AdsMarketplace, CampaignStats, KeywordStats, MarketplaceError
from adolf.domain.marketing.campaign import Campaign
from adolf.domain.marketing.metrics import InvalidStats, StatsTotals
from adolf.domain.marketplace import Marketplace

#: retention (SPEC §3 cleanup_old_stats)
SNAPSHOT_DAYS = 30
BID_HISTORY_DAYS = 365
ALERT_DAYS = 183
DAILY_DAYS = 730
KEYWORD_DAILY_DAYS = 90  # the bid engine judges at most the last 7 days; 90 leave room to look back
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
    """Each campaign's daily row, and each keyword's, are the marketplace's own totals of the
    closed day (run at 00:30 for yesterday): the last 15-minute snapshot is taken at :45–:55
    and misses the end of the day. Every campaign of every marketplace, paused ones too (they
    may have spent that day). Upserts, so a re-run overwrites.

    A campaign the marketplace does not answer for (the call fails, or its row is failed,
    missing or bad) falls back to its last snapshot of the day (``from_snapshots``) — unless
    it already has a daily row for the day, which is kept (``kept``): a re-run for a day the
    marketplace no longer serves must not replace whole-day totals with a snapshot. Keywords
    have no fallback: a keyword the marketplace does not answer for keeps what it had.
    Counts: ``campaigns`` with a daily row after the run, ``keywords`` rows written,
    ``skipped_rows`` malformed or wrong-day rows, ``errors`` campaigns a call failed for (once
    for campaign stats, once for keyword stats)."""
    target = day or services.calendar.yesterday(services.clock.now())
    counts = {"campaigns": 0, "keywords": 0, "from_snapshots": 0, "kept": 0, "skipped_rows": 0, "errors": 0}
    for mp in services.marketplaces:
        with services.uow() as uow:
            campaigns = uow.campaigns.all(mp)
        if campaigns:
            api = services.marketplace(mp)
            _campaign_days(services, api, campaigns, target, counts)
            _keyword_days(services, api, campaigns, target, counts)
    return {"day": target.isoformat(), **counts}


def _whole_day(row: CampaignStats | KeywordStats, day: Day) -> StatsTotals | None:
    """The row's totals, or None for a bad row (another day, impossible values)."""
    if row.day != day:
        return None
    try:
        return totals_of(row)
    except InvalidStats:
        return None


def _campaign_days(
    services: MarketingServices, api: AdsMarketplace, campaigns: list[Campaign], day: Day, counts: dict[str, int]
) -> None:
    by_external = {c.external_id: c for c in campaigns}
    answered: dict[int, StatsTotals] = {}
    try:
        fetched = api.campaign_stats(list(by_external), day)
    except MarketplaceError:
        counts["errors"] += len(by_external)
    else:
        failed = set(fetched.failed)
        counts["errors"] += len(failed)
        counts["skipped_rows"] += max(len(fetched.skipped) - len(fetched.failed), 0)
        for row in fetched.items:
            campaign = by_external.get(row.campaign_external_id)
            if campaign is None or row.campaign_external_id in failed:
                continue
            totals = _whole_day(row, day)
            if totals is None:
                counts["skipped_rows"] += 1
            else:
                answered[campaign.id] = totals
    missing = [c.id for c in campaigns if c.id not in answered]
    kept: set[int] = set()
    fallback: dict[int, StatsTotals] = {}
    with services.uow() as uow:
        if missing:
            kept = {row.campaign_id for row in uow.stats.daily_between(day, day, missing)}
            wanted = set(missing) - kept
            fallback = {
                s.campaign_id: s.totals for s in uow.stats.last_snapshots_of_day(day) if s.campaign_id in wanted
            }
        rows = [DailyStats(cid, day, totals) for cid, totals in (answered | fallback).items()]
        uow.stats.upsert_daily(rows)
        uow.commit()
    counts["from_snapshots"] += len(fallback)
    counts["kept"] += len(kept)
    counts["campaigns"] += len(rows) + len(kept)


def _keyword_days(
    services: MarketingServices, api: AdsMarketplace, campaigns: list[Campaign], day: Day, counts: dict[str, int]
) -> None:
    """One batched call per chunk of campaigns, its rows written in a short transaction (no
    transaction stays open across remote calls, and only a chunk's keywords are in memory)."""
    for start in range(0, len(campaigns), KEYWORD_STATS_CHUNK):
        chunk = campaigns[start : start + KEYWORD_STATS_CHUNK]
        try:
            fetched = api.keyword_stats_batch([c.external_id for c in chunk], day)
        except MarketplaceError:
            counts["errors"] += len(chunk)
            continue
        failed = set(fetched.failed)
        counts["errors"] += len(failed)
        counts["skipped_rows"] += max(len(fetched.skipped) - len(fetched.failed), 0)
        if not fetched.items:
            continue
        by_external = {c.external_id: c for c in chunk}
        with services.uow() as uow:
            keywords = uow.campaigns.keywords_of([c.id for c in chunk], active_only=False)
            keyword_ids = {(cid, k.external_id): k.id for cid, ks in keywords.items() for k in ks}
            rows: dict[int, KeywordDailyStats] = {}
            for row in fetched.items:
                campaign = by_external.get(row.campaign_external_id or "")
                if campaign is None or campaign.external_id in failed:
                    continue
                keyword_id = keyword_ids.get((campaign.id, row.keyword_external_id))
                if keyword_id is None:  # not synced yet: nothing to attach the row to
                    continue
                totals = _whole_day(row, day)
                if totals is None:
                    counts["skipped_rows"] += 1
                else:
                    rows[keyword_id] = KeywordDailyStats(keyword_id, campaign.id, day, totals)
            uow.stats.upsert_keyword_daily(list(rows.values()))
            uow.commit()
        counts["keywords"] += len(rows)


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
            "keyword_daily_stats": uow.stats.delete_keyword_daily_before(today - timedelta(days=KEYWORD_DAILY_DAYS)),
        }
        uow.commit()
    return result
