"""Benchmark: one bid cycle over many campaigns on the simulated marketplace.

    .venv/bin/python bench/bid_cycle.py [--campaigns 10000] [--keywords 50]
        [--databases sqlite,postgres] [--runs 3] [--seed-sample 300]

For each database, ``--runs`` times, each run on a fresh schema (a new SQLite file / a new
PostgreSQL database, a new simulated market with the same seed, so every run plans the same
campaigns from the same state):

1. seed campaigns and keywords (``simulation.run.prepare``), untimed;
2. seed keyword daily rows (``keyword_daily_stats``) for the 7 whole days before the cycle's
   day, for every keyword — 10 000 × 50 × 7 = 3.5 M rows on the full run — so the judging
   windows' query (``uow.stats.keyword_windows``, one per chunk of 500 campaigns) reads real
   data. One ``INSERT … SELECT`` over keywords × days (a recursive CTE) with values derived
   deterministically from the keyword id and the day: views skewed from 10 to ~4 000 a day,
   CTR 2–9 %, conversion 1–8 % (0 for one keyword in 8), spend from the keyword's bid in its
   marketplace's pricing (CPM / CPC / CPA), so windows span 1, 3 or 7 days. Untimed, printed
   apart; on PostgreSQL without the per-row FK triggers (the rows come from keywords ⋈
   campaigns), then ``ANALYZE`` (autovacuum keeps a live table's statistics);
3. time ``run_bid_cycle`` (batched port: one stats call per marketplace chunk + at most 3
   calls per campaign). Every marketplace adapter is wrapped in a timing proxy, so the
   cycle's wall time splits into the simulated marketplace double's share and *our own
   time* = cycle − double (our queries, planning, outbox, writes). The same split of this
   process's CPU time (``time.process_time``) is printed too: on a loaded machine the wall
   times include waiting for a CPU, the CPU times do not (PostgreSQL's server work is not in
   them, SQLite's is).

After the last run the same decisions are driven the seed's way (two calls per keyword: read
its stats, set its bid) over a sample of campaigns to compare API calls per keyword.

Prints per run: setup, seeding, cycle wall time, time in the double, our own time, keywords
per second, load average (``os.getloadavg``) before and after; then the medians, API calls
per cycle and per campaign (≤ 3), the seed's way and the ratio. Not a test: the goals
(< 60 s of *our own time* on PostgreSQL, ≥ 50× fewer calls) are read off the output.

``--marketplace http``: the same cycle over WB's advert API through the real client
(``ADOLF_MARKETPLACE=live``) against the wire-level fake, with the real quotas. The fake runs
in this process under uvicorn in a thread on a loopback port: the bench counts the calls it
answers per endpoint and seeds the database from the very simulated market it serves (a
separate process would need both over IPC); its work shares this process's CPU, which does
not matter for a cycle bound by the quotas. Campaigns and keywords are registered from the
market directly (over HTTP, ``bids/min`` at 1 call a second would take a second per
campaign), then the cycle is timed. Printed: API calls per campaign (goal ≤ 3) and the cycle
time against the quota floor: per endpoint, the calls past its burst at the quota's pace
(``(n − calls) × per / calls``), summed over the endpoints the cycle calls one after another
(goal: within 10 % of it). The limiter may wait up to ``--max-wait`` seconds for a call
(WB's fullstats allows 3 a minute: the 4th call of a cycle waits most of a minute). The
quotas make it slow: 1 000 campaigns take about 14 minutes (fullstats alone 20 calls = 340 s),
so pass ``--campaigns`` (the default 10 000 would take over two hours).
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from dependency_injector import providers
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # tests.support (a free port)

from adolf.adapters.clocks import ManualClock
from adolf.application.marketing.bid_cycle import run_bid_cycle
from adolf.application.marketing.campaign_cycle import totals_of
from adolf.application.ports.ads_marketplace import BidChange
from adolf.container import build_container
from adolf.domain.marketing.bidding import BidContext, compute_bid
from adolf.domain.marketing.pricing import pricing_of
from adolf.domain.marketing.windows import SPANS
from adolf.domain.marketplace import Marketplace
from adolf.entrypoints.simulation.run import SimulationOptions, prepare, simulation_settings

PG = os.environ.get("ADOLF_BENCH_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
DAYS = max(SPANS)  # whole days of keyword rows before the cycle's day: the longest window


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


class TimedMarketplace:
    """A marketplace adapter whose public methods add their wall time to ``seconds`` and this
    process's CPU time to ``cpu`` (per method). Everything else (``calls``, ``marketplace`` …)
    passes through; the adapter's calls to itself stay inside, so nothing is counted twice."""

    def __init__(self, api: Any, seconds: Counter[str], cpu: Counter[str]) -> None:
        self._api = api
        self._seconds = seconds
        self._cpu = cpu

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._api, name)
        if name.startswith("_") or not callable(value):
            return value
        seconds, cpu = self._seconds, self._cpu

        def timed(*args: Any, **kwargs: Any) -> Any:
            started, started_cpu = time.perf_counter(), time.process_time()
            try:
                return value(*args, **kwargs)
            finally:
                seconds[name] += time.perf_counter() - started
                cpu[name] += time.process_time() - started_cpu

        return timed


def _temporary_pg() -> tuple[str, Callable[[], None]]:
    name = f"adolf_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return make_url(PG).set(database=name).render_as_string(hide_password=False), drop


# Keyword daily rows for days 1..DAYS before the cycle's day, every value a function of the
# keyword id (k) and the day's offset (n); integer division behaves alike on both databases.
#   views/day  10 + x³/250 (x = k·40503 mod 100, so 10 … ~4 000, median ~500) × 0.70–1.30 noise
#   clicks     views × (20 + k·31 mod 70) ‰          (CTR 2–9 %)
#   orders     clicks × conversion ‰ (0 when k mod 8 = 0, else 10 + k·17 mod 70: 1–8 %), rounded
#              up or down by a per-day draw
#   revenue    orders × price (500 … 5 000 ₽ by keyword)
#   spent      WB views × bid / 1000, Ozon clicks × bid, YM orders × price × bid % (float
#              division: SQLite keeps a whole bid as an INTEGER)
_KEYWORD_DAYS = """
INSERT INTO keyword_daily_stats (keyword_id, campaign_id, day, views, clicks, orders, spent, revenue)
WITH RECURSIVE days(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM days WHERE n < :days),
base AS (
    SELECT k.id AS keyword_id, k.campaign_id, c.marketplace, k.bid, days.n, {day} AS day,
           (10 + (k.id * 40503 % 100) * (k.id * 40503 % 100) * (k.id * 40503 % 100) / 250)
               * (70 + (k.id * 7919 + days.n * 104729) % 61) / 100 AS views,
           20 + k.id * 31 % 70 AS ctr_permille,
           CASE WHEN k.id % 8 = 0 THEN 0 ELSE 10 + k.id * 17 % 70 END AS cr_permille,
           500 + (k.id * 53 % 46) * 100 AS price
    FROM keywords k JOIN campaigns c ON c.id = k.campaign_id CROSS JOIN days
),
counted AS (
    SELECT keyword_id, campaign_id, marketplace, bid, day, views, price,
           views * ctr_permille / 1000 AS clicks,
           (views * ctr_permille / 1000 * cr_permille + (keyword_id * 31 + n * 577) % 1000) / 1000 AS orders
    FROM base
)
SELECT keyword_id, campaign_id, day, views, clicks, orders,
       ROUND(CASE marketplace
                 WHEN 'wb' THEN views * bid / 1000.0
                 WHEN 'ozon' THEN clicks * bid
                 ELSE orders * price * bid / 100.0
             END, 2),
       orders * price
FROM counted
"""


def seed_keyword_days(engine: Engine, day: date) -> tuple[int, float]:
    """Insert the keyword daily rows (one statement), untimed by the cycle: (rows, seconds)."""
    started = time.perf_counter()
    postgres = engine.dialect.name == "postgresql"
    sql = _KEYWORD_DAYS.format(
        day="CAST(:day AS date) - days.n" if postgres else "date(:day, '-' || days.n || ' days')"
    )
    with engine.begin() as conn:
        if postgres:
            # rows made from keywords ⋈ campaigns cannot break their foreign keys: skip the
            # per-row FK triggers (the bench connects as a superuser), ~40 % of the insert
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(sql), {"days": DAYS, "day": day if postgres else day.isoformat()})
        rows = conn.execute(text("SELECT count(*) FROM keyword_daily_stats")).scalar_one()
    if postgres:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE keyword_daily_stats"))
    return int(rows), time.perf_counter() - started


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


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def bench_run(database: str, campaigns: int, keywords: int, sample: int | None) -> dict[str, Any]:
    """One run on a fresh schema; the seed's way (which moves the market's bids) only when
    ``sample`` is given, after the timed cycle."""
    drop: Callable[[], None] | None = None
    url = f"sqlite:///var/bench-{uuid.uuid4().hex[:6]}.sqlite3"
    if database == "postgres":
        url, drop = _temporary_pg()
    options = SimulationOptions(days=1, campaigns=campaigns, keywords=keywords, database_url=url)
    container = build_container(simulation_settings(options, redis_url=None, dry_run=False))
    clock = ManualClock(options.start_at + timedelta(hours=14))
    container.clock.override(providers.Object(clock))
    queue = CollectingQueue()
    container.task_queue.override(providers.Object(queue))
    in_double: Counter[str] = Counter()
    cpu_in_double: Counter[str] = Counter()
    apis = container.marketplaces()
    timed = {mp: TimedMarketplace(a, in_double, cpu_in_double) for mp, a in apis.items()}
    container.marketplaces.override(providers.Object(timed))
    try:
        t0 = time.perf_counter()
        prepare(container, options)
        setup_s = time.perf_counter() - t0
        services = container.services()
        day = services.calendar.day(clock.now())
        seeded_rows, seed_s = seed_keyword_days(container.engine(), day)
        for mp in services.marketplaces:
            services.marketplace(mp).reset_calls()
        gc.collect()
        in_double.clear()
        cpu_in_double.clear()
        load_before = _load()
        t1, cpu1 = time.perf_counter(), time.process_time()
        result = run_bid_cycle(services)
        cycle_s, cycle_cpu = time.perf_counter() - t1, time.process_time() - cpu1
        load_after = _load()
        double_s = sum(in_double.values())
        by_method = dict(in_double.most_common())
        ours = sum(sum(services.marketplace(mp).calls.values()) for mp in services.marketplaces)
        run = {
            "campaigns": result["campaigns"],
            "keywords": result["keywords"],
            "errors": result["errors"],
            "setup_s": setup_s,
            "seeded_rows": seeded_rows,
            "seed_s": seed_s,
            "cycle_s": cycle_s,
            "double_s": double_s,
            "own_s": cycle_s - double_s,
            "cycle_cpu": cycle_cpu,
            "double_cpu": sum(cpu_in_double.values()),
            "own_cpu": cycle_cpu - sum(cpu_in_double.values()),
            "double_by_method": by_method,
            "bids_changed": result["bids_changed"],
            "api_calls": ours,
            "alerts_queued": queue.enqueued,
            "load_before": load_before,
            "load_after": load_after,
        }
        if sample is not None:
            seed = _seed_way(services, sample)
            # the seed's calls scale with keywords; extrapolate the sample to the whole cycle
            seed_calls_full = seed["calls"] / max(seed["keywords"], 1) * result["keywords"]
            run |= {
                "seed_sample_keywords": seed["keywords"],
                "seed_calls_per_keyword": seed["calls"] / max(seed["keywords"], 1),
                "seed_calls_full_cycle": math.ceil(seed_calls_full),
                "seed_s_per_keyword_ms": round(seed["seconds"] / max(seed["keywords"], 1) * 1000, 3),
                "call_ratio": round(seed_calls_full / max(ours, 1), 1),
            }
        return run
    finally:
        container.engine().dispose()
        if drop is not None:
            drop()
        else:
            path = Path(make_url(url).database or "")
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


def _print_run(i: int, r: dict[str, Any]) -> None:
    rate = r["keywords"] / r["cycle_s"] if r["cycle_s"] else 0
    print(
        f"   run {i}: setup {r['setup_s']:.1f} s, keyword days {r['seeded_rows']:,} rows in {r['seed_s']:.1f} s"
        f" (untimed) | cycle {r['cycle_s']:.2f} s = double {r['double_s']:.2f} s + our own {r['own_s']:.2f} s"
        f" ({rate:,.0f} keywords/s) | load {r['load_before']} -> {r['load_after']}\n"
        f"          CPU of this process: cycle {r['cycle_cpu']:.2f} s = double {r['double_cpu']:.2f} s"
        f" + our own {r['own_cpu']:.2f} s",
        flush=True,
    )


def _cpu_note(database: str) -> str:
    if database == "postgres":
        return "  (without the server's work on our queries; wall time minus it is waiting for PostgreSQL or a CPU)"
    return "  (SQLite works in this process; wall time minus it is waiting for the disk or a CPU)"


def bench(database: str, campaigns: int, keywords: int, runs: int, sample: int) -> None:
    print(f"\n== {database}: {runs} run(s), each on a fresh schema; load before {_load()}", flush=True)
    from adolf.entrypoints.cli import progress  # a bar on a terminal's stderr; stdout keeps the figures

    results = []
    with progress.bar(measuring=True) as bar:
        job = bar.add_task(f"bid cycles on {database}", total=runs)
        for i in range(1, runs + 1):
            results.append(bench_run(database, campaigns, keywords, sample if i == runs else None))
            _print_run(i, results[-1])
            bar.update(job, advance=1, refresh=True)
    last = results[-1]
    med = {k: statistics.median(r[k] for r in results) for k in ("cycle_s", "double_s", "own_s", "own_cpu")}
    print(
        f"   {last['campaigns']} campaigns × {keywords} keywords = {last['keywords']} keywords, errors {last['errors']}"
    )
    print(
        f"   median of {runs}: bid cycle wall time {med['cycle_s']:.2f} s"
        f" ({last['keywords'] / med['cycle_s']:,.0f} keywords/s)"
    )
    print(f"   median of {runs}: in the marketplace double {med['double_s']:.2f} s")
    print(f"   median of {runs}: our own time (cycle − double) {med['own_s']:.2f} s")
    print(f"   median of {runs}: our own CPU time in this process {med['own_cpu']:.2f} s{_cpu_note(database)}")
    split = ", ".join(f"{m} {s:.2f} s" for m, s in last["double_by_method"].items())
    print(f"   double's time by call (last run): {split}")
    print(f"   bids changed                 {last['bids_changed']:,}   alerts queued {last['alerts_queued']:,}")
    print(f"   API calls, batched port      {last['api_calls']:,}")
    print(f"   API calls per campaign       {last['api_calls'] / max(last['campaigns'], 1):.2f}  (must be ≤ 3)")
    print(
        f"   API calls, seed's way        {last['seed_calls_full_cycle']:,}  "
        f"({last['seed_calls_per_keyword']:.2f} per keyword, measured on {last['seed_sample_keywords']:,} keywords "
        f"in {last['seed_s_per_keyword_ms']} ms each, extrapolated)"
    )
    print(f"   ratio                        {last['call_ratio']}× fewer calls")
    print(f"   load after {_load()}", flush=True)


# -- --marketplace http: the cycle through the real WB client against the wire-level fake ---------


class FakeServer:
    """The fake marketplace on a loopback port, in a thread; counts the calls it answers."""

    def __init__(self, world: Any) -> None:
        import uvicorn
        from tests.support.tcp_proxy import free_port

        from adolf.adapters.marketplaces.fake_server import build_app

        self.calls: Counter[tuple[str, str]] = Counter()
        self.refused: Counter[int] = Counter()
        app = build_app(world)

        @app.middleware("http")
        async def count(request: Any, call_next: Any) -> Any:
            response = await call_next(request)
            self.calls[request.method, request.url.path] += 1
            if response.status_code >= 400:
                self.refused[response.status_code] += 1
            return response

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> FakeServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the fake marketplace did not start on {self.url}")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def by_endpoint(self) -> dict[str, int]:
        from adolf.adapters.marketplaces.http.quotas import QUOTAS

        named = {(q.method, q.path): name for name, q in QUOTAS.items()}
        return {named.get(key, f"{key[0]} {key[1]}"): n for key, n in self.calls.items()}


# The cycle's phases, one after another: the campaigns' stats (one batched call per marketplace),
# the keywords' stats (per chunk), then per campaign its bids, pauses and cluster bids, whose
# endpoints interleave (each waits on its own quota while the others go on).
SEQUENTIAL = ("wb.fullstats", "wb.normquery.stats")


def quota_floor(calls: dict[str, int]) -> tuple[float, dict[str, float]]:
    """The least time the quotas allow these calls: per endpoint, the calls past the quota's
    burst at its pace; summed along the critical path — the sequential phases add up, the
    interleaved rest counts its slowest endpoint."""
    from adolf.adapters.marketplaces.http.quotas import QUOTAS

    floors = {
        endpoint: max(0, n - QUOTAS[endpoint].calls) * QUOTAS[endpoint].interval
        for endpoint, n in calls.items()
        if endpoint in QUOTAS
    }
    sequential = sum(f for e, f in floors.items() if e in SEQUENTIAL)
    interleaved = max((f for e, f in floors.items() if e not in SEQUENTIAL), default=0.0)
    return sequential + interleaved, floors


def bench_http_run(database: str, campaigns: int, keywords: int, max_wait: float) -> dict[str, Any]:
    from adolf.adapters.clocks import SystemClock
    from adolf.adapters.marketplaces.fake_server import build_world
    from adolf.adapters.marketplaces.http.factory import MarketplaceClients
    from adolf.adapters.marketplaces.http.limiter import memory_limiter
    from adolf.adapters.marketplaces.http.token_store import MemoryTokenStore
    from adolf.adapters.sqlalchemy import migrate
    from adolf.entrypoints.simulation.setup import seed_campaigns
    from adolf.settings import load_settings

    drop: Callable[[], None] | None = None
    url = f"sqlite:///var/bench-{uuid.uuid4().hex[:6]}.sqlite3"
    if database == "postgres":
        url, drop = _temporary_pg()
    world = build_world(SystemClock(), brands=("acme",), campaigns=campaigns, keywords=keywords, reputation=False)
    with FakeServer(world) as fake:
        env = world.env(fake.url)
        os.environ.update(env)
        settings = load_settings(database_url=url, marketplace="live", brands="acme", dry_run=False)
        try:
            setup = build_container(settings)
            migrate.upgrade(setup.engine())
            # registered from the market the fake serves (module doc: not over HTTP)
            setup.marketplaces.override(providers.Object({Marketplace.WB: world.market.adapter(Marketplace.WB)}))
            t0 = time.perf_counter()
            seed_campaigns(setup.services(), ["acme"], world.market, competitor_bids=False)
            setup_s = time.perf_counter() - t0
            container = build_container(settings)
            clients = MarketplaceClients(memory_limiter(max_wait=max_wait), MemoryTokenStore(), env)
            live = SimpleNamespace(default=clients, ozon_seller=clients)
            container.live_marketplace_clients.override(providers.Object(live))
            queue = CollectingQueue()
            container.task_queue.override(providers.Object(queue))
            services = container.services()
            seeded_rows, seed_s = seed_keyword_days(container.engine(), services.calendar.day(services.clock.now()))
            fake.calls.clear()
            t1 = time.perf_counter()
            result = run_bid_cycle(services)
            cycle_s = time.perf_counter() - t1
            calls = fake.by_endpoint()
            floor_s, floors = quota_floor(calls)
            clients.close()
            return {
                "campaigns": result["campaigns"],
                "keywords": result["keywords"],
                "errors": result["errors"],
                "errors_by_campaign": result.get("errors_by_campaign", {}),
                "bids_changed": result["bids_changed"],
                "setup_s": setup_s,
                "seeded_rows": seeded_rows,
                "seed_s": seed_s,
                "cycle_s": cycle_s,
                "calls": calls,
                "refused": dict(fake.refused),
                "floor_s": floor_s,
                "floors": floors,
            }
        finally:
            if drop is not None:
                drop()
            else:
                path = Path(make_url(url).database or "")
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)


def bench_http(database: str, campaigns: int, keywords: int, runs: int, max_wait: float) -> None:
    print(f"\n== {database}, --marketplace http: {runs} run(s), WB through the fake with the real quotas", flush=True)
    for i in range(1, runs + 1):
        r = bench_http_run(database, campaigns, keywords, max_wait)
        total = sum(r["calls"].values())
        per = total / max(r["campaigns"], 1)
        ratio = r["cycle_s"] / r["floor_s"] if r["floor_s"] else float("nan")
        print(
            f"   run {i}: {r['campaigns']} campaigns, {r['keywords']} keywords, errors {r['errors']}, "
            f"bids changed {r['bids_changed']:,} (setup {r['setup_s']:.1f} s, keyword days {r['seeded_rows']:,} rows "
            f"in {r['seed_s']:.1f} s, untimed)"
        )
        print(f"          API calls {total} = {per:.2f} per campaign (goal ≤ 3): {r['calls']}")
        print(f"          refused by the fake: {r['refused'] or 'none'}")
        floors = ", ".join(f"{e} {s:.1f} s" for e, s in r["floors"].items() if s)
        print(
            f"          quota floor {r['floor_s']:.1f} s (per endpoint: {floors or 'every one within its burst'};"
            f" {' + '.join(SEQUENTIAL)} in sequence, then the slowest of the rest)"
        )
        print(
            f"          cycle {r['cycle_s']:.1f} s = {ratio:.2f}× the floor"
            f" ({(ratio - 1) * 100:+.0f} %, goal within 10 %)"
            if r["floor_s"]
            else f"          cycle {r['cycle_s']:.1f} s (no quota floor: every endpoint within its burst)",
            flush=True,
        )
        if r["errors_by_campaign"]:
            print(f"          errors: {dict(list(r['errors_by_campaign'].items())[:3])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--campaigns", type=int, default=10_000)
    parser.add_argument("--keywords", type=int, default=50)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=3, help="timed cycles per database, each on a fresh schema")
    parser.add_argument("--seed-sample", type=int, default=300, help="campaigns driven the seed's way")
    parser.add_argument(
        "--marketplace",
        choices=("simulated", "http"),
        default="simulated",
        help="simulated: the in-process double; http: WB's real client against the wire-level fake",
    )
    parser.add_argument(
        "--max-wait", type=float, default=90.0, help="http: seconds the limiter may wait for one call's quota"
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    Path("var").mkdir(exist_ok=True)
    print(f"load average (1, 5, 15 min) before: {_load()}  ({os.cpu_count()} CPUs)", flush=True)
    for database in args.databases.split(","):
        if args.marketplace == "http":
            bench_http(database, args.campaigns, args.keywords, args.runs, args.max_wait)
        else:
            bench(database, args.campaigns, args.keywords, args.runs, args.seed_sample)
    print(f"\nload average (1, 5, 15 min) after: {_load()}")


if __name__ == "__main__":
    main()
