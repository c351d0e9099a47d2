"""SqlSimState: the simulated market shared through a database (SQLite and PostgreSQL)."""

from __future__ import annotations

import multiprocessing
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, event, text

from adolf.adapters.marketplaces.simulated import (
    InMemorySimState,
    SimStateStore,
    SimulatedMarket,
    SqlSimState,
    build_simulated_market,
)
from adolf.adapters.marketplaces.simulated.fbo_model import sku_of
from adolf.adapters.marketplaces.simulated.fbo_sql_state import SqlFboState
from adolf.adapters.marketplaces.simulated.fbo_state import FboStateMismatch
from adolf.adapters.marketplaces.simulated.ozon_fbo import SimulatedOzonFbo
from adolf.application.logistic.ozon_fbo import QuotaExceeded
from adolf.application.ports.ads_marketplace import BidChange
from adolf.domain.marketplace import Marketplace
from tests.support.services import require_postgres

START = datetime(2026, 3, 9, 21, 0, tzinfo=UTC)  # Moscow midnight


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'sim.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """An engine whose tables land in a fresh schema, dropped afterwards (skips without
    PostgreSQL, except under CI=true where it fails)."""
    engine = create_engine(require_postgres())
    schema = f"sim_test_{uuid.uuid4().hex[:10]}"
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield engine.execution_options(schema_translate_map={None: schema})
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    return engine


def scenario(state: SimStateStore) -> list[object]:
    """Two days of bid changes, pauses and reads; everything read is returned."""
    clock = FakeClock(START + timedelta(hours=6))
    market = build_simulated_market(21, 4, 12, clock, state)
    seen: list[object] = []
    for round_ in range(30):
        for mp in Marketplace:
            adapter = market.adapter(mp)
            ids = [c.external_id for c in adapter.list_campaigns().items]
            seen.append(adapter.campaign_stats(ids, market.today()))
            cid = ids[round_ % len(ids)]
            keywords = adapter.list_keywords(cid).items
            factor = Decimal("1.25") if round_ % 2 else Decimal("0.85")
            seen.append(
                adapter.update_bids(
                    cid, [BidChange(k.external_id, k.bid * factor) for k in keywords[: 3 + round_ % 5]], f"r{round_}"
                )
            )
            if round_ == 4:
                adapter.pause_keywords(cid, [keywords[-1].external_id])
                if mp is not Marketplace.YM:  # YM pauses a boost in the cabinet only
                    adapter.pause_campaign(ids[-1])
            if round_ == 17 and mp is not Marketplace.YM:
                adapter.start_campaign(ids[-1])
            seen.append(adapter.keyword_stats(cid, market.today()))
        clock.current += timedelta(minutes=97)
    yesterday = market.today() - timedelta(days=1)
    for mp in Marketplace:
        adapter = market.adapter(mp)
        seen.append(adapter.campaign_stats([c.external_id for c in adapter.list_campaigns().items], yesterday))
    return seen


def test_sql_state_gives_the_same_results_as_the_in_memory_state(engine: Engine) -> None:
    assert scenario(SqlSimState(engine)) == scenario(InMemorySimState())


def test_two_markets_on_one_database_see_one_market(engine: Engine) -> None:
    """As two worker processes would: each builds its own market on the shared state."""
    clock = FakeClock(START + timedelta(hours=9))
    first = build_simulated_market(5, 3, 5, clock, SqlSimState(engine))
    second = build_simulated_market(5, 3, 5, clock, SqlSimState(engine))
    wb_first, wb_second = first.adapter(Marketplace.WB), second.adapter(Marketplace.WB)
    keyword = wb_first.list_keywords("10000001").items[0]

    wb_first.update_bids("10000001", [BidChange(keyword.external_id, Decimal("444"))], "once")
    wb_second.pause_campaign("10000002")
    replay = wb_second.update_bids("10000001", [BidChange(keyword.external_id, Decimal("999"))], "once")
    clock.current += timedelta(hours=2)

    assert replay.applied == (keyword.external_id,)
    assert wb_second.list_keywords("10000001").items[0].bid == Decimal("444.00")
    assert {c.external_id: c.status for c in wb_first.list_campaigns().items}["10000002"] == "paused"
    assert _stats(first) == _stats(second)


def test_a_market_attached_to_an_existing_database_keeps_its_start(engine: Engine) -> None:
    first = build_simulated_market(5, 2, 2, FakeClock(START + timedelta(hours=1)), SqlSimState(engine))
    later = build_simulated_market(5, 2, 2, FakeClock(START + timedelta(days=2)), SqlSimState(engine))
    assert later.meta == first.meta


def test_sql_state_writes_in_batches(engine: Engine) -> None:
    """Changing 50 keywords and reading 50 campaigns costs a few statements, not one a row."""
    clock = FakeClock(START + timedelta(hours=9))
    market = build_simulated_market(5, 50, 50, clock, SqlSimState(engine))
    wb = market.adapter(Marketplace.WB)
    ids = [c.external_id for c in wb.list_campaigns().items]
    keywords = wb.list_keywords(ids[0]).items
    statements: list[str] = []

    def listener(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        wb.update_bids(ids[0], [BidChange(k.external_id, k.bid + 1) for k in keywords], "batch")
        wb.campaign_stats(ids, market.today())
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert 0 < len(statements) <= 20


def _play(state: SimStateStore, marketplace: Marketplace, rounds: int) -> SimulatedMarket:
    """One worker's share of the work: reads and bid changes on one marketplace's campaigns."""
    clock = FakeClock(START + timedelta(hours=6))
    market = build_simulated_market(31, 3, 10, clock, state)
    adapter = market.adapter(marketplace)
    ids = [c.external_id for c in adapter.list_campaigns().items]
    for round_ in range(rounds):
        for cid in ids:
            keywords = adapter.keyword_stats(cid, market.today()).items
            changes = [BidChange(k.keyword_external_id, Decimal(200 + 7 * round_)) for k in keywords[::3]]
            adapter.update_bids(cid, changes, f"{cid}:{round_}")
        clock.current += timedelta(minutes=41)
    return market


def _worker(url: str, schema: str | None, marketplace: str, rounds: int) -> None:
    engine = create_engine(url)
    if schema is not None:
        engine = engine.execution_options(schema_translate_map={None: schema})
    _play(SqlSimState(engine), Marketplace(marketplace), rounds)
    engine.dispose()


def test_worker_processes_sharing_the_database_build_one_consistent_market(engine: Engine) -> None:
    """Two processes change different marketplaces at once; the result is what one process
    doing both would get."""
    SqlSimState(engine)  # the tables exist before the workers start
    url = engine.url.render_as_string(hide_password=False)
    schema = (engine.get_execution_options().get("schema_translate_map") or {}).get(None)
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_worker, args=(url, schema, mp.value, 12)) for mp in (Marketplace.WB, Marketplace.OZON)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0, 0]

    alone = InMemorySimState()
    expected = _play(alone, Marketplace.WB, 12)
    _play(alone, Marketplace.OZON, 12)
    shared = build_simulated_market(31, 3, 10, expected.clock, SqlSimState(engine))
    for mp in (Marketplace.WB, Marketplace.OZON):
        ids = expected.campaign_ids(mp)
        day = expected.today()
        assert shared.adapter(mp).campaign_stats(ids, day) == expected.adapter(mp).campaign_stats(ids, day)
        for cid in ids:
            assert shared.adapter(mp).keyword_stats(cid, day) == expected.adapter(mp).keyword_stats(cid, day)


def _stats(market: SimulatedMarket) -> list[object]:
    wb = market.adapter(Marketplace.WB)
    ids = [c.external_id for c in wb.list_campaigns().items]
    return [wb.campaign_stats(ids, market.today()), *(wb.keyword_stats(cid, market.today()) for cid in ids)]


# -- the simulated Ozon FBO's state (``SqlFboState``) ------------------------------------------

FBO_START = date(2026, 3, 10)


def _fbo(engine: Engine, clock: FakeClock, *, start: date | None = FBO_START, seed: int = 7) -> SimulatedOzonFbo:
    return SimulatedOzonFbo(seed, 8, clock, start=start, state=SqlFboState(engine))


def _cells(market: SimulatedOzonFbo, days: int = 8) -> list[tuple[int, int, int, int]]:
    """(available at the day's start, in transit then, sold, lost) of every cell and day."""
    moments = [datetime.combine(FBO_START + timedelta(days=n), datetime.min.time(), UTC) for n in range(days)]
    return [
        (
            market.available(sku, cluster, moment),
            market.in_transit(sku, cluster, moment),
            market.sold(sku, cluster, moment.date()),
            market.lost(sku, cluster, moment.date()),
        )
        for moment in moments
        for sku in market.skus
        for cluster in market.cluster_ids
    ]


def test_fbo_instances_on_one_database_see_one_market(engine: Engine) -> None:
    """As the simulating process (the seller ships) and a worker (the jobs read) would."""
    clock = FakeClock(START + timedelta(hours=9))
    seller = _fbo(engine, clock)
    worker = _fbo(engine, FakeClock(START + timedelta(days=2)), start=None)  # wakes up later: takes the first day
    assert worker.origin == seller.origin == FBO_START
    worker.outcome(FBO_START + timedelta(days=7))  # its cache runs past the arrival before it is shipped
    sku = seller.skus[2]
    shipped = seller.ship(sku, 4003, 55, clock.current, key="task-7")
    assert worker.shipments() == [shipped]  # read back exactly, the time in UTC to the microsecond
    assert worker.ship(sku, 4003, 55, clock.current + timedelta(hours=1), key="task-7") == shipped
    seller.ship(seller.skus[5], 4001, 9, clock.current + timedelta(hours=30))
    alone = SimulatedOzonFbo(7, 8, clock, start=FBO_START)
    alone.ship(sku, 4003, 55, clock.current, key="task-7")
    alone.ship(seller.skus[5], 4001, 9, clock.current + timedelta(hours=30))
    assert _cells(worker) == _cells(seller) == _cells(alone)
    assert {r.cluster_id: r.in_transit for r in worker.stocks([sku]).rows}[4003] == 55


def test_fbo_analytics_quota_is_shared_and_another_market_is_refused(engine: Engine) -> None:
    clock = FakeClock(START + timedelta(hours=3))
    one, other = _fbo(engine, clock), _fbo(engine, clock, start=None)
    window = (FBO_START - timedelta(days=3), FBO_START - timedelta(days=1))
    first = one.ordered_units(*window)
    clock.current += timedelta(seconds=59, microseconds=500_000)
    with pytest.raises(QuotaExceeded) as refused:
        other.ordered_units(*window)
    assert refused.value.retry_after == pytest.approx(0.5)
    clock.current += timedelta(seconds=0.5)
    assert other.ordered_units(*window) == first
    with pytest.raises(FboStateMismatch, match="seed=7 articles=8 clusters=10 from 2026-03-10; asked for seed=9"):
        _fbo(engine, clock, seed=9)
    SqlFboState(engine).drop()
    assert _fbo(engine, clock, seed=9).origin == FBO_START  # a fresh store after drop


def _ship_from(url: str, schema: str | None, plan: list[tuple[int, int, int, int, str]]) -> None:
    engine = create_engine(url)
    if schema is not None:
        engine = engine.execution_options(schema_translate_map={None: schema})
    clock = FakeClock(START)
    market = SimulatedOzonFbo(7, 8, clock, state=SqlFboState(engine))  # no first day: the store's
    for article, cluster, units, hour, key in plan:
        market.ship(sku_of(article), cluster, units, START + timedelta(hours=hour), key=key)
    engine.dispose()


def test_fbo_shipments_from_two_processes_at_once_ship_each_task_once(engine: Engine) -> None:
    """Two processes ship at the same moment, half of their tasks the same: each task ships
    once, and every instance answers as one market that shipped them all would."""
    _fbo(engine, FakeClock(START))  # the market is bound before the workers start
    common = [(n % 8, 4001 + n % 3, 5 + n, n, f"task-{n}") for n in range(15)]
    own = [[(n % 8, 4004, 3 + n, n, f"{who}-{n}") for n in range(10)] for who in ("a", "b")]
    url = engine.url.render_as_string(hide_password=False)
    schema = (engine.get_execution_options().get("schema_translate_map") or {}).get(None)
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_ship_from, args=(url, schema, common + mine)) for mine in own]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0, 0]

    clock = FakeClock(START)
    shared = _fbo(engine, clock, start=None)
    alone = SimulatedOzonFbo(7, 8, clock, start=FBO_START)
    for article, cluster, units, hour, key in common + own[0] + own[1]:
        alone.ship(sku_of(article), cluster, units, START + timedelta(hours=hour), key=key)
    assert len(shared.shipments()) == 15 + 10 + 10
    assert sorted(map(repr, shared.shipments())) == sorted(map(repr, alone.shipments()))
    ids = [ident for ident, _ in SqlFboState(engine).shipments_after(0)]
    assert ids == sorted(ids) and len(set(ids)) == 35
    assert _cells(shared) == _cells(alone)
