"""Time Marketing's SQL repositories at bid-cycle scale (10 000 campaigns × 50 keywords).

    .venv/bin/python bench/repositories.py                      # PostgreSQL on 127.0.0.1
    .venv/bin/python bench/repositories.py --url sqlite:////tmp/bench.sqlite3
    .venv/bin/python bench/repositories.py --campaigns 1000 --keywords 50 --one-by-one

On PostgreSQL a throw-away database is created and dropped. Each step runs in its own unit of
work and includes its commit.
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from adolf.adapters.sqlalchemy import migrate
from adolf.adapters.sqlalchemy.app_unit_of_work import AppSqlUnitOfWork
from adolf.adapters.sqlalchemy.engine import build_engine, build_session_factory
from adolf.application.marketing.ports import BidChangeRecord, StatsSnapshot
from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign import Campaign, CampaignStatus, Keyword
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketplace import Marketplace

POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
CHUNK = 500  # campaigns per keywords_of / set_bids call, as run_bid_cycle batches them


@contextmanager
def database(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    name = f"adolf_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(POSTGRES).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def timed(label: str, work: Callable[[], object]) -> float:
    start = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - start
    print(f"{label:<52} {elapsed:8.2f} s {'' if result is None else result}")
    return elapsed


def account(campaigns: int, keywords: int) -> list[tuple[Campaign, list[Keyword]]]:
    return [
        (
            Campaign(
                id=0,
                marketplace=Marketplace.WB,
                external_id=f"c{i}",
                name=f"Campaign {i}",
                brand="ohana_market",
                status=CampaignStatus.ACTIVE,
                strategy=StrategyType.TARGET_DRR,
                min_bid=Decimal("50.00"),
                max_bid=Decimal("400.00"),
                daily_budget=Decimal("5000.00"),
                target_drr=Decimal("15"),
            ),
            [Keyword(0, 0, f"c{i}-k{j}", f"phrase {i} {j}", Decimal("100.00") + j) for j in range(keywords)],
        )
        for i in range(campaigns)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--campaigns", type=int, default=10_000)
    parser.add_argument("--keywords", type=int, default=50)
    parser.add_argument("--one-by-one", action="store_true", help="also time add() per campaign")
    args = parser.parse_args()
    with database(args.url) as url:
        engine = build_engine(url)
        migrate.upgrade(engine)
        factory = build_session_factory(engine)
        items = account(args.campaigns, args.keywords)
        total = args.campaigns * args.keywords
        print(f"{engine.dialect.name}: {args.campaigns} campaigns × {args.keywords} keywords = {total} keywords")

        def add_all() -> None:
            with AppSqlUnitOfWork(factory) as uow:
                uow.campaigns.add_many(items)
                uow.commit()

        timed("add_many (setup)", add_all)
        with AppSqlUnitOfWork(factory) as uow:
            ids = [c.id for c in uow.campaigns.active(Marketplace.WB)]

        def active() -> int:
            with AppSqlUnitOfWork(factory) as uow:
                return len(uow.campaigns.active())

        timed("active() campaigns", active)
        found: dict[int, list[Keyword]] = {}

        def read() -> int:
            with AppSqlUnitOfWork(factory) as uow:
                for start in range(0, len(ids), CHUNK):
                    found.update(uow.campaigns.keywords_of(ids[start : start + CHUNK]))
            return sum(len(v) for v in found.values())

        def write_bids() -> int:
            bids = [(k.id, k.bid + Decimal("1.25")) for kws in found.values() for k in kws]
            with AppSqlUnitOfWork(factory) as uow:
                for start in range(0, len(bids), CHUNK * args.keywords):
                    uow.campaigns.set_bids(bids[start : start + CHUNK * args.keywords])
                uow.commit()
            return len(bids)

        def pause() -> int:
            pauses = [(k.id, "spend_without_orders") for kws in found.values() for k in kws[:2]]
            with AppSqlUnitOfWork(factory) as uow:
                uow.campaigns.pause_keywords(pauses)
                uow.commit()
            return len(pauses)

        now = datetime.now(UTC)

        def history() -> int:
            records = [
                BidChangeRecord(k.id, k.campaign_id, k.bid, k.bid + 1, "bid_cycle", "target_drr", "below_target", now)
                for kws in found.values()
                for k in kws
            ]
            with AppSqlUnitOfWork(factory) as uow:
                uow.bid_history.add_many(records)
                uow.commit()
            return len(records)

        def snapshots() -> int:
            totals = StatsTotals(1000, 50, 5, Decimal("500.00"), Decimal("5000.00"))
            rows = [
                StatsSnapshot(k.campaign_id, date.today(), now, totals, k.id, Decimal("3.5"))
                for kws in found.values()
                for k in kws
            ]
            with AppSqlUnitOfWork(factory) as uow:
                uow.stats.add_snapshots(rows)
                uow.commit()
            return len(rows)

        def competitors() -> int:
            bids = {k.external_id: [Decimal(300) - i * 7 for i in range(10)] for kws in found.values() for k in kws}
            with AppSqlUnitOfWork(factory) as uow:
                uow.competitor_bids.replace(Marketplace.WB, bids, now)
                uow.commit()
            return len(bids)

        def read_competitors() -> int:
            count = 0
            with AppSqlUnitOfWork(factory) as uow:
                for start in range(0, len(ids), CHUNK):
                    names = [k.external_id for cid in ids[start : start + CHUNK] for k in found[cid]]
                    count += len(uow.competitor_bids.bids_for(Marketplace.WB, names))
            return count

        cycle = timed(f"keywords_of, {CHUNK} campaigns a call", read)
        timed("competitor_bids.replace (10 bids a keyword, setup)", competitors)
        cycle += timed(f"competitor_bids.bids_for, {CHUNK} campaigns a call", read_competitors)
        cycle += timed(f"set_bids, {CHUNK * args.keywords} keywords a call", write_bids)
        timed("keywords_of again (after updates)", read)
        timed("pause_keywords (2 per campaign)", pause)
        timed("stats.add_snapshots (one per keyword)", snapshots)
        cycle += timed("bid_history.add_many (one per keyword)", history)
        print(f"{'cycle DB work (keywords_of+bids_for+set_bids+history)':<52} {cycle:8.2f} s")
        if args.one_by_one:
            more = [(replace(c, external_id=f"x{c.external_id}"), kws) for c, kws in items]

            def one_by_one() -> None:
                with AppSqlUnitOfWork(factory) as uow:
                    for c, kws in more:
                        uow.campaigns.add(c, kws)
                    uow.commit()

            timed("add() one campaign at a time (the seed's way)", one_by_one)
        engine.dispose()


if __name__ == "__main__":
    main()
