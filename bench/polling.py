"""Benchmark: Reputation's poll ingest, 100 000 items of which 30 % already known, on PostgreSQL.

    .venv/bin/python bench/polling.py [--items 100000] [--known 0.3] [--page 5000] [--sample 5000]
        [--runs 3]

Builds ``--items`` reviews and questions (WB and Ozon, Russian texts, two brands; a fixed seed)
and shuffles them. Migrates a PostgreSQL database of its own (``adolf_bench_polling`` on
127.0.0.1:5432, created and dropped; ``ADOLF_BENCH_POSTGRES_URL`` for another server). Then
``--runs`` times, each run:

1. the items table emptied, ``--known`` of the items inserted (the ones a previous poll saw),
   VACUUM ANALYZE (untimed);
2. **the per-item baseline** (what a poll does without a set-based insert: for each item
   ``SELECT id … WHERE platform, item_type, external_id``, then ``INSERT … RETURNING id`` when
   none) on the first ``--sample`` items of the shuffled order, in pages of ``--page`` items, a
   transaction a page, all rolled back so the next step starts from the same state. Its time
   per item × the items = the extrapolated time (said so in the output);
3. **``SqlItemRepository.add_new``** on all the items, in pages of ``--page`` (a WB page), a
   transaction a page as a poll commits, timed, with the SQL statements it sent; the sample's
   new keys must equal the baseline's, which is checked, and the table must hold every
   distinct key once.

Prints each run, then medians, the ratio and the load average (``os.getloadavg``). Not a test:
the goal (≥ 50× the per-item baseline) is read off the output.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from adolf.adapters.sqlalchemy import migrate
from adolf.adapters.sqlalchemy.reputation_items import SqlItemRepository
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import Item, ItemType
from priorities import Statements, database

DATABASE = "adolf_bench_polling"
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
REVIEWS = (
    "Отличный плед, мягкий и тёплый, спасибо!",
    "Пришёл с затяжкой, но продавец быстро ответил.",
    "Цвет не как на фото, размер соответствует.",
    "",  # a bare rating
    "Ужасное качество, нитки торчат, верну.",
)
QUESTIONS = ("Какой размер у пледа?", "Можно ли стирать в машинке?", "Будет ли серый цвет?")
Key = tuple[str, str, str]


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def say(line: str) -> None:
    print(line, flush=True)


def world(n: int, seed: int = 7) -> list[Item]:
    """``n`` items over WB and Ozon, reviews and questions, two brands, shuffled."""
    rng = random.Random(seed)
    items = []
    for i in range(n):
        platform = (Marketplace.WB, Marketplace.OZON)[i % 2]
        kind = ItemType.QUESTION if i % 5 == 0 else ItemType.REVIEW
        items.append(
            Item(
                id=0,
                platform=platform,
                item_type=kind,
                external_id=f"{platform.value}-{kind.value}-{i:08d}",
                brand=("ohana_market", "ohana_kids")[i % 3 == 0],
                product_id=str(100_000 + rng.randrange(5_000)),
                text=rng.choice(QUESTIONS) if kind is ItemType.QUESTION else rng.choice(REVIEWS),
                created_at=NOW - timedelta(minutes=rng.randrange(60 * 24 * 30)),
                rating=None if kind is ItemType.QUESTION else rng.randint(1, 5),
                author=rng.choice(("Анна", "Ирина", "Покупатель", "Олег")),
                product_name="Плед вязаный 150×200",
            )
        )
    rng.shuffle(items)
    return items


def pages(items: Sequence[Item], size: int) -> list[Sequence[Item]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def reset(engine: Engine, factory: sessionmaker[Session], known: Sequence[Item]) -> None:
    """The table as a previous poll left it: the known items only (untimed)."""
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE reputation_items RESTART IDENTITY CASCADE"))
    with factory() as session:
        SqlItemRepository(session).add_new(known, NOW - timedelta(hours=1))
        session.commit()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE reputation_items"))


SELECT_ONE = "SELECT id FROM reputation_items WHERE platform = :platform AND item_type = :item_type AND external_id = :external_id"
INSERT_ONE = (
    "INSERT INTO reputation_items (platform, item_type, external_id, brand, product_id, product_name, text, author, "
    "rating, status, created_at, fetched_at, status_changed_at) VALUES (:platform, :item_type, :external_id, :brand, "
    ":product_id, :product_name, :text, :author, :rating, :status, :created_at, :at, :at) RETURNING id"
)


def baseline(engine: Engine, sample: Sequence[Item], page: int) -> tuple[float, set[Key], int]:
    """(seconds, the new keys, statements): select-then-insert per item, rolled back."""
    new: set[Key] = set()
    statements = 0
    started = time.perf_counter()
    with engine.connect() as conn:
        for chunk in pages(sample, page):
            transaction = conn.begin()
            for item in chunk:
                key = {
                    "platform": item.platform.value,
                    "item_type": item.item_type.value,
                    "external_id": item.external_id,
                }
                statements += 1
                if conn.execute(text(SELECT_ONE), key).scalar() is not None:
                    continue
                values = key | {
                    "brand": item.brand,
                    "product_id": item.product_id,
                    "product_name": item.product_name,
                    "text": item.text,
                    "author": item.author,
                    "rating": item.rating,
                    "status": item.status.value,
                    "created_at": item.created_at,
                    "at": NOW,
                }
                conn.execute(text(INSERT_ONE), values).scalar_one()
                statements += 1
                new.add((key["platform"], key["item_type"], key["external_id"]))
            transaction.rollback()
    return time.perf_counter() - started, new, statements


def set_based(factory: sessionmaker[Session], items: Sequence[Item], page: int) -> tuple[float, list[int]]:
    ids: list[int] = []
    started = time.perf_counter()
    for chunk in pages(items, page):
        with factory() as session:
            ids.extend(SqlItemRepository(session).add_new(chunk, NOW))
            session.commit()
    return time.perf_counter() - started, ids


def new_keys(engine: Engine, ids: Sequence[int], sample: Sequence[Item]) -> set[Key]:
    wanted = {(i.platform.value, i.item_type.value, i.external_id) for i in sample}
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT platform, item_type, external_id FROM reputation_items WHERE id = ANY(:ids)"),
            {"ids": list(ids)},
        )
        return {tuple(row) for row in rows if tuple(row) in wanted}  # type: ignore[misc]


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM reputation_items")).scalar_one())


def bench_run(
    engine: Engine, factory: sessionmaker[Session], statements: Statements, items: list[Item], args: argparse.Namespace
) -> dict[str, Any]:
    known = random.Random(3).sample(items, int(len(items) * args.known))
    reset(engine, factory, known)
    load_before = _load()
    sample = items[: args.sample]
    base_s, base_new, base_statements = baseline(engine, sample, args.page)
    with statements.counting() as (sql, sql_s):
        set_s, ids = set_based(factory, items, args.page)
    per_item = base_s / len(sample)
    return {
        "set_s": set_s,
        "new": len(ids),
        "sql": dict(sql),
        "sql_s": sum(sql_s.values()),
        "rows": count(engine),
        "base_s": base_s,
        "base_statements": base_statements,
        "base_ms_per_item": per_item * 1000,
        "base_full_s": per_item * len(items),
        "ratio": per_item * len(items) / set_s,
        "agree": new_keys(engine, ids, sample) == base_new,
        "load_before": load_before,
        "load_after": _load(),
    }


def _runs(results: list[dict[str, Any]], key: str) -> str:
    return ", ".join(f"{r[key]:.2f}" for r in results)


def _sql(counts: dict[str, int]) -> str:
    return f"{sum(counts.values())} ({', '.join(f'{k} ×{n}' for k, n in sorted(counts.items()))})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--known", type=float, default=0.3, help="share of the items a previous poll saw")
    parser.add_argument("--page", type=int, default=5_000, help="items a page (a WB page: 5 000)")
    parser.add_argument("--sample", type=int, default=5_000, help="items driven the per-item way")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.runs < 1 or args.page < 1 or not 1 <= args.sample <= args.items or not 0 <= args.known < 1:
        parser.error("--runs and --page must be ≥ 1, --sample 1 … --items, --known in [0, 1)")
    from adolf.entrypoints.cli import progress  # a bar on a terminal's stderr; stdout keeps the figures

    say(f"load average (1, 5, 15 min) before: {_load()}  ({os.cpu_count()} CPUs)")
    started = time.perf_counter()
    items = world(args.items)
    # The bench's 100 000 items are its input, not a poll's heap (a poll holds one page): out
    # of the cyclic GC's sight, or its full collections walk them inside the timed pages.
    gc.collect()
    gc.freeze()
    say(f"{len(items):,} items built in {time.perf_counter() - started:.1f} s")
    with database(DATABASE) as url:
        engine = create_engine(url)
        migrate.upgrade(engine)
        factory = sessionmaker(engine)
        statements = Statements(engine)
        results = []
        with progress.bar(measuring=True) as bar:
            job = bar.add_task("polling runs", total=args.runs)
            for i in range(1, args.runs + 1):
                r = bench_run(engine, factory, statements, items, args)
                results.append(r)
                bar.update(job, advance=1, refresh=True)
                say(
                    f"   run {i}: add_new {r['set_s']:.2f} s ({r['new']:,} new of {len(items):,}, {_sql(r['sql'])} SQL, "
                    f"{len(items) / r['set_s']:,.0f} items/s) | per-item {r['base_ms_per_item']:.3f} ms an item "
                    f"({r['base_statements']:,} statements for {args.sample:,}) → {r['base_full_s']:.1f} s "
                    f"({r['ratio']:.1f}×) | sample agrees {r['agree']} | rows {r['rows']:,} | "
                    f"load {r['load_before']} -> {r['load_after']}"
                )
        engine.dispose()

    def med(key: str) -> float:
        return statistics.median(r[key] for r in results)

    n, total = len(results), len(items)
    known = int(total * args.known)
    say(f"\npoll ingest of {total:,} items, {known:,} already known, pages of {args.page:,} (PostgreSQL)")
    say(
        f"   add_new (set-based), median of {n}      {med('set_s'):8.2f} s   "
        f"({total / med('set_s'):,.0f} items/s; runs: {_runs(results, 'set_s')})"
    )
    say(
        f"   per-item select-then-insert, median of {n} {med('base_full_s'):8.1f} s   "
        f"({total / med('base_full_s'):,.0f} items/s, {med('base_ms_per_item'):.3f} ms an item: measured on "
        f"{args.sample:,} items, extrapolated to {total:,})"
    )
    say(
        f"   where add_new's time goes, median of {n}: {med('sql_s'):.2f} s in PostgreSQL's INSERTs (execute to "
        f"answer), {med('set_s') - med('sql_s'):.2f} s in Python, fetching the returned ids and the commits"
    )
    say(f"   ratio, median of {n}                     {med('ratio'):8.1f}×   (goal: ≥ 50×)")
    say(
        f"   every run: new keys of the sample agree {all(r['agree'] for r in results)}; rows after = distinct keys "
        f"{all(r['rows'] == total for r in results)}"
    )
    say(f"load average (1, 5, 15 min) after: {_load()}")


if __name__ == "__main__":
    main()
