"""``ADOLF_MARKETPLACE=live`` against the fake marketplace as a real process: the container's
live clients read and write through it (Marketing's campaign sync and bid cycle on WB, a poll
of WB reviews, Logistic's Ozon clusters), and two worker processes bidding at once through
the shared Redis limiter keep a quota the fake enforces (it answers no 429)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import urllib.request
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from adolf.adapters.marketplaces.http.factory import MarketplaceClients
from adolf.adapters.marketplaces.http.limiter import memory_limiter
from adolf.adapters.marketplaces.http.token_store import MemoryTokenStore
from adolf.adapters.marketplaces.http.wb_advert import WbAdsMarketplace
from adolf.application.ports.ads_marketplace import MarketplaceError
from tests.integration.test_fake_marketplace_serve import ADOLF, _printed_env
from tests.support.processes import spawn, stop_tree
from tests.support.services import require_redis
from tests.support.tcp_proxy import free_port

REDIS_DB = 6  # never flushed: every run keys its quota windows under a prefix of its own
CAMPAIGNS, KEYWORDS, SEED = 3, 2, 7
_WORLD = ("--campaigns", str(CAMPAIGNS), "--keywords", str(KEYWORDS))


def _wait_listening(env: dict[str, str]) -> None:
    with MarketplaceClients(memory_limiter(), MemoryTokenStore(), env) as clients:
        wb = WbAdsMarketplace.for_brand(clients, "acme")
        deadline = time.monotonic() + 8
        while True:  # the URLs are printed just before uvicorn binds the port
            try:
                wb.ping()
                return
            except MarketplaceError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


@pytest.fixture
def fake_env() -> Iterator[dict[str, str]]:
    port = free_port()
    proc = spawn(
        [ADOLF, "marketplace", "serve", "--port", str(port), "--seed", str(SEED), *_WORLD],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        env = _printed_env(proc, time.monotonic() + 8)
        _wait_listening(env)
        yield env
    finally:
        stop_tree([proc], grace=3)


def test_the_container_syncs_bids_polls_and_reads_clusters_through_the_fake(
    fake_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adolf.adapters.marketplaces.http.ozon_fbo import OzonFboHttp
    from adolf.adapters.marketplaces.http.reputation_router import HttpReputationMarketplace
    from adolf.adapters.sqlalchemy import migrate
    from adolf.application.logistic.clusters_sync import sync_ozon_warehouses
    from adolf.application.marketing.bid_cycle import run_bid_cycle
    from adolf.application.marketing.sync import sync_campaigns
    from adolf.application.reputation.polling import poll_wb_reviews
    from adolf.container import build_container
    from adolf.domain.marketplace import Marketplace
    from adolf.entrypoints.simulation.setup import seed_campaigns
    from adolf.settings import load_settings

    for name, value in fake_env.items():
        # WB's advertising only: the Ozon and YM ads clients have contract tests of their own
        if not name.startswith(("ADOLF_OZON_PERFORMANCE_", "ADOLF_YM_API_KEY")):
            monkeypatch.setenv(name, value)
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'adolf.sqlite3'}",
        marketplace="live",
        brands="acme",
        redis_url=require_redis(REDIS_DB),
        marketplace_redis_prefix=f"test-live-{uuid.uuid4().hex[:8]}:",
        sim_seed=SEED,
        sim_campaigns=CAMPAIGNS,
        sim_keywords=KEYWORDS,
        sim_state="memory",
        dry_run=False,
    )
    container = build_container(settings)
    migrate.upgrade(container.engine())
    services = container.services()
    assert services.marketplaces == (Marketplace.WB,)
    # the campaigns configured as a seller would (strategies, limits), read over the wire
    assert seed_campaigns(services, ["acme"], container.sim_market(), competitor_bids=False) == {"wb": CAMPAIGNS}

    synced = sync_campaigns(services)
    assert synced["wb"]["campaigns"] == CAMPAIGNS, synced
    cycle = run_bid_cycle(services)
    assert (cycle["campaigns"], cycle["errors"]) == (CAMPAIGNS, 0), cycle
    assert cycle["api_calls"] > 0
    # what the cycle sent is what the fake now holds, back in rubles
    with services.uow() as uow:
        campaigns = {c.id: c.external_id for c in uow.campaigns.active(Marketplace.WB)}
        ours = {
            (campaigns[c], k.external_id): k.bid
            for c, keywords in uow.campaigns.keywords_of(list(campaigns)).items()
            for k in keywords
        }
    wb = services.marketplace(Marketplace.WB)
    theirs = {(c, k.external_id): k.bid for c in {c for c, _ in ours} for k in wb.list_keywords(c).items}
    assert ours and theirs == ours

    assert isinstance(services.reputation_marketplace, HttpReputationMarketplace)
    polled = poll_wb_reviews(services)
    assert polled["status"] == "ok" and polled["new"] > 0, polled

    assert isinstance(services.ozon_fbo, OzonFboHttp)
    clusters = sync_ozon_warehouses(services)
    assert clusters["clusters"] > 0 and clusters["invalid"] == 0, clusters
    with services.uow() as uow:
        assert len(uow.logistic_clusters.all()) == clusters["clusters"]


# The fake with a small bids quota, counting what it answered: a real process of its own.
_SMALL_QUOTA_FAKE = textwrap.dedent(
    """
    import sys, time
    from dataclasses import replace
    import uvicorn
    from adolf.adapters.clocks import SystemClock
    from adolf.adapters.marketplaces.fake_server import build_app, build_world
    from adolf.adapters.marketplaces.http.quotas import QUOTAS

    port, calls = int(sys.argv[1]), int(sys.argv[2])
    quotas = dict(QUOTAS, **{"wb.bids": replace(QUOTAS["wb.bids"], calls=calls)})
    world = build_world(SystemClock(), campaigns=2, keywords=2, quotas=quotas)
    app = build_app(world)
    seen = {"bids": [], "429": 0}

    @app.middleware("http")
    async def count(request, call_next):
        response = await call_next(request)
        if request.url.path == "/api/advert/v1/bids":
            seen["bids"].append(time.time())
            seen["429"] += response.status_code == 429
        return response

    @app.get("/seen")
    def answer():
        return seen

    for name, value in sorted(world.env(f"http://127.0.0.1:{port}").items()):
        print(f"{name}={value}")
    sys.stdout.flush()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
    """
)

# A worker: ``rounds`` bid updates of one campaign through the shared Redis limiter.
_WORKER = textwrap.dedent(
    """
    import json, os, sys
    from dataclasses import replace
    from decimal import Decimal
    from redis import Redis
    from adolf.adapters.marketplaces.http.factory import MarketplaceClients
    from adolf.adapters.marketplaces.http.limiter import redis_limiter
    from adolf.adapters.marketplaces.http.quotas import QUOTAS
    from adolf.adapters.marketplaces.http.token_store import MemoryTokenStore
    from adolf.adapters.marketplaces.http.wb_advert import WbAdsMarketplace
    from adolf.application.ports.ads_marketplace import BidChange, CampaignBids

    campaign, keyword, bid, rounds, calls, prefix = sys.argv[1:7]
    quotas = dict(QUOTAS, **{"wb.bids": replace(QUOTAS["wb.bids"], calls=int(calls))})
    limiter = redis_limiter(Redis.from_url(os.environ["REDIS"]), prefix, quotas)
    with MarketplaceClients(limiter, MemoryTokenStore(), os.environ) as clients:
        wb = WbAdsMarketplace.for_brand(clients, "acme")
        results = [
            wb.update_bids_batch([CampaignBids(campaign, [BidChange(keyword, Decimal(bid))], f"k{i}")])
            for i in range(int(rounds))
        ]
    print(json.dumps([str(r[campaign]) for r in results]))
    """
)


def test_two_workers_bidding_at_once_keep_the_quota_the_fake_enforces() -> None:
    redis_url = require_redis(REDIS_DB)
    # The shared limiter allows 2 bid calls a second, the fake 3: the limiter counts a call when
    # it lets it go, the fake when it arrives, and a few milliseconds of latency can move a call
    # across a window's edge. Two workers limited each on its own would send 4 a second.
    port, calls, rounds = free_port(), 2, 4
    fake = spawn(
        [sys.executable, "-c", _SMALL_QUOTA_FAKE, str(port), str(calls + 1)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        env = _printed_env(fake, time.monotonic() + 8)
        _wait_listening(env)
        with MarketplaceClients(memory_limiter(), MemoryTokenStore(), env) as clients:
            wb = WbAdsMarketplace.for_brand(clients, "acme")
            campaign = wb.list_campaigns().items[0].external_id
            keyword = wb.list_keywords(campaign).items[0]
        bid = str(max(keyword.bid, keyword.min_bid or Decimal(0)))
        prefix = f"test-live-{uuid.uuid4().hex[:8]}:"
        worker_env = {**env, "REDIS": redis_url, "PATH": ""}
        workers = [
            spawn(
                [sys.executable, "-c", _WORKER, campaign, keyword.external_id, bid, str(rounds), str(calls), prefix],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=worker_env,
            )
            for _ in range(2)
        ]
        for worker in workers:
            out, err = worker.communicate(timeout=20)
            assert worker.returncode == 0, err
            results = json.loads(out.strip().splitlines()[-1])  # the log lines come first
            assert len(results) == rounds and all("rejected=()" in r and "error=None" in r for r in results), out
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/seen", timeout=5) as reply:
            seen = json.load(reply)
    finally:
        stop_tree([fake], grace=3)
    assert seen["429"] == 0
    stamps = sorted(seen["bids"])
    assert len(stamps) == 2 * rounds
    # no window of a second held more than the quota's calls
    assert all(later - earlier >= 1.0 - 0.05 for earlier, later in zip(stamps, stamps[calls:], strict=False))
