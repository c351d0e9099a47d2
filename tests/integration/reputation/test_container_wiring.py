"""The container provides what Reputation's use cases ask for (``ReputationServices``): the
simulated reviews and questions on the simulated market's state, the local model, the breakers
in memory without Redis and in Redis with it, the policy and the auto-approved brands from the
settings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dependency_injector import providers
from redis import Redis

from adolf.adapters.clocks import ManualClock
from adolf.adapters.llm.local_reputation import LocalReputationModel
from adolf.adapters.marketplaces.simulated.reputation import Outage, ReputationFaults, SimulatedReputation
from adolf.adapters.marketplaces.simulated.reputation_fault_plan import faults_to_text
from adolf.adapters.marketplaces.simulated.reputation_sql_state import SqlReputationState
from adolf.adapters.marketplaces.simulated.reputation_state import InMemoryReputationState
from adolf.adapters.redis.circuit_breaker import RedisCircuitBreaker
from adolf.adapters.redis.memory_circuit_breaker import MemoryCircuitBreaker
from adolf.application.ports.ads_marketplace import MarketplaceError
from adolf.container import build_container
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.circuit import BreakerState
from adolf.domain.reputation.items import ItemType
from adolf.settings import load_settings
from tests.support.services import require_redis

REDIS_DB = 10  # never flushed: the test deletes the one breaker key it made


def _settings(tmp_path: Path, **extra: object) -> object:
    return load_settings(database_url=f"sqlite:///{tmp_path / 'adolf.sqlite3'}", **extra)


def test_the_embedded_runtime_gets_memory_breakers_the_local_model_and_the_policy(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        sim_state="memory",
        reputation_breaker_failures=2,
        reputation_breaker_cooldown=60,
        reputation_breaker_probe_timeout=30,
        reputation_auto_approve="ohana_kids",
    )
    services = build_container(settings).services()
    assert isinstance(services.circuit_breaker, MemoryCircuitBreaker)
    assert services.circuit_breaker is services.circuit_breaker  # one per process: the state is in it
    assert isinstance(services.reputation_model, LocalReputationModel)
    assert services.breaker_policy.failure_threshold == 2
    assert services.breaker_policy.cool_down == timedelta(seconds=60)
    assert services.breaker_policy.probe_timeout == timedelta(seconds=30)
    assert services.circuit_breaker.policy == services.breaker_policy
    assert services.auto_approve_brands == frozenset({"ohana_kids"})
    assert services.brands == ("ohana_market", "ohana_kids")
    market = services.reputation_marketplace
    assert isinstance(market, SimulatedReputation)
    assert isinstance(market.state, InMemoryReputationState)
    assert market.faults == ReputationFaults()


def test_workers_share_the_simulated_reviews_through_the_database_with_the_planned_faults(tmp_path: Path) -> None:
    start = datetime(2026, 1, 12, 11, tzinfo=UTC)
    plan = ReputationFaults((Outage(Marketplace.OZON, start, start + timedelta(hours=1)),))
    settings = _settings(tmp_path, sim_state="database", sim_reputation_faults=faults_to_text(plan))
    container = build_container(settings)
    container.clock.override(providers.Object(ManualClock(start + timedelta(minutes=5))))
    market = container.services().reputation_marketplace
    assert isinstance(market.state, SqlReputationState)
    assert market.faults == plan
    with pytest.raises(MarketplaceError, match="503"):
        market.fetch(Marketplace.OZON, ItemType.REVIEW, "ohana_kids", None)
    # another process on the same database sees the refusal counted
    other = build_container(settings).services().reputation_marketplace
    assert other.counters()["outage_refusals"] == 1


def test_with_redis_the_breakers_are_shared_there(tmp_path: Path) -> None:
    url = require_redis(REDIS_DB)
    settings = _settings(tmp_path, redis_url=url, sim_state="memory", reputation_breaker_failures=1)
    first = build_container(settings).services().circuit_breaker
    second = build_container(settings).services().circuit_breaker
    assert isinstance(first, RedisCircuitBreaker)
    key = f"test:{uuid.uuid4().hex}"
    now = datetime(2026, 1, 12, 11, tzinfo=UTC)
    try:
        first.failed(first.acquire(key, now), now)
        assert second.state(key) is BreakerState.OPEN  # another process's container sees it open
        assert not second.acquire(key, now + timedelta(seconds=1)).allowed
    finally:
        client = Redis.from_url(url)
        client.delete(*client.keys(f"*{key}*") or [f"none:{key}"])


def test_a_live_marketplace_gets_the_http_reviews_and_questions(tmp_path: Path) -> None:
    from adolf.adapters.marketplaces.http.reputation_router import HttpReputationMarketplace

    services = build_container(_settings(tmp_path, marketplace="live")).services()
    assert isinstance(services.reputation_marketplace, HttpReputationMarketplace)
