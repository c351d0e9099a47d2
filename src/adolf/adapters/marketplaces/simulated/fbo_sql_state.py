"""``SqlFboState``: the simulated Ozon FBO's state (``fbo_state``) in a database, shared by
every process — the simulating one, where the seller ships, and the Celery or RQ workers that
run Logistic's jobs.

Like the advertising market's ``SqlSimState``, these are a fake *external* system's tables,
not the application's: they live on their own ``MetaData``, are prefixed ``sim_fbo_``, and
are created here with ``create_all`` (not by the application's migrations); the container
puts them where the market's are (on SQLite a file of their own). SQLite and PostgreSQL both
work.

Writers (a shipment, the analytics minute) are serialised by bumping ``rev`` on the single
row of ``sim_fbo_meta`` first thing in their transaction: a row lock on PostgreSQL, the
database's write lock on SQLite. So shipment ids are committed in increasing order, and a
reader that has applied every shipment up to id N never misses one below it. Times are stored
as whole microseconds since the Unix epoch (UTC), exact on both databases.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    Engine,
    Integer,
    MetaData,
    Row,
    String,
    Table,
    insert,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

from .fbo_state import FboMeta, FboState, Shipment, analytics_wait, check_meta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)

sim_fbo_metadata = MetaData()

sim_fbo_meta = Table(
    "sim_fbo_meta",
    sim_fbo_metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seed", BigInteger, nullable=False),
    Column("articles", Integer, nullable=False),
    Column("clusters", Integer, nullable=False),
    Column("origin", Date, nullable=False),
    Column("last_analytics", BigInteger, nullable=True),  # µs since the epoch
    Column("rev", BigInteger, nullable=False),
)
sim_fbo_shipment = Table(
    "sim_fbo_shipment",
    sim_fbo_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sku", BigInteger, nullable=False),
    Column("cluster_id", BigInteger, nullable=False),
    Column("units", Integer, nullable=False),
    Column("shipped_at", BigInteger, nullable=False),  # µs since the epoch
    Column("arrives_on", Date, nullable=False),
    Column("key", String(300), nullable=True, unique=True),
)


def to_micros(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError(f"moment={moment.isoformat()} has no time zone")
    return (moment - EPOCH) // MICROSECOND


def from_micros(micros: int) -> datetime:
    return EPOCH + micros * MICROSECOND


class SqlFboState(FboState):
    """The simulated FBO's state in ``engine``'s database; creates the ``sim_fbo_`` tables if
    missing."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        try:
            sim_fbo_metadata.create_all(engine)
        except DBAPIError:  # another process created them at the same moment
            sim_fbo_metadata.create_all(engine)

    def drop(self) -> None:
        """Remove the ``sim_fbo_`` tables (and with them the market's first day and supplies)."""
        sim_fbo_metadata.drop_all(self.engine)

    def bind(self, wanted: FboMeta, *, fixed: bool) -> FboMeta:
        stored = self._meta()
        if stored is None:
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        insert(sim_fbo_meta).values(
                            id=1,
                            seed=wanted.seed,
                            articles=wanted.articles,
                            clusters=wanted.clusters,
                            origin=wanted.origin,
                            rev=0,
                        )
                    )
                stored = wanted
            except IntegrityError:  # another process bound it first
                stored = self._meta()
            assert stored is not None
        return check_meta(stored, wanted, fixed=fixed)

    def _meta(self) -> FboMeta | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(sim_fbo_meta).where(sim_fbo_meta.c.id == 1)).first()
        return None if row is None else FboMeta(row.seed, row.articles, row.clusters, row.origin)

    def shipments_after(self, seen: int) -> list[tuple[int, Shipment]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(sim_fbo_shipment).where(sim_fbo_shipment.c.id > seen).order_by(sim_fbo_shipment.c.id)
            ).all()
        return [(row.id, _shipment(row)) for row in rows]

    def record(self, shipment: Shipment) -> Shipment:
        with self.engine.begin() as conn:
            _serialise(conn)
            if shipment.key is not None:
                row = conn.execute(select(sim_fbo_shipment).where(sim_fbo_shipment.c.key == shipment.key)).first()
                if row is not None:
                    return _shipment(row)
            conn.execute(
                insert(sim_fbo_shipment).values(
                    sku=shipment.sku,
                    cluster_id=shipment.cluster_id,
                    units=shipment.units,
                    shipped_at=to_micros(shipment.shipped_at),
                    arrives_on=shipment.arrives_on,
                    key=shipment.key,
                )
            )
        return shipment

    def claim_analytics(self, moment: datetime, interval: float) -> float | None:
        now = to_micros(moment)
        with self.engine.begin() as conn:
            _serialise(conn)
            last = conn.execute(select(sim_fbo_meta.c.last_analytics).where(sim_fbo_meta.c.id == 1)).scalar()
            wait = analytics_wait(from_micros(now), None if last is None else from_micros(last), interval)
            if wait is None:
                conn.execute(update(sim_fbo_meta).where(sim_fbo_meta.c.id == 1).values(last_analytics=now))
            return wait


def _serialise(conn: Connection) -> None:
    bumped = conn.execute(update(sim_fbo_meta).where(sim_fbo_meta.c.id == 1).values(rev=sim_fbo_meta.c.rev + 1))
    if bumped.rowcount != 1:
        raise RuntimeError("sim_fbo_meta holds no market: bind the simulated Ozon FBO before using it")


def _shipment(row: Row[Any]) -> Shipment:
    return Shipment(row.sku, row.cluster_id, row.units, from_micros(row.shipped_at), row.arrives_on, row.key)


__all__ = ["SqlFboState", "from_micros", "sim_fbo_meta", "sim_fbo_metadata", "sim_fbo_shipment", "to_micros"]
