"""``SqlReputationState``: the simulated reviews' and questions' state (``reputation_state``) in a
database, shared by every process — the simulating one and the Celery or RQ workers that poll
and publish.

Like ``SqlFboState``, these are a fake *external* system's tables, not the application's: they
live on their own ``MetaData``, are prefixed ``sim_rep_``, and are created here with
``create_all`` (not by the application's migrations). SQLite and PostgreSQL both work.

Writers (an answer, a publish attempt, a quota call, a counter) are serialised by bumping
``rev`` on the single row of ``sim_rep_meta`` first thing in their transaction: a row lock on
PostgreSQL, the database's write lock on SQLite. So two workers publishing the same answer at
the same moment store one, and a quota window is never overrun by two callers at once. Times
are stored as whole microseconds since the Unix epoch (UTC).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    MetaData,
    Row,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import ItemType

from .fbo_sql_state import from_micros, to_micros
from .reputation_state import Answer, Quota, ReputationMeta, ReputationState, check_meta

sim_rep_metadata = MetaData()

sim_rep_meta = Table(
    "sim_rep_meta",
    sim_rep_metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seed", BigInteger, nullable=False),
    Column("origin", BigInteger, nullable=False),  # µs since the epoch
    Column("rev", BigInteger, nullable=False),
)
sim_rep_answer = Table(
    "sim_rep_answer",
    sim_rep_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(8), nullable=False),
    Column("item_type", String(16), nullable=False),
    Column("external_id", String(100), nullable=False),
    Column("brand", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("answered_at", BigInteger, nullable=False),  # µs since the epoch
    UniqueConstraint("platform", "item_type", "external_id", name="uq_sim_rep_answer_item"),
    Index("ix_sim_rep_answer_brand", "platform", "item_type", "brand"),
)
sim_rep_attempt = Table(
    "sim_rep_attempt",
    sim_rep_metadata,
    Column("platform", String(8), primary_key=True),
    Column("item_type", String(16), primary_key=True),
    Column("external_id", String(100), primary_key=True),
    Column("attempts", Integer, nullable=False),
)
sim_rep_call = Table(
    "sim_rep_call",
    sim_rep_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bucket", String(300), nullable=False),
    Column("at", BigInteger, nullable=False),  # µs since the epoch
    Index("ix_sim_rep_call_bucket_at", "bucket", "at"),
)
sim_rep_counter = Table(
    "sim_rep_counter",
    sim_rep_metadata,
    Column("name", String(300), primary_key=True),
    Column("value", BigInteger, nullable=False),
)


class SqlReputationState(ReputationState):
    """The simulated reviews' state in ``engine``'s database; creates the ``sim_rep_`` tables if
    missing."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        try:
            sim_rep_metadata.create_all(engine)
        except DBAPIError:  # another process created them at the same moment
            sim_rep_metadata.create_all(engine)

    def drop(self) -> None:
        """Remove the ``sim_rep_`` tables (and with them the answers and counters)."""
        sim_rep_metadata.drop_all(self.engine)

    def bind(self, wanted: ReputationMeta, *, fixed: bool) -> ReputationMeta:
        stored = self._meta()
        if stored is None:
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        insert(sim_rep_meta).values(id=1, seed=wanted.seed, origin=to_micros(wanted.origin), rev=0)
                    )
                stored = wanted
            except IntegrityError:  # another process bound it first
                stored = self._meta()
            assert stored is not None
        return check_meta(stored, wanted, fixed=fixed)

    def _meta(self) -> ReputationMeta | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(sim_rep_meta).where(sim_rep_meta.c.id == 1)).first()
        return None if row is None else ReputationMeta(row.seed, from_micros(row.origin))

    def answered(self, platform: Marketplace, item_type: ItemType, brand: str) -> set[str]:
        table = sim_rep_answer
        with self.engine.connect() as conn:
            ids = conn.execute(
                select(table.c.external_id).where(
                    table.c.platform == platform.value, table.c.item_type == item_type.value, table.c.brand == brand
                )
            ).scalars()
            return set(ids)

    def answer(self, answer: Answer) -> bool:
        with self.engine.begin() as conn:
            _serialise(conn)
            where = _item(answer.platform, answer.item_type, answer.external_id)
            if conn.execute(select(sim_rep_answer.c.id).where(*where)).first() is not None:
                _add(conn, ("already_answered",), 1)
                return False
            conn.execute(
                insert(sim_rep_answer).values(
                    platform=answer.platform.value,
                    item_type=answer.item_type.value,
                    external_id=answer.external_id,
                    brand=answer.brand,
                    text=answer.text,
                    answered_at=to_micros(answer.answered_at),
                )
            )
            _add(conn, ("published",), 1)
        return True

    def answer_of(self, platform: Marketplace, item_type: ItemType, external_id: str) -> Answer | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(sim_rep_answer).where(*_item(platform, item_type, external_id))).first()
        return None if row is None else _answer(row)

    def answers(self) -> list[Answer]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(sim_rep_answer).order_by(sim_rep_answer.c.id)).all()
        return [_answer(row) for row in rows]

    def attempt(self, platform: Marketplace, item_type: ItemType, external_id: str) -> int:
        table = sim_rep_attempt
        where = (
            table.c.platform == platform.value,
            table.c.item_type == item_type.value,
            table.c.external_id == external_id,
        )
        with self.engine.begin() as conn:
            _serialise(conn)
            if conn.execute(update(table).where(*where).values(attempts=table.c.attempts + 1)).rowcount == 0:
                conn.execute(
                    insert(table).values(
                        platform=platform.value, item_type=item_type.value, external_id=external_id, attempts=1
                    )
                )
            return int(conn.execute(select(table.c.attempts).where(*where)).scalar_one())

    def call(self, name: str, moment: datetime, quota: Quota | None) -> bool:
        now = to_micros(moment)
        table = sim_rep_call
        with self.engine.begin() as conn:
            _serialise(conn)
            _add(conn, (name,), 1)
            if quota is None:
                return True
            opens = to_micros(quota.opens(moment))
            conn.execute(delete(table).where(table.c.bucket == quota.bucket, table.c.at <= opens))
            in_window = select(func.count()).select_from(table).where(table.c.bucket == quota.bucket)
            if conn.execute(in_window).scalar_one() >= quota.calls:
                _add(conn, ("quota_refusals",), 1)
                return False
            conn.execute(insert(table).values(bucket=quota.bucket, at=now))
            return True

    def count(self, *names: str, n: int = 1) -> None:
        with self.engine.begin() as conn:
            _serialise(conn)
            _add(conn, names, n)

    def counters(self) -> Counter[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(sim_rep_counter.c.name, sim_rep_counter.c.value)).all()
        return Counter({row.name: int(row.value) for row in rows})


def _item(platform: Marketplace, item_type: ItemType, external_id: str) -> tuple[Any, ...]:
    table = sim_rep_answer
    return (
        table.c.platform == platform.value,
        table.c.item_type == item_type.value,
        table.c.external_id == external_id,
    )


def _add(conn: Connection, names: tuple[str, ...], n: int) -> None:
    table = sim_rep_counter
    for name in names:
        if conn.execute(update(table).where(table.c.name == name).values(value=table.c.value + n)).rowcount == 0:
            conn.execute(insert(table).values(name=name, value=n))


def _serialise(conn: Connection) -> None:
    bumped = conn.execute(update(sim_rep_meta).where(sim_rep_meta.c.id == 1).values(rev=sim_rep_meta.c.rev + 1))
    if bumped.rowcount != 1:
        raise RuntimeError("sim_rep_meta holds no feed: bind the simulated reputation before using it")


def _answer(row: Row[Any]) -> Answer:
    return Answer(
        Marketplace(row.platform),
        ItemType(row.item_type),
        row.external_id,
        row.brand,
        row.text,
        from_micros(row.answered_at),
    )


__all__ = [
    "SqlReputationState",
    "sim_rep_answer",
    "sim_rep_attempt",
    "sim_rep_call",
    "sim_rep_counter",
    "sim_rep_meta",
    "sim_rep_metadata",
]
