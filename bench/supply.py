"""Benchmark: Logistic's ``generate_supply_tasks`` at 10 000 articles × 30 clusters.

    .venv/bin/python bench/supply.py [--articles 10000] [--clusters 30] [--sample 500] [--runs 3]
        [--profile]

Loads the world of ``bench/supply_world.py`` (10 000 articles, 300 000 stock cells with their
velocity, a 1C warehouse that is empty or scarce for 60 % of the articles, yesterday's open
tasks, four users) into a PostgreSQL database of its own (``adolf_bench_supply`` on
127.0.0.1:5432, created and dropped; ``ADOLF_BENCH_POSTGRES_URL`` for another server) with COPY,
untimed. Then ``--runs`` times, on the same data and the same day, each run:

1. today's tasks, every Logistic alert and the outbox emptied, then VACUUM ANALYZE (untimed):
   every run starts from the morning before 07:00;
2. **the seed's pattern** (seed 003 ``generate_supply_tasks``: ``calculate_all_deficits`` then
   ``batch_create`` and an alert per article short of stock) on ``--sample`` articles spread
   over the ids: per article three queries — its stock cells, its velocity, its warehouse
   stock —, the same domain rules in Python (``blend``, ``needs``, ``allocate``), then an
   ``INSERT`` per task and one per ``WAREHOUSE_LOW`` alert; the articles and the open tasks
   are read once up front (generous to the pattern: the seed's service does not say how it
   skips pairs already being supplied, and ``logistic_supply_tasks`` has no index led by the
   article). In one transaction, rolled back. Its time per article × the articles = the
   extrapolated time;
3. **``generate_supply_tasks``** itself through the container (``AppSqlUnitOfWork`` on
   PostgreSQL, the outbox, the routed notifications), on a ``ManualClock`` at 07:00 Moscow,
   timed, with the SQL statements it issued (a ``before_cursor_execute`` listener) and the time
   they took; the sample's tasks must equal the seed pattern's, which is checked;
4. ``generate_supply_tasks`` once more the same day, timed: every pair has its open task now,
   so nothing is created — the reads and the rules alone.

``--profile`` runs ``generate_supply_tasks`` once more under cProfile after the runs and prints
where the time goes. Prints each run, then medians, the ratio and the load average
(``os.getloadavg``). Not a test: the goals (< 5 s and ≥ 50× the per-article pattern) are read
off the output.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import random
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dependency_injector import providers
from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from adolf.adapters.clocks import ManualClock
from adolf.adapters.observability.logging import configure_logging
from adolf.adapters.sqlalchemy import migrate
from adolf.application.logistic.cluster_velocity import blend
from adolf.application.logistic.supply_generation import generate_supply_tasks
from adolf.container import build_container
from adolf.domain.logistic.alerts import StockAlertKind, dedupe_key
from adolf.domain.logistic.allocation import allocate
from adolf.domain.logistic.deficit import needs
from adolf.domain.logistic.policy import SupplyPolicy
from adolf.domain.logistic.stock import FboStock
from adolf.settings import load_settings
from priorities import Statements, database
from supply_world import World, load

DATABASE = "adolf_bench_supply"
MOSCOW = ZoneInfo("Europe/Moscow")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def say(line: str) -> None:
    print(line, flush=True)


def reset(engine: Engine, day: Any) -> None:
    """The morning before 07:00: today's tasks, the alerts and the outbox gone (untimed)."""
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM logistic_supply_tasks WHERE task_date = :day"), {"day": day})
        conn.execute(text("DELETE FROM logistic_alerts"))
        conn.execute(text("DELETE FROM outbox"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE logistic_supply_tasks, logistic_alerts, outbox"))


# The seed's queries per article (calculate_all_deficits over an article's clusters), on this schema.
CELLS = (
    "SELECT cluster_id, available, in_transit, requested, avg_daily_sales, observed_at FROM logistic_stock_cache "
    "WHERE article_id = :a ORDER BY cluster_id"
)
VELOCITY = "SELECT avg_daily_sales FROM logistic_sales_velocity WHERE article_id = :a"
WAREHOUSE = "SELECT quantity FROM logistic_warehouse_stock WHERE article_id = :a"
INSERT_TASK = (
    "INSERT INTO logistic_supply_tasks (article_id, cluster_id, brand, task_date, status, priority, coverage, "
    "quantity, allocated, days_of_cover, created_at, updated_at) VALUES (:a, :c, :brand, :day, 'new', :priority, "
    ":coverage, :quantity, :allocated, :cover, :now, :now) "
    "ON CONFLICT (task_date, article_id, cluster_id) DO NOTHING RETURNING id"
)
INSERT_ALERT = (
    "INSERT INTO logistic_alerts (kind, severity, brand, article_id, message, details, dedupe_key, open, created_at) "
    "VALUES (:kind, :severity, :brand, :a, :message, '{}', :key, false, :now) ON CONFLICT (dedupe_key) DO NOTHING"
)

Task = tuple[int, int, str, int, int, str]  # article, cluster, priority, quantity, allocated, coverage


def seed_pattern(
    engine: Engine, ids: list[int], policy: SupplyPolicy, day: Any, now: datetime
) -> tuple[float, dict[int, list[Task]], int]:
    """(seconds, tasks per article, statements): the seed's loop over ``ids``, rolled back."""
    statements = 0
    made: dict[int, list[Task]] = {}
    started = time.perf_counter()
    with engine.connect() as conn:
        transaction = conn.begin()
        brands = dict(
            conn.execute(
                text("SELECT id, brand FROM logistic_articles WHERE active AND id = ANY(:ids)"), {"ids": ids}
            ).all()
        )
        busy: set[tuple[int, int]] = set()
        reserved: Counter[int] = Counter()
        for article, cluster, allocated in conn.execute(
            text(
                "SELECT article_id, cluster_id, allocated FROM logistic_supply_tasks "
                "WHERE status IN ('new', 'accepted') AND article_id = ANY(:ids)"
            ),
            {"ids": ids},
        ):
            busy.add((article, cluster))
            reserved[article] += allocated
        statements += 2
        per_brand: Counter[str] = Counter()
        for article in ids:
            cells = conn.execute(text(CELLS), {"a": article}).all()
            pace = conn.execute(text(VELOCITY), {"a": article}).scalar()
            held = conn.execute(text(WAREHOUSE), {"a": article}).scalar()
            statements += 3
            stocks = [FboStock(article, c, a, t, r, v, at) for c, a, t, r, v, at in cells]
            stocks = blend(stocks, {} if pace is None else {article: pace})
            fresh = [n for n in needs(stocks, policy) if (n.article_id, n.cluster_id) not in busy]
            available = max(0, (held or 0) - reserved[article])
            tasks = []
            for allocation in allocate(fresh, {article: available}):
                need = allocation.need
                conn.execute(
                    text(INSERT_TASK),
                    {
                        "a": article,
                        "c": need.cluster_id,
                        "brand": brands[article],
                        "day": day,
                        "priority": need.priority.value,
                        "coverage": allocation.coverage.value,
                        "quantity": need.deficit,
                        "allocated": allocation.allocated,
                        "cover": need.days_of_cover,
                        "now": now,
                    },
                ).scalar()
                statements += 1
                tasks.append(
                    (
                        article,
                        need.cluster_id,
                        need.priority.value,
                        need.deficit,
                        allocation.allocated,
                        allocation.coverage.value,
                    )
                )
            made[article] = tasks
            per_brand[brands[article]] += len(tasks)
            if tasks and not available:
                conn.execute(
                    text(INSERT_ALERT),
                    {
                        "kind": StockAlertKind.WAREHOUSE_LOW.value,
                        "severity": "high",
                        "brand": brands[article],
                        "a": article,
                        "message": f"article {article}: no stock in the 1C warehouse, purchase required",
                        "key": dedupe_key(StockAlertKind.WAREHOUSE_LOW, article, None, day),
                        "now": now,
                    },
                )
                statements += 1
        for brand, count in per_brand.items():
            conn.execute(
                text(INSERT_ALERT),
                {
                    "kind": StockAlertKind.TASKS_GENERATED.value,
                    "severity": "low",
                    "brand": brand,
                    "a": None,
                    "message": f"{count} supply tasks",
                    "key": dedupe_key(StockAlertKind.TASKS_GENERATED, None, None, day, scope=brand),
                    "now": now,
                },
            )
            statements += 1
        transaction.rollback()
    return time.perf_counter() - started, made, statements


def stored_tasks(engine: Engine, ids: list[int], day: Any) -> dict[int, list[Task]]:
    found: dict[int, list[Task]] = {article: [] for article in ids}
    with engine.connect() as conn:
        for row in conn.execute(
            text(
                "SELECT article_id, cluster_id, priority, quantity, allocated, coverage FROM logistic_supply_tasks "
                "WHERE task_date = :day AND article_id = ANY(:ids)"
            ),
            {"day": day, "ids": ids},
        ):
            found[row.article_id].append(tuple(row))  # type: ignore[arg-type]
    return found


def _counts(engine: Engine, day: Any) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            "tasks": conn.execute(
                text("SELECT count(*) FROM logistic_supply_tasks WHERE task_date = :day"), {"day": day}
            ).scalar_one(),
            "alerts": conn.execute(text("SELECT count(*) FROM logistic_alerts")).scalar_one(),
            "outbox": conn.execute(text("SELECT count(*) FROM outbox")).scalar_one(),
        }


def bench_run(
    container: Any, statements: Statements, sample: list[int], articles: int, day: Any, now: datetime
) -> dict[str, Any]:
    engine = container.engine()
    services = container.services()
    reset(engine, day)
    load_before = _load()
    seed_s, seed_tasks, seed_statements = seed_pattern(engine, sample, services.supply_policy, day, now)
    with statements.counting() as (sql, sql_s):
        started = time.perf_counter()
        summary = generate_supply_tasks(services)
        set_s = time.perf_counter() - started
    stored = stored_tasks(engine, sample, day)
    started = time.perf_counter()
    again = generate_supply_tasks(services)  # the same day again: every pair has its open task now
    again_s = time.perf_counter() - started
    agree = sum(sorted(stored[a]) == sorted(seed_tasks[a]) for a in sample)
    per_article = seed_s / len(sample)
    return {
        "summary": summary,
        "set_s": set_s,
        "sql": dict(sql),
        "sql_s": dict(sql_s),
        "again_s": again_s,
        "again_tasks": again["total_tasks"],
        "seed_s": seed_s,
        "seed_statements": seed_statements,
        "seed_tasks": sum(len(t) for t in seed_tasks.values()),
        "seed_ms_per_article": per_article * 1000,
        "seed_full_s": per_article * articles,
        "ratio": per_article * articles / set_s,
        "agree": agree,
        "counts": _counts(engine, day),
        "load_before": load_before,
        "load_after": _load(),
    }


def _print_run(i: int, r: dict[str, Any], sample: int) -> None:
    s = r["summary"]
    say(
        f"   run {i}: generate_supply_tasks {r['set_s']:.2f} s ({s['total_tasks']:,} tasks, {s['allocated']:,} of "
        f"{s['total_quantity']:,} units allocated, {s['alerts_created']:,} alerts, {s['notified']:,} notified, "
        f"{sum(r['sql'].values())} SQL) | seed pattern {r['seed_ms_per_article']:.2f} ms an article "
        f"({r['seed_statements']:,} statements for {sample}) → {r['seed_full_s']:.1f} s ({r['ratio']:.1f}×) "
        f"| sample agrees {r['agree']}/{sample} | load {r['load_before']} -> {r['load_after']}"
    )


def _runs(results: list[dict[str, Any]], key: str) -> str:
    return ", ".join(f"{r[key]:.2f}" for r in results)


def _sql(counts: dict[str, int]) -> str:
    return f"{sum(counts.values())} ({', '.join(f'{k} ×{n}' for k, n in sorted(counts.items()))})"


def report(results: list[dict[str, Any]], args: argparse.Namespace, short_cells: int) -> None:
    def med(key: str) -> float:
        return statistics.median(r[key] for r in results)

    last = results[-1]
    s = last["summary"]
    n = len(results)
    cells = args.articles * args.clusters
    say(
        f"\ngenerate_supply_tasks over {args.articles:,} articles × {args.clusters} clusters ({cells:,} cells, PostgreSQL)"
    )
    say(f"   set-based, median of {n}                    {med('set_s'):8.2f} s   (runs: {_runs(results, 'set_s')})")
    say(
        f"   seed's pattern, median of {n}               {med('seed_full_s'):8.1f} s   ({med('seed_ms_per_article'):.2f} "
        f"ms an article: 3 queries + an INSERT per task and per WAREHOUSE_LOW; measured on {args.sample:,} "
        f"articles, extrapolated to {args.articles:,})"
    )
    say(f"   ratio, median of {n}                        {med('ratio'):8.1f}×   (goal: < 5 s and ≥ 50×)")
    sql_s = sum(last["sql_s"].values())
    say(
        f"   set-based, last run: {_sql(last['sql'])} SQL statements taking {sql_s:.2f} s "
        f"({', '.join(f'{k} {v:.2f} s' for k, v in sorted(last['sql_s'].items()))}); "
        f"the other {last['set_s'] - sql_s:.2f} s in Python (rows to domain objects, needs, allocation, parameters)"
    )
    per_task = last["seed_statements"] / max(1, args.sample)
    say(
        f"   seed's pattern: about {per_task * args.articles:,.0f} statements for all articles ({per_task:.1f} an article)"
    )
    say(
        f"   result: {s['needs']:,} needs ({s['urgent']:,} urgent, {s['planned']:,} planned, {s['recommended']:,} "
        f"recommended), {s['already_open']:,} pairs with an open task, {s['total_tasks']:,} tasks, "
        f"{s['allocated']:,} of {s['total_quantity']:,} units allocated, {s['purchase_required']:,} WAREHOUSE_LOW, "
        f"{s['alerts_created']:,} alerts, {s['notified']:,} notifications"
    )
    say(
        f"   the same day again, median of {n}         {med('again_s'):8.2f} s   (runs: {_runs(results, 'again_s')}; "
        f"{last['again_tasks']} tasks: every pair has its open task — the reads and the rules alone)"
    )
    say(f"   world: {short_cells:,} cells short of the 28-day target on Ozon's ads (before the blend)")
    say(f"   sample agrees (set-based = seed pattern)   {last['agree']}/{args.sample}")


def profile(container: Any, day: Any, top: int = 30) -> None:
    reset(container.engine(), day)
    profiler = cProfile.Profile()
    services = container.services()
    profiler.enable()
    generate_supply_tasks(services)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    say("\ncProfile of one more generate_supply_tasks (cumulative):")
    say(out.getvalue())
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    say("by own time (tottime):")
    say(out.getvalue())


def main() -> None:
    from adolf.entrypoints.cli import progress  # a bar on a terminal's stderr; stdout keeps the figures

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--clusters", type=int, default=30)
    parser.add_argument("--sample", type=int, default=500, help="articles driven the seed's way")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one more run and print it")
    args = parser.parse_args()
    if args.runs < 1 or not 1 <= args.sample <= args.articles or args.clusters < 1:
        parser.error("--runs and --clusters must be ≥ 1 and --sample 1 … --articles")
    configure_logging("json", "WARNING", (), stream=sys.stderr)  # the notifier logs each notification at info
    say(f"load average (1, 5, 15 min) before: {_load()}  ({os.cpu_count()} CPUs)")
    # 07:00 in Moscow today, when the schedule runs the task.
    now = datetime.combine(datetime.now(MOSCOW).date(), clock_time(7, 0), MOSCOW).astimezone(UTC)
    started = time.perf_counter()
    world = World(args.articles, args.clusters, now)
    say(f"world built in {time.perf_counter() - started:.1f} s")
    with database(DATABASE) as url:
        settings = load_settings(database_url=url, queue_backend="inline", timezone="Europe/Moscow")
        container = build_container(settings)
        clock = ManualClock(now)
        container.clock.override(providers.Object(clock))
        engine = container.engine()
        migrate.upgrade(engine)
        cells = args.articles * args.clusters
        say(
            f"loading {args.articles:,} articles × {args.clusters} clusters ({cells:,} cells) into {DATABASE} (COPY, untimed)"
        )
        rows = load(engine, world, say)
        say("   " + ", ".join(f"{t} {n:,}" for t, n in rows.items()))
        # The world's 300 000 cells are not the job's: dropped, so the job's cyclic GC does not
        # walk them (holding them doubled the timed run).
        short_cells = world.short_cells()
        del world
        gc.collect()
        statements = Statements(engine)
        sample = sorted(random.Random(11).sample(range(1, args.articles + 1), args.sample))
        day = container.services().calendar.day(now)
        results = []
        say(f"\n{args.runs} run(s) on the same data, day {day}; load before {_load()}")
        with progress.bar(measuring=True) as bar:
            job = bar.add_task("supply runs", total=args.runs)
            for i in range(1, args.runs + 1):
                results.append(bench_run(container, statements, sample, args.articles, day, now))
                _print_run(i, results[-1], args.sample)
                bar.update(job, advance=1, refresh=True)
        report(results, args, short_cells)
        if args.profile:
            profile(container, day)
        engine.dispose()
    say(f"load average (1, 5, 15 min) after: {_load()}")


if __name__ == "__main__":
    main()
