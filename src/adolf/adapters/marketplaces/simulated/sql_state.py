"""``SqlSimState``: the simulated market's state in a database, shared by every process.

The simulated market is a fake *external* system, so its tables are not the application's:
they live on their own ``MetaData``, are prefixed ``sim_``, and are created here with
``create_all`` (not by the application's migrations). SQLite and PostgreSQL both work.

Writers are serialised by bumping the single row of ``sim_lock`` first thing in each write
transaction: a row lock on PostgreSQL, the database's write lock on SQLite. Reads and
writes are batched (``IN`` lists; rows are replaced by one DELETE and one multi-row INSERT
a table), so an operation costs about a dozen statements however many keywords it touches.

On SQLite give the market its own database file: a connection of the application holding a
write transaction on the same file while it calls the simulated marketplace would wait on it.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Collection, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    Double,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

from .state import CampaignState, Carry, ClosedDay, KeywordState, SimMeta, SimStateStore, SimStateTxn

sim_metadata = MetaData()

sim_meta = Table(
    "sim_meta",
    sim_metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seed", BigInteger, nullable=False),
    Column("campaigns_per_marketplace", Integer, nullable=False),
    Column("keywords_per_campaign", Integer, nullable=False),
    Column("origin_step", BigInteger, nullable=False),
)
sim_lock = Table(
    "sim_lock",
    sim_metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("n", BigInteger, nullable=False),
)
sim_campaign = Table(
    "sim_campaign",
    sim_metadata,
    Column("campaign_id", String(16), primary_key=True),
    Column("next_step", BigInteger, nullable=False),
    Column("day", Date, nullable=False),
    Column("factor", Double, nullable=False),
    Column("budget_hit", Boolean, nullable=False),
    Column("active", Boolean, nullable=True),
    Column("rev", BigInteger, nullable=False),
)
sim_closed_day = Table(
    "sim_closed_day",
    sim_metadata,
    Column("campaign_id", String(16), primary_key=True),
    Column("day", Date, nullable=False),
    Column("totals", Text, nullable=False),  # JSON list of ints, CLOSED_FIELDS per keyword
)
sim_keyword = Table(
    "sim_keyword",
    sim_metadata,
    Column("campaign_id", String(16), primary_key=True),
    Column("idx", Integer, primary_key=True, autoincrement=False),
    Column("bid", BigInteger, nullable=True),
    Column("active", Boolean, nullable=True),
    Column("carry_day", Date, nullable=True),
    Column("carry_factor", Double, nullable=True),
    Column("carry_views", Double, nullable=True),
    Column("carry_clicks", Double, nullable=True),
    Column("carry_orders", Double, nullable=True),
    Column("carry_position_views", Double, nullable=True),
    Column("carry_spent", BigInteger, nullable=True),
)
sim_idempotency = Table(
    "sim_idempotency",
    sim_metadata,
    Column("key", String(300), primary_key=True),
    Column("day", Date, nullable=False, index=True),
    Column("result", Text, nullable=False),
)

_IN_CHUNK = 500
_CARRY_FIELDS = (
    "carry_day",
    "carry_factor",
    "carry_views",
    "carry_clicks",
    "carry_orders",
    "carry_position_views",
    "carry_spent",
)


class SqlSimState(SimStateStore):
    """The market's state in ``engine``'s database; creates the ``sim_`` tables if missing."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        try:
            sim_metadata.create_all(engine)
        except DBAPIError:  # another process created them at the same moment
            sim_metadata.create_all(engine)
        try:
            with engine.begin() as conn:
                if conn.execute(select(sim_lock.c.id)).first() is None:
                    conn.execute(insert(sim_lock).values(id=1, n=0))
        except IntegrityError:  # another process inserted it first
            pass

    def drop(self) -> None:
        """Remove the ``sim_`` tables (and with them the market)."""
        sim_metadata.drop_all(self.engine)

    @contextmanager
    def _begin(self, write: bool) -> Iterator[SimStateTxn]:
        with self.engine.begin() as conn:
            if write:
                conn.execute(update(sim_lock).where(sim_lock.c.id == 1).values(n=sim_lock.c.n + 1))
            yield _SqlTxn(conn)

    def transaction(self, *, write: bool = True) -> AbstractContextManager[SimStateTxn]:
        return self._begin(write)


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), _IN_CHUNK):
        yield ids[start : start + _IN_CHUNK]


def _campaign_values(state: CampaignState) -> dict[str, Any]:
    return {
        "next_step": state.next_step,
        "day": state.day,
        "factor": state.factor,
        "budget_hit": state.budget_hit,
        "active": state.active,
        "rev": state.rev,
    }


def _keyword_values(keyword: KeywordState) -> dict[str, Any]:
    carry = keyword.carry
    values: dict[str, Any] = {"bid": keyword.bid, "active": keyword.active}
    if carry is None:
        values.update(dict.fromkeys(_CARRY_FIELDS))
    else:
        values.update(
            carry_day=carry.day,
            carry_factor=carry.factor,
            carry_views=carry.views,
            carry_clicks=carry.clicks,
            carry_orders=carry.orders,
            carry_position_views=carry.position_views,
            carry_spent=carry.spent,
        )
    return values


class _SqlTxn(SimStateTxn):
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def meta(self) -> SimMeta | None:
        row = self._conn.execute(select(sim_meta).where(sim_meta.c.id == 1)).first()
        if row is None:
            return None
        return SimMeta(row.seed, row.campaigns_per_marketplace, row.keywords_per_campaign, row.origin_step)

    def set_meta(self, meta: SimMeta) -> None:
        self._conn.execute(
            insert(sim_meta).values(
                id=1,
                seed=meta.seed,
                campaigns_per_marketplace=meta.campaigns_per_marketplace,
                keywords_per_campaign=meta.keywords_per_campaign,
                origin_step=meta.origin_step,
            )
        )

    def load(self, campaign_ids: Collection[str]) -> dict[str, CampaignState]:
        states: dict[str, CampaignState] = {}
        for chunk in _chunks(list(campaign_ids)):
            for row in self._conn.execute(select(sim_campaign).where(sim_campaign.c.campaign_id.in_(chunk))):
                states[row.campaign_id] = CampaignState(
                    campaign_id=row.campaign_id,
                    next_step=row.next_step,
                    day=row.day,
                    factor=row.factor,
                    budget_hit=row.budget_hit,
                    active=row.active,
                    rev=row.rev,
                )
            for row in self._conn.execute(select(sim_closed_day).where(sim_closed_day.c.campaign_id.in_(chunk))):
                states[row.campaign_id].closed = ClosedDay(row.day, array("q", json.loads(row.totals)))
            for row in self._conn.execute(select(sim_keyword).where(sim_keyword.c.campaign_id.in_(chunk))):
                carry = (
                    None
                    if row.carry_day is None
                    else Carry(
                        row.carry_day,
                        row.carry_factor,
                        row.carry_views,
                        row.carry_clicks,
                        row.carry_orders,
                        row.carry_position_views,
                        row.carry_spent,
                    )
                )
                states[row.campaign_id].keywords[row.idx] = KeywordState(row.bid, row.active, carry)
        return states

    def save(self, campaigns: Iterable[CampaignState]) -> None:
        """Rows are replaced (a batched DELETE, then a batched multi-row INSERT): two statements
        a table, where an executemany UPDATE would be one round trip a row on psycopg2."""
        saved = list(campaigns)
        closed = [state for state in saved if state.dirty_closed and state.closed is not None]
        keywords = [
            (state.campaign_id, index, state.keywords[index])
            for state in saved
            for index in sorted(state.dirty_keywords)
        ]
        self._replace(
            sim_campaign,
            [state.campaign_id for state in saved],
            [{"campaign_id": state.campaign_id, **_campaign_values(state)} for state in saved],
        )
        self._replace(
            sim_closed_day,
            [state.campaign_id for state in closed],
            [
                {
                    "campaign_id": state.campaign_id,
                    "day": state.closed.day,
                    "totals": json.dumps(list(state.closed.totals)),
                }
                for state in closed
                if state.closed is not None
            ],
        )
        key = tuple_(sim_keyword.c.campaign_id, sim_keyword.c.idx)
        pairs = [(cid, index) for cid, index, _ in keywords]
        for start in range(0, len(pairs), _IN_CHUNK):
            self._conn.execute(delete(sim_keyword).where(key.in_(pairs[start : start + _IN_CHUNK])))
        if keywords:
            self._conn.execute(
                insert(sim_keyword),
                [{"campaign_id": cid, "idx": index, **_keyword_values(keyword)} for cid, index, keyword in keywords],
            )
        for state in saved:
            state.mark_saved()

    def _replace(self, table: Table, campaign_ids: list[str], rows: list[dict[str, Any]]) -> None:
        for chunk in _chunks(campaign_ids):
            self._conn.execute(delete(table).where(table.c.campaign_id.in_(chunk)))
        if rows:
            self._conn.execute(insert(table), rows)

    def recall(self, key: str) -> str | None:
        result: str | None = self._conn.execute(
            select(sim_idempotency.c.result).where(sim_idempotency.c.key == key)
        ).scalar()
        return result

    def remember(self, key: str, day: date, result: str) -> None:
        self._conn.execute(insert(sim_idempotency).values(key=key, day=day, result=result))

    def forget_before(self, day: date) -> None:
        self._conn.execute(delete(sim_idempotency).where(sim_idempotency.c.day < day))
