"""Whole days on the real simulated market (in process, SQLite): the daily rows written at
00:30 are the market's own totals of the closed day — not the 23:45 snapshot — the keyword
rows add up to their campaign's row, and a month is the sum of its days."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from dependency_injector import providers

from adolf.adapters.clocks import ManualClock
from adolf.application.marketing import stats
from adolf.application.marketing.ports import MarketingServices
from adolf.application.ports.ads_marketplace import BidChange
from adolf.container import Container, build_container
from adolf.domain.marketing.campaign import Campaign, CampaignStatus
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketplace import Marketplace
from adolf.entrypoints.simulation.run import MOSCOW, SimulationOptions, prepare, simulation_settings

DAYS = 2  # 2026-01-12 and 13: one month
COLLECT_HOURS = (3, 9, 14, 20, 23)  # collect_stats at :45 of these Moscow hours, the last at 23:45


@dataclass
class World:
    container: Container
    clock: ManualClock
    options: SimulationOptions

    @property
    def services(self) -> MarketingServices:
        services: MarketingServices = self.container.services()
        return services

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), MOSCOW)

    def campaigns(self) -> list[Campaign]:
        with self.services.uow() as uow:
            return uow.campaigns.all()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    options = SimulationOptions(
        days=DAYS, campaigns=9, keywords=5, database_url=f"sqlite:///{tmp_path / 'sim.sqlite3'}"
    )
    container = build_container(simulation_settings(options))
    clock = ManualClock(options.start_at)
    container.clock.override(providers.Object(clock))
    prepare(container, options)
    try:
        yield World(container, clock, options)
    finally:
        container.engine().dispose()


def market_totals(world: World, day: date) -> tuple[dict[str, StatsTotals], dict[tuple[str, str], StatsTotals]]:
    """What the simulated market itself says about ``day`` (its raw rows, not our tables):
    campaign external id → totals, and (campaign, keyword external id) → totals."""
    market = world.container.sim_market()
    campaigns: dict[str, StatsTotals] = {}
    keywords: dict[tuple[str, str], StatsTotals] = {}
    for mp in Marketplace:
        ids = market.campaign_ids(mp)
        for row in market.campaign_stats(mp, ids, day):
            campaigns[str(row["id"])] = _totals(row)
        for cid in ids:
            for row in market.keyword_stats(mp, cid, day):
                keywords[(cid, str(row["id"]))] = _totals(row)
    return campaigns, keywords


def _totals(row: dict[str, object]) -> StatsTotals:
    return StatsTotals(
        views=int(str(row["views"])),
        clicks=int(str(row["clicks"])),
        orders=int(str(row["orders"])),
        spent=Decimal(str(row["spent"])),
        revenue=Decimal(str(row["revenue"])),
    )


def live_a_day(world: World, day: date) -> None:
    """Collect stats through the day; mid-day change a bid and pause a campaign (at the market
    and locally), so the day has carries and a campaign that is paused when it is aggregated."""
    services = world.services
    for hour in COLLECT_HOURS:
        world.clock.set(world.at(day, hour, 45))
        if hour == 14:
            _mid_day_changes(world)
        for mp in services.marketplaces:
            stats.collect_stats(services, mp)


def _mid_day_changes(world: World) -> None:
    services = world.services
    active = [c for c in world.campaigns() if c.is_active]
    raised = next(c for c in active if c.marketplace is Marketplace.WB)  # rubles: doubling stays valid
    # YM pauses a boost in the seller's cabinet only: its market refuses the call
    paused = next(c for c in reversed(active) if c is not raised and c.marketplace is not Marketplace.YM)
    with services.uow() as uow:
        keywords = uow.campaigns.keywords_of([raised.id])[raised.id]
    api = services.marketplace(raised.marketplace)
    target = keywords[0]
    answer = api.update_bids(
        raised.external_id, [BidChange(target.external_id, target.bid * 2)], f"test:{world.clock.now()}"
    )
    assert answer.applied == (target.external_id,)
    services.marketplace(paused.marketplace).pause_campaign(paused.external_id)
    with services.uow() as uow:
        uow.campaigns.set_bids([(target.id, target.bid * 2)])
        uow.campaigns.set_status(paused.id, CampaignStatus.PAUSED, "test")
        uow.commit()


def test_daily_rows_are_the_markets_whole_days_and_keyword_rows_add_up_to_them(world: World) -> None:
    services = world.services
    start = world.options.start
    days = [start + timedelta(days=n) for n in range(DAYS)]
    results, market, last_snapshots = [], {}, {}
    for day in days:
        live_a_day(world, day)
        world.clock.set(world.at(day + timedelta(days=1), 0, 30))  # the day closed: the 00:30 run
        with services.uow() as uow:
            last_snapshots[day] = {s.campaign_id: s.totals for s in uow.stats.last_snapshots_of_day(day)}
        results.append(stats.aggregate_daily_stats(services))
        market[day] = market_totals(world, day)  # the market keeps "yesterday": ask it now

    campaigns = world.campaigns()
    external_of = {c.id: c.external_id for c in campaigns}
    assert len(campaigns) == 9
    assert any(c.status is CampaignStatus.PAUSED for c in campaigns)
    for day, result in zip(days, results, strict=True):
        assert result == {
            "day": day.isoformat(),
            "campaigns": 9,
            "keywords": 45,
            "from_snapshots": 0,
            "kept": 0,
            "skipped_rows": 0,
            "errors": 0,
        }
        market_campaigns, market_keywords = market[day]
        with services.uow() as uow:
            daily = {r.campaign_id: r.totals for r in uow.stats.daily_between(day, day)}
            windows = uow.stats.keyword_windows(list(daily), day + timedelta(days=1), [1])
            keywords = uow.campaigns.keywords_of(list(daily), active_only=False)
        # every campaign's row is the market's own total of the day, and so is their sum
        assert {external_of[cid]: t for cid, t in daily.items()} == market_campaigns
        assert StatsTotals.total(daily.values()) == StatsTotals.total(market_campaigns.values())
        assert StatsTotals.total(daily.values()).spent > 0
        # every keyword's row is the market's, and a campaign's keyword rows sum to its row
        for cid, kws in keywords.items():
            assert {k.external_id: windows[k.id][0] for k in kws} == {
                kid: t for (c, kid), t in market_keywords.items() if c == external_of[cid]
            }
            assert StatsTotals.total(windows[k.id][0] for k in kws) == daily[cid]
        # the 23:45 snapshot missed the end of the day
        snapshots = last_snapshots[day]
        assert all(daily[cid].spent >= snapshots[cid].spent for cid in snapshots)
        assert sum(daily[cid].views - snapshots[cid].views for cid in snapshots) > 0

    monthly_result = stats.aggregate_monthly_stats(services, start.year, start.month)
    with services.uow() as uow:
        monthly = {m.campaign_id: m.totals for m in uow.stats.monthly(start.year, start.month)}
        daily_rows = uow.stats.daily_between(days[0], days[-1])
    assert monthly_result["campaigns"] == 9
    assert monthly == {cid: StatsTotals.total(r.totals for r in daily_rows if r.campaign_id == cid) for cid in monthly}
    assert StatsTotals.total(monthly.values()) == StatsTotals.total(t for day in days for t in market[day][0].values())
