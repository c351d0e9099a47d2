"""Benchmark: Watcher's ``calculate_priorities`` and ``generate_daily_tasks`` at 100 000 listings.

    .venv/bin/python bench/priorities.py [--listings 100000] [--prices 3000000] [--sample 1000]
        [--runs 3] [--redis redis://127.0.0.1:6379/12]

Loads the catalogue of ``bench/priorities_world.py`` (100 000 competitor listings with their
competitors, our products and subscriptions, 3 000 000 price rows, their alerts) into a
PostgreSQL database of its own (``adolf_bench_priorities`` on 127.0.0.1:5432, created and
dropped; ``ADOLF_BENCH_POSTGRES_URL`` for another server) with COPY, untimed. Then ``--runs``
times, on the same data, each run:

1. every priority back to 50 (untimed);
2. **the seed's pattern** (seed 000 ``_calculate_competitor_priority``) on ``--sample``
   listings spread over the ids: per listing four SQL queries — its prices in the window in
   time order (changes counted in Python, as the seed does), the average discount, the latest
   price beside our price, the dumping alerts in the window — then the seed's ``UPDATE`` per
   listing whose priority changed; in one transaction, rolled back so the next step starts
   from the same state. Its time per listing × the listings = the extrapolated time;
3. **``calculate_priorities``** itself, through the container (``AppSqlUnitOfWork`` on
   PostgreSQL, the Redis status board), timed, with the SQL statements it issued (a
   ``before_cursor_execute`` listener); the sample's priorities must equal the seed
   pattern's, which is checked;
4. **``generate_daily_tasks``** for a new night (100 000 subscriptions → 100 000 tasks),
   timed, with its SQL statements and the Redis commands it sent (a connection class that
   counts what it packs: single commands and pipelines). The night's queues are emptied
   after (untimed).

Both use cases run on a ``ManualClock`` fixed at the data's "now". Redis: a database of its
own (12 by default; the bench refuses a database that already holds ``watcher:*`` keys) and
every key the bench made is deleted at the end. Prints each run, then medians, the ratio and
the load average (``os.getloadavg``). Not a test: the goals (set-based < 30 s, ≥ 50× faster
than the per-listing pattern; one INSERT and one push per marketplace) are read off the output.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dependency_injector import providers
from redis import Redis
from redis.connection import Connection
from sqlalchemy import Engine, bindparam, create_engine, event, func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from adolf.adapters.clocks import ManualClock
from adolf.adapters.sqlalchemy import migrate
from adolf.adapters.sqlalchemy.watcher_tables import (
    watcher_alerts,
    watcher_competitor_products,
    watcher_competitors,
    watcher_prices,
    watcher_products,
)
from adolf.application.watcher.generation import generate_daily_tasks
from adolf.application.watcher.priorities import calculate_priorities
from adolf.container import build_container
from adolf.domain.watcher.priority import PRIORITY_WINDOW_DAYS, PriorityInputs, count_price_changes, priority
from adolf.settings import load_settings
from priorities_world import World, load

PG = os.environ.get("ADOLF_BENCH_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
DATABASE = "adolf_bench_priorities"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def say(line: str) -> None:
    print(line, flush=True)


@contextmanager
def database(name: str = DATABASE) -> Iterator[str]:
    """A PostgreSQL database of the bench's own on ``PG``'s server, dropped before and after."""
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Statements:
    """SQL statements sent while ``on``, by kind and table (``INSERT watcher_parsing_tasks``),
    with the time each kind took from execute to its answer (fetching rows not included)."""

    def __init__(self, engine: Engine) -> None:
        self.on = False
        self.seen: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if self.on:
            kind = _kind(statement) + (" (executemany)" if many else "")
            self.seen[kind] += 1
            self.seconds[kind] += time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())

    @contextmanager
    def counting(self) -> Iterator[tuple[Counter[str], Counter[str]]]:
        self.seen, self.seconds = Counter(), Counter()
        self.on = True
        try:
            yield self.seen, self.seconds
        finally:
            self.on = False


def _kind(statement: str) -> str:
    words = statement.split(None, 1)
    verb = words[0].upper() if words else "?"
    table = {
        "INSERT": r"INTO\s+(\w+)",
        "UPDATE": r"UPDATE\s+(\w+)",
        "DELETE": r"FROM\s+(\w+)",
        "SELECT": r"FROM\s+(\w+)",
    }.get(verb)
    found = re.search(table, statement, re.IGNORECASE) if table else None
    return f"{verb} {found.group(1)}" if found else verb


class RedisTally:
    """Commands packed for Redis, by name, with their arguments, and round trips (a single
    command or a whole pipeline is one)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.commands: Counter[str] = Counter()
        self.arguments: Counter[str] = Counter()
        self.round_trips = 0

    def note(self, commands: list[Any]) -> None:
        self.round_trips += 1
        for command in commands:
            name = str(command[0]).upper()
            self.commands[name] += 1
            self.arguments[name] += len(command) - 1


TALLY = RedisTally()


class CountingConnection(Connection):
    """A redis-py connection that notes in ``TALLY`` what it sends (no MONITOR needed)."""

    def send_command(self, *args: Any, **kwargs: Any) -> None:
        TALLY.note([args])
        super().send_command(*args, **kwargs)

    def pack_commands(self, commands: Any) -> Any:
        commands = list(commands)
        TALLY.note(commands)
        return super().pack_commands(commands)


# The seed's four queries per listing (seed 000: _count_price_changes, _get_avg_discount,
# _get_price_difference with our price, _count_dumping_alerts), on this schema.
SEED_QUERIES = (
    "SELECT price FROM watcher_prices WHERE competitor_product_id = :id AND observed_at >= :since "
    "AND price IS NOT NULL ORDER BY observed_at",
    "SELECT avg(discount_percent) FROM watcher_prices WHERE competitor_product_id = :id "
    "AND observed_at >= :since AND discount_percent IS NOT NULL",
    "SELECT (SELECT price FROM watcher_prices WHERE competitor_product_id = cp.id AND price IS NOT NULL "
    "ORDER BY observed_at DESC LIMIT 1), p.price FROM watcher_competitor_products cp "
    "LEFT JOIN watcher_products p ON p.id = cp.our_product_id WHERE cp.id = :id",
    "SELECT count(*) FROM watcher_alerts WHERE competitor_product_id = :id AND kind = 'dumping_detected' "
    "AND created_at >= :since",
)


def seed_pattern(engine: Engine, ids: list[int], since: datetime) -> tuple[float, dict[int, int], int]:
    """(seconds, priority per listing, queries): the seed's loop over ``ids``, rolled back."""
    queries = 0
    scores: dict[int, int] = {}
    started = time.perf_counter()
    with engine.connect() as conn:
        transaction = conn.begin()
        active = dict(
            conn.execute(
                text(
                    "SELECT cp.id, cp.priority FROM watcher_competitor_products cp JOIN watcher_competitors c "
                    "ON c.id = cp.competitor_id AND c.active WHERE cp.id = ANY(:ids)"
                ),
                {"ids": ids},
            ).all()
        )
        changed = []
        for item in ids:
            prices = conn.execute(text(SEED_QUERIES[0]), {"id": item, "since": since}).scalars().all()
            discount = conn.execute(text(SEED_QUERIES[1]), {"id": item, "since": since}).scalar()
            latest, ours = conn.execute(text(SEED_QUERIES[2]), {"id": item}).one()
            dumping = conn.execute(text(SEED_QUERIES[3]), {"id": item, "since": since}).scalar_one()
            queries += 4
            score = priority(
                PriorityInputs(count_price_changes(prices), discount, latest, ours, int(dumping))
            )  # the rule itself is the same; the access pattern is what differs
            scores[item] = score
            if score != active[item]:
                changed.append({"id": item, "p": score})
        if changed:  # the seed's ORM flush: one UPDATE per changed row
            conn.execute(text("UPDATE watcher_competitor_products SET priority = :p WHERE id = :id"), changed)
        transaction.rollback()
    return time.perf_counter() - started, scores, queries


def seed_as_written(engine: Engine, ids: list[int], since: datetime) -> tuple[float, dict[int, int], int]:
    """The same loop as the seed's code is written: a ``select()`` built per query and run
    through a ``Session``, five queries a listing (the seed looks our price up on its own),
    the changed rows flushed at the end; rolled back."""
    p, a, cp, ours = watcher_prices.c, watcher_alerts.c, watcher_competitor_products.c, watcher_products.c
    queries = 0
    scores: dict[int, int] = {}
    started = time.perf_counter()
    with Session(engine) as db:
        listings = db.execute(
            select(watcher_competitor_products)
            .join(watcher_competitors, watcher_competitors.c.id == cp.competitor_id)
            .where(watcher_competitors.c.active.is_(True), cp.id.in_(ids))
        ).all()
        changed = []
        for row in listings:
            prices = (
                db.execute(
                    select(p.price)
                    .where(p.competitor_product_id == row.id, p.observed_at >= since, p.price.isnot(None))
                    .order_by(p.observed_at)
                )
                .scalars()
                .all()
            )
            changes = sum(1 for i in range(1, len(prices)) if prices[i] != prices[i - 1])
            discount = db.execute(
                select(func.avg(p.discount_percent)).where(
                    p.competitor_product_id == row.id, p.observed_at >= since, p.discount_percent.isnot(None)
                )
            ).scalar()
            latest = db.execute(
                select(p.price)
                .where(p.competitor_product_id == row.id, p.price.isnot(None))
                .order_by(p.observed_at.desc())
                .limit(1)
            ).scalar()
            our = db.execute(select(ours.price).where(ours.id == row.our_product_id)).scalar() if latest else None
            dumping = db.execute(
                select(func.count()).where(
                    a.competitor_product_id == row.id, a.kind == "dumping_detected", a.created_at >= since
                )
            ).scalar()
            queries += 5 if latest else 4
            score = priority(PriorityInputs(changes, discount, latest, our, int(dumping or 0)))
            scores[row.id] = score
            if score != row.priority:
                changed.append({"i": row.id, "p": score})
        if changed:
            db.execute(
                update(watcher_competitor_products).where(cp.id == bindparam("i")).values(priority=bindparam("p")),
                changed,
            )
        db.rollback()
    return time.perf_counter() - started, scores, queries


def bench_run(
    container: Any, statements: Statements, clock: ManualClock, night: Any, sample: list[int], listings: int
) -> dict[str, Any]:
    engine = container.engine()
    services = container.watcher_services()
    since = clock.now() - timedelta(days=PRIORITY_WINDOW_DAYS)
    with engine.begin() as conn:
        conn.execute(text("UPDATE watcher_competitor_products SET priority = 50, priority_updated_at = NULL"))
    load_before = _load()
    seed_s, seed_scores, seed_queries = seed_pattern(engine, sample, since)
    written_s, written_scores, written_queries = seed_as_written(engine, sample, since)
    with statements.counting() as (priorities_sql, priorities_sql_s):
        started = time.perf_counter()
        scored = calculate_priorities(services)
        set_s = time.perf_counter() - started
    with engine.connect() as conn:
        stored = dict(
            conn.execute(
                text("SELECT id, priority FROM watcher_competitor_products WHERE id = ANY(:ids)"), {"ids": sample}
            ).all()
        )
        changed_first = conn.execute(
            text("SELECT count(*) FROM watcher_competitor_products WHERE priority_updated_at IS NOT NULL")
        ).scalar_one()
    agree = sum(stored[i] == seed_scores[i] == written_scores[i] for i in sample)
    # Only changed priorities are written: the run above is the first on fresh data (every
    # priority at the default 50); now the steady state (the same data again: nothing changes)
    # and the worst case (every stored priority one off, untimed: every row is written).
    started = time.perf_counter()
    calculate_priorities(services)
    steady_s = time.perf_counter() - started
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE watcher_competitor_products SET priority = CASE WHEN priority = 100 THEN 99 ELSE priority + 1 END"
            )
        )
    with statements.counting() as (_, all_sql_s):
        started = time.perf_counter()
        calculate_priorities(services)
        all_s = time.perf_counter() - started
    services.parsing_queue.lengths()  # connect before counting: the handshake is not the job's
    TALLY.reset()
    with statements.counting() as (generation_sql, _):
        started = time.perf_counter()
        generated = generate_daily_tasks(services, night)
        generation_s = time.perf_counter() - started
    redis_commands, redis_arguments, round_trips = Counter(TALLY.commands), Counter(TALLY.arguments), TALLY.round_trips
    lengths = services.parsing_queue.lengths()
    for marketplace in lengths:
        services.parsing_queue.clear(marketplace)
    per_listing = seed_s / len(sample)
    return {
        "scored": scored["scored"],
        "bands": scored["bands"],
        "set_s": set_s,
        "priorities_sql": dict(priorities_sql),
        "priorities_sql_s": dict(priorities_sql_s),
        "changed_first": changed_first,
        "steady_s": steady_s,
        "all_s": all_s,
        "all_sql_s": dict(all_sql_s),
        "steady_ratio": per_listing * listings / steady_s,
        "all_ratio": per_listing * listings / all_s,
        "written_ms_per_listing": written_s / len(sample) * 1000,
        "written_queries": written_queries,
        "written_full_s": written_s / len(sample) * listings,
        "written_ratio": written_s / len(sample) * listings / set_s,
        "seed_sample_s": seed_s,
        "seed_queries": seed_queries,
        "seed_ms_per_listing": per_listing * 1000,
        "seed_full_s": per_listing * listings,
        "ratio": per_listing * listings / set_s,
        "agree": agree,
        "created": generated["created"],
        "by_marketplace": generated["by_marketplace"],
        "queued": {mp.value: n for mp, n in lengths.items()},
        "generation_s": generation_s,
        "generation_sql": dict(generation_sql),
        "redis": dict(redis_commands),
        "redis_arguments": dict(redis_arguments),
        "round_trips": round_trips,
        "load_before": load_before,
        "load_after": _load(),
    }


def _runs(results: list[dict[str, Any]], key: str) -> str:
    return ", ".join(f"{r[key]:.2f}" for r in results)


def _sql(counts: dict[str, int]) -> str:
    return f"{sum(counts.values())} ({', '.join(f'{k} ×{n}' for k, n in sorted(counts.items()))})"


def _print_run(i: int, r: dict[str, Any], sample: int) -> None:
    say(
        f"   run {i}: calculate_priorities {r['set_s']:.2f} s ({r['scored']:,} listings, {r['changed_first']:,} "
        f"changed) | steady {r['steady_s']:.2f} s | all changed {r['all_s']:.2f} s | seed pattern, SQL "
        f"{r['seed_ms_per_listing']:.2f} ms a listing → {r['seed_full_s']:.0f} s ({r['ratio']:.1f}×) | as the seed "
        f"is written {r['written_ms_per_listing']:.2f} ms → {r['written_full_s']:.0f} s ({r['written_ratio']:.1f}×) "
        f"| sample agrees {r['agree']}/{sample} | generate_daily_tasks {r['generation_s']:.2f} s "
        f"({r['created']:,} tasks) | load {r['load_before']} -> {r['load_after']}"
    )


def main() -> None:
    from adolf.entrypoints.cli import progress  # a bar on a terminal's stderr; stdout keeps the figures

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--prices", type=int, default=3_000_000)
    parser.add_argument("--sample", type=int, default=1_000, help="listings driven the seed's way")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--redis", default=os.environ.get("ADOLF_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"))
    args = parser.parse_args()
    if args.runs < 1 or not 1 <= args.sample <= args.listings:
        parser.error("--runs must be ≥ 1 and --sample 1 … --listings")
    plain = Redis.from_url(args.redis)
    taken = [k.decode() for k in plain.scan_iter("watcher:*", count=1000)]
    if taken:
        parser.error(
            f"--redis={args.redis} already holds watcher keys ({taken[0]} …): give the bench a database of its own"
        )
    keys_before = set(plain.scan_iter(count=1000))
    say(f"load average (1, 5, 15 min) before: {_load()}  ({os.cpu_count()} CPUs)")
    now = datetime.now(UTC).replace(microsecond=0)
    world = World(args.listings, args.prices, now)
    try:
        with database() as url:
            settings = load_settings(
                database_url=url, redis_url=args.redis, queue_backend="inline", timezone="Europe/Moscow"
            )
            container = build_container(settings)
            clock = ManualClock(now)
            container.clock.override(providers.Object(clock))
            counting = Redis.from_url(args.redis, connection_class=CountingConnection)
            container.redis.override(providers.Object(counting))
            engine = container.engine()
            migrate.upgrade(engine)
            started = time.perf_counter()
            say(f"loading {args.listings:,} listings and {args.prices:,} prices into {DATABASE} (COPY, untimed)")
            rows = load(engine, world, say)
            say(
                f"   loaded in {time.perf_counter() - started:.1f} s: "
                + ", ".join(f"{t} {n:,}" for t, n in rows.items())
            )
            statements = Statements(engine)
            sample = sorted(random.Random(11).sample(range(1, args.listings + 1), args.sample))
            first_night = container.watcher_services().calendar.day(now)
            results = []
            say(f"\n{args.runs} run(s) on the same data; load before {_load()}")
            with progress.bar(measuring=True) as bar:
                job = bar.add_task("priority runs", total=args.runs)
                for i in range(1, args.runs + 1):
                    results.append(
                        bench_run(container, statements, clock, first_night + timedelta(days=i), sample, args.listings)
                    )
                    _print_run(i, results[-1], args.sample)
                    bar.update(job, advance=1, refresh=True)
            report(results, args)
            engine.dispose()
    finally:
        made = set(plain.scan_iter(count=1000)) - keys_before
        if made:
            plain.delete(*made)
        say(f"redis: {len(made)} key(s) the bench made deleted from {args.redis}")
    say(f"load average (1, 5, 15 min) after: {_load()}")


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    def med(key: str) -> float:
        return statistics.median(r[key] for r in results)

    last = results[-1]
    n = len(results)
    say(f"\ncalculate_priorities over {last['scored']:,} listings and {args.prices:,} prices (PostgreSQL)")
    say(
        f"   set-based, first run on fresh data (priorities at 50), median of {n}  {med('set_s'):8.2f} s   "
        f"(runs: {_runs(results, 'set_s')}; {last['changed_first']:,} priorities changed)"
    )
    say(
        f"   seed's pattern in SQL, median of {n}       {med('seed_full_s'):8.1f} s   ({med('seed_ms_per_listing'):.3f} "
        f"ms a listing, 4 queries each, measured on {args.sample:,}, extrapolated to {args.listings:,})"
    )
    say(f"   ratio (first run), median of {n}           {med('ratio'):8.1f}×   (goal: < 30 s and ≥ 50×)")
    say(
        f"   steady state (same data again, 0 changed), median of {n}  {med('steady_s'):8.2f} s   "
        f"(runs: {_runs(results, 'steady_s')}) → {med('steady_ratio'):.1f}×"
    )
    say(
        f"   worst case (every priority changes), median of {n}  {med('all_s'):8.2f} s   "
        f"(runs: {_runs(results, 'all_s')}) → {med('all_ratio'):.1f}×; its SQL: "
        + ", ".join(f"{k} {v:.2f} s" for k, v in sorted(last["all_sql_s"].items()))
    )
    say(
        f"   the seed as written, median of {n}         {med('written_full_s'):8.1f} s   "
        f"({med('written_ms_per_listing'):.3f} ms a listing: select() per query through a Session, 5 queries)"
    )
    say(f"   ratio to it, median of {n}                 {med('written_ratio'):8.1f}×")
    sql_s = sum(last["priorities_sql_s"].values())
    say(
        f"   set-based, last run: {_sql(last['priorities_sql'])} SQL statements taking {sql_s:.2f} s "
        f"({', '.join(f'{k} {v:.2f} s' for k, v in sorted(last['priorities_sql_s'].items()))}); "
        f"the other {last['set_s'] - sql_s:.2f} s in Python (rows to inputs, scores, parameters)"
    )
    say(f"   seed's pattern: {4 * args.listings + 1:,} statements, + one UPDATE per changed listing")
    say(f"   priorities by band                          {last['bands']}")
    say(f"   sample agrees (set-based = both seed loops) {last['agree']}/{args.sample}")
    say(f"\ngenerate_daily_tasks for {args.listings:,} subscriptions")
    say(
        f"   median of {n}                               {med('generation_s'):8.2f} s   (runs: {_runs(results, 'generation_s')})"
    )
    say(
        f"   tasks created / queued                     {last['created']:,} {last['by_marketplace']} / {last['queued']}"
    )
    say(f"   SQL statements                             {_sql(last['generation_sql'])}")
    pushes = {k: v for k, v in last["redis"].items() if k in ("RPUSH", "LPUSH")}
    say(
        f"   Redis commands                             {sum(last['redis'].values())} in {last['round_trips']} round trips: "
        + ", ".join(f"{k} ×{v}" for k, v in sorted(last["redis"].items()))
    )
    say(
        "   task pushes                                "
        + ", ".join(f"{k} ×{v} ({last['redis_arguments'][k] - v:,} ids)" for k, v in pushes.items())
        + " — one per marketplace"
    )


if __name__ == "__main__":
    main()
