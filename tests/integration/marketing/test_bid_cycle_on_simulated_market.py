"""The bid cycle against the simulated marketplace, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from dependency_injector import providers

from adolf.adapters.clocks import ManualClock
from adolf.adapters.marketplaces.simulated import Faults
from adolf.application.marketing.bid_cycle import run_bid_cycle
from adolf.container import Container, build_container
from adolf.domain.marketing.campaign import CampaignStatus
from adolf.domain.marketing.pricing import bid_step, pricing_of
from adolf.domain.marketplace import Marketplace
from adolf.entrypoints.simulation.run import SimulationOptions, prepare, simulation_settings


def _world(
    database_url: str, campaigns: int = 9, keywords: int = 8
) -> tuple[Container, ManualClock, SimulationOptions]:
    options = SimulationOptions(days=1, campaigns=campaigns, keywords=keywords, database_url=database_url)
    container = build_container(simulation_settings(options))
    clock = ManualClock(options.start_at + timedelta(hours=14))  # mid-day: stats to act on
    container.clock.override(providers.Object(clock))
    prepare(container, options)
    return container, clock, options


def _state(container: Container) -> dict[str, Any]:
    with container.uow() as uow:
        campaigns = uow.campaigns.all()
        keywords = uow.campaigns.keywords_of([c.id for c in campaigns], active_only=False)
        history = [h for c in campaigns for h in uow.bid_history.for_campaign(c.id, limit=10_000)]
    return {"campaigns": {c.id: c for c in campaigns}, "keywords": keywords, "history": history}


def test_a_cycle_changes_bids_within_bounds_and_records_them(database_url: str) -> None:
    container, _clock, _ = _world(database_url)
    result = run_bid_cycle(container.services())
    state = _state(container)
    assert result["errors"] == 0
    assert result["bids_changed"] > 0
    assert len(state["history"]) == result["bids_changed"]
    for record in state["history"]:
        campaign = state["campaigns"][record.campaign_id]
        assert campaign.min_bid <= record.new_bid <= campaign.max_bid
        # a move is sent only when it is one bid step: 1.0 ₽, or 0.1 point of YM's percent bids
        assert abs(record.new_bid - record.old_bid) >= bid_step(pricing_of(campaign.marketplace))
        assert record.constraint in {"raised", "lowered", "at_max_bid", "at_min_bid", "at_leader", "budget_limited"}
        keyword = next(k for k in state["keywords"][campaign.id] if k.id == record.keyword_id)
        assert keyword.bid == record.new_bid  # the database follows what was sent
    # the remote side got the same bids
    for marketplace in Marketplace:
        api = container.services().marketplace(marketplace)
        for campaign in (c for c in state["campaigns"].values() if c.marketplace is marketplace):
            remote = {k.external_id: k.bid for k in api.list_keywords(campaign.external_id).items}
            for keyword in state["keywords"][campaign.id]:
                assert remote[keyword.external_id] == keyword.bid


def test_a_cycle_makes_at_most_three_calls_per_campaign_plus_one_per_marketplace(database_url: str) -> None:
    container, _clock, _ = _world(database_url, campaigns=12, keywords=15)
    services = container.services()
    apis = [services.marketplace(mp) for mp in Marketplace]
    for api in apis:
        api.reset_calls()  # type: ignore[attr-defined]
    result = run_bid_cycle(services)
    calls = sum(sum(api.calls.values()) for api in apis)  # type: ignore[attr-defined]
    assert calls == result["api_calls"]
    assert calls <= 3 * result["campaigns"] + len(apis)


def test_a_failing_campaign_is_counted_and_leaves_nothing_half_written(database_url: str) -> None:
    container, _clock, _ = _world(database_url, campaigns=9, keywords=8)
    before = _state(container)
    victim = next(c for c in before["campaigns"].values() if c.marketplace is Marketplace.OZON and c.is_active)
    market = container.sim_market()
    faulty = market.adapter(Marketplace.OZON, Faults(failing_campaigns=frozenset({victim.external_id})))
    services = container.services()
    services._apis = {**services._marketplaces(), Marketplace.OZON: faulty}  # the fault injected at the port
    result = run_bid_cycle(services)
    after = _state(container)
    assert result["errors"] == 1
    assert result["campaigns"] == sum(c.is_active for c in before["campaigns"].values()) - 1
    assert result["bids_changed"] > 0
    assert [h for h in after["history"] if h.campaign_id == victim.id] == []
    assert after["keywords"][victim.id] == before["keywords"][victim.id]
    assert after["campaigns"][victim.id] == before["campaigns"][victim.id]


def test_a_campaign_over_its_budget_is_paused_remotely_and_locally(database_url: str) -> None:
    container, clock, _ = _world(database_url, campaigns=24, keywords=10)
    clock.advance(9 * 3600)  # 23:00: budgets of the tight campaigns are spent
    result = run_bid_cycle(container.services())
    state = _state(container)
    paused = [c for c in state["campaigns"].values() if c.pause_reason == "budget_exceeded"]
    assert result["campaigns_paused"] == len(paused) > 0
    for campaign in paused:
        assert campaign.status is CampaignStatus.PAUSED
        remote = container.services().marketplace(campaign.marketplace).list_campaigns().items
        assert next(r for r in remote if r.external_id == campaign.external_id).status == "paused"


@pytest.mark.parametrize("dry_run", [True])
def test_dry_run_sends_nothing_and_logs_decisions(database_url: str, dry_run: bool) -> None:
    container, _clock, _ = _world(database_url)
    services = container.services()
    services.dry_run = dry_run
    before = _state(container)
    result = run_bid_cycle(services)
    after = _state(container)
    assert result["bids_changed"] > 0
    assert {h.source for h in after["history"]} == {"dry_run"}
    assert after["keywords"] == before["keywords"]
