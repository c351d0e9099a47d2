"""Benchmark: one bid cycle over many campaigns on the simulated marketplace.

    .venv/bin/python bench/bid_cycle.py [--campaigns 10000] [--keywords 50] [--databases sqlite,postgres]

For each database: seed a fresh schema, then time ``run_bid_cycle`` (batched port: one
stats call per marketplace chunk + at most 3 calls per campaign), and drive the same
decisions the seed's way (two calls per keyword: read its stats, set its bid) over a
sample of campaigns to compare API calls per keyword. Prints wall time, keywords per
second, API calls per cycle and the ratio. Not a test: the goals (< 60 s on PostgreSQL,
≥ 50× fewer calls) are read off the output.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from dependency_injector import providers
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from adolf.adapters.clocks import ManualClock
from adolf.application.marketing.bid_cycle import run_bid_cycle
from adolf.application.marketing.campaign_cycle import totals_of
from adolf.application.ports.ads_marketplace import BidChange
from adolf.container import build_container
from adolf.domain.marketing.bidding import BidContext, compute_bid
from adolf.domain.marketing.pricing import pricing_of
from adolf.domain.marketplace import Marketplace
from adolf.entrypoints.simulation.run import SimulationOptions, prepare, simulation_settings

PG = os.environ.get("ADOLF_BENCH_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")


class CollectingQueue:
    """Alerts the cycle queues are counted, not run: they are other jobs on other workers."""

    def __init__(self) -> None:
        self.enqueued = 0

    def enqueue(self, name: str, payload: Any = None, **_: Any) -> str:
        self.enqueued += 1
        return uuid.uuid4().hex

    def status(self, task_id: str) -> Any:
        raise NotImplementedError

    def queue_lengths(self) -> dict[str, int]:
        return {}


def _temporary_pg() -> tuple[str, Any]:
    name = f"adolf_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))

    return make_url(PG).set(database=name).render_as_string(hide_password=False), drop


def _seed_way(services: Any, sample: int) -> dict[str, float]:
    """The seed's cycle (seed 001, ``_process_campaign``), call for call, on the same
    simulated API over ``sample`` campaigns: campaign stats and the keyword list per
    campaign, then per active keyword its stats, and a bid call when the bid moved by ≥ 1
    (pauses per keyword too). Decisions come from our own domain rules."""
    from adolf.application.marketing.calendar import Calendar
    from adolf.domain.marketing.safety import SafetyAction, check_keyword

    calls = keywords = 0
    started = time.perf_counter()
    now = services.clock.now()
    day = Calendar().day(now)
    for marketplace in services.marketplaces:
        api = services.marketplace(marketplace)
        with services.uow() as uow:
            campaigns = uow.campaigns.active(marketplace)[: max(1, sample // len(Marketplace))]
        for campaign in campaigns:
            api.campaign_stats([campaign.external_id], day)
            remote = api.list_keywords(campaign.external_id).items
            calls += 2
            for keyword in (k for k in remote if k.status == "active"):
                # get_keyword_stats(keyword): the simulator answers per campaign; one call per keyword
                stats = next(
                    (
                        s
                        for s in api.keyword_stats(campaign.external_id, day).items
                        if s.keyword_external_id == keyword.external_id
                    ),
                    None,
                )
                calls += 1
                keywords += 1
                totals = totals_of(stats)
                if check_keyword(totals, campaign.safety).action is SafetyAction.PAUSE_KEYWORD:
                    calls += 1  # adapter.pause_keyword(...) — not sent here, the state stays comparable
                    continue
                decision = compute_bid(
                    campaign.strategy,
                    BidContext(
                        current_bid=keyword.bid,
                        min_bid=campaign.min_bid,
                        max_bid=campaign.max_bid,
                        stats=totals,
                        avg_position=stats.avg_position if stats else None,
                        target_drr=campaign.target_drr,
                        target_cpo=campaign.target_cpo,
                        target_position=campaign.target_position,
                        marketplace_min_bid=keyword.min_bid,
                        pricing=pricing_of(marketplace),
                    ),
                )
                if decision.changed:
                    api.update_bids(
                        campaign.external_id,
                        [BidChange(keyword.external_id, decision.new_bid)],
                        f"seed:{keyword.external_id}:{now.isoformat()}",
                    )
                    calls += 1
    return {"keywords": keywords, "calls": calls, "seconds": time.perf_counter() - started}


def bench(database: str, campaigns: int, keywords: int, sample: int) -> dict[str, Any]:
    drop = None
    url = f"sqlite:///var/bench-{uuid.uuid4().hex[:6]}.sqlite3"
    if database == "postgres":
        url, drop = _temporary_pg()
    options = SimulationOptions(days=1, campaigns=campaigns, keywords=keywords, database_url=url)
    container = build_container(simulation_settings(options, redis_url=None, dry_run=False))
    clock = ManualClock(options.start_at + timedelta(hours=14))
    container.clock.override(providers.Object(clock))
    queue = CollectingQueue()
    container.task_queue.override(providers.Object(queue))
    try:
        t0 = time.perf_counter()
        prepare(container, options)
        setup_s = time.perf_counter() - t0
        services = container.services()
        for mp in services.marketplaces:
            services.marketplace(mp).reset_calls()
        t1 = time.perf_counter()
        result = run_bid_cycle(services)
        cycle_s = time.perf_counter() - t1
        ours = sum(sum(services.marketplace(mp).calls.values()) for mp in services.marketplaces)
        seed = _seed_way(services, sample)
        # the seed's calls scale with keywords; extrapolate the sample to the whole cycle
        seed_calls_full = seed["calls"] / max(seed["keywords"], 1) * result["keywords"]
        return {
            "database": database,
            "campaigns": result["campaigns"],
            "keywords": result["keywords"],
            "setup_s": round(setup_s, 1),
            "cycle_s": round(cycle_s, 2),
            "keywords_per_s": round(result["keywords"] / cycle_s),
            "bids_changed": result["bids_changed"],
            "api_calls": ours,
            "alerts_queued": queue.enqueued,
            "seed_sample_keywords": seed["keywords"],
            "seed_calls_per_keyword": seed["calls"] / max(seed["keywords"], 1),
            "seed_calls_full_cycle": math.ceil(seed_calls_full),
            "seed_s_per_keyword_ms": round(seed["seconds"] / max(seed["keywords"], 1) * 1000, 3),
            "call_ratio": round(seed_calls_full / max(ours, 1), 1),
        }
    finally:
        container.engine().dispose()
        if drop is not None:
            drop()
        else:
            Path(make_url(url).database or "").unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--campaigns", type=int, default=10_000)
    parser.add_argument("--keywords", type=int, default=50)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--seed-sample", type=int, default=300, help="campaigns driven the seed's way")
    args = parser.parse_args()
    Path("var").mkdir(exist_ok=True)
    for database in args.databases.split(","):
        r = bench(database, args.campaigns, args.keywords, args.seed_sample)
        print(f"\n== {database}: {r['campaigns']} campaigns × {args.keywords} keywords = {r['keywords']} keywords")
        print(f"   setup (seeding, not timed)   {r['setup_s']} s")
        print(f"   bid cycle wall time          {r['cycle_s']} s   ({r['keywords_per_s']:,} keywords/s)")
        print(f"   bids changed                 {r['bids_changed']:,}   alerts queued {r['alerts_queued']:,}")
        print(f"   API calls, batched port      {r['api_calls']:,}")
        print(
            f"   API calls, seed's way        {r['seed_calls_full_cycle']:,}  "
            f"({r['seed_calls_per_keyword']:.2f} per keyword, measured on {r['seed_sample_keywords']:,} keywords "
            f"in {r['seed_s_per_keyword_ms']} ms each, extrapolated)"
        )
        print(f"   ratio                        {r['call_ratio']}× fewer calls")


if __name__ == "__main__":
    main()
