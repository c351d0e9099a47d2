"""The moving half of the simulated Ozon FBO: stock per article × cluster, day by day.

Stock is a pure function of the seed and the supplies recorded so far: on each Moscow day
from the origin (the first simulated day),

    start(D)  = start(D − 1) − sold(D − 1) + arrived(D)        (start(origin) = initial + arrived)
    sold(D)   = min(demand(D), start(D))                        (never below 0)
    lost(D)   = demand(D) − sold(D)                             (a stock-out loses those sales)

with ``demand`` from ``fbo_model``. A day's outcome is settled at its start: a supply arrives
at the start of a day at least two days after it ships, so nothing recorded during a day can
change it. Before the origin the market had stock to spare (sold = demand, nothing lost): the
history Ozon's 28-day average and the analytics need on the first day.

Computing is incremental: ``day(D)`` advances from the last computed day, one day at a time,
and keeps every computed day; a supply arriving on a day already computed drops that day and
the ones after it from the cache (they are recomputed when next asked). ``window(D)`` — units
sold over the 28 days before ``D``, Ozon's ``ads`` × 28 — is carried along the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .fbo_model import FboCluster, cell_key, cell_rate, day_factor, demand, initial_stock

#: days in Ozon's average daily sales (``ads``)
ADS_WINDOW = 28


@dataclass(frozen=True, slots=True)
class LedgerDay:
    """One Moscow day of every cell (index = article index × clusters + cluster index)."""

    day: date
    start: list[int]  # units at the start of the day, after the day's arrivals
    demand: list[int]  # units that would be ordered with stock to spare
    sold: list[int]  # units ordered: min(demand, start)
    window: list[int]  # units sold over the ADS_WINDOW days before this day

    def lost(self, cell: int) -> int:
        return self.demand[cell] - self.sold[cell]

    @property
    def lost_total(self) -> int:
        return sum(self.demand) - sum(self.sold)

    @property
    def stockouts(self) -> int:
        """Cells that ran out during the day with demand left unserved."""
        return sum(1 for d, s in zip(self.demand, self.sold, strict=True) if d > s)

    @property
    def empty_at_end(self) -> int:
        """Cells with nothing left at the end of the day."""
        return sum(1 for st, s in zip(self.start, self.sold, strict=True) if st == s)


class FboLedger:
    """Stock per cell from ``origin`` on (see the module's rules). Not thread-safe: the
    simulated FBO guards it."""

    def __init__(self, seed: int, skus: Sequence[int], clusters: Sequence[FboCluster], origin: date) -> None:
        self.seed = seed
        self.skus = tuple(skus)
        self.clusters = tuple(clusters)
        self.origin = origin
        self._rates = [cell_rate(seed, sku, cluster) for sku in self.skus for cluster in self.clusters]
        self._keys = [cell_key(seed, sku, cluster.id) for sku in self.skus for cluster in self.clusters]
        self._initial = [
            initial_stock(seed, sku, cluster.id, self._rates[i * len(self.clusters) + k])
            for i, sku in enumerate(self.skus)
            for k, cluster in enumerate(self.clusters)
        ]
        self._days: list[LedgerDay] = []
        self._arrivals: dict[date, dict[int, int]] = {}
        self._history: dict[date, list[int]] = {}
        self.days_computed = 0  # how many days were ever computed (a measure of the incremental work)

    @property
    def cells(self) -> int:
        return len(self._rates)

    def cell(self, article: int, cluster: int) -> int:
        return article * len(self.clusters) + cluster

    @property
    def computed_until(self) -> date | None:
        """The last day held in the cache, if any."""
        return self._days[-1].day if self._days else None

    def demand_on(self, day: date) -> list[int]:
        """Every cell's demand on ``day`` (a pure function of the seed and the day)."""
        seed, d, rates, keys, width = self.seed, day.toordinal(), self._rates, self._keys, len(self.clusters)
        out: list[int] = []
        for i, sku in enumerate(self.skus):
            factor = day_factor(seed, sku, d)
            out.extend(demand(keys[c], d, rates[c], factor) for c in range(i * width, (i + 1) * width))
        return out

    def sold_on(self, day: date) -> list[int]:
        """Every cell's units sold on ``day``: the ledger's from the origin on, else the history's."""
        if day >= self.origin:
            return self.day(day).sold
        sold = self._history.get(day)
        if sold is None:
            sold = self._history[day] = self.demand_on(day)
        return sold

    def day(self, day: date) -> LedgerDay:
        """The day's outcome, advancing from the last computed day."""
        index = (day - self.origin).days
        if index < 0:
            raise ValueError(f"day={day.isoformat()} is before the simulation's first day {self.origin.isoformat()}")
        while len(self._days) <= index:
            self._days.append(self._next())
        return self._days[index]

    def _next(self) -> LedgerDay:
        self.days_computed += 1
        if not self._days:
            today = self.origin
            start = list(self._initial)
            window = [0] * self.cells
            for back in range(1, ADS_WINDOW + 1):
                for c, units in enumerate(self.sold_on(today - timedelta(days=back))):
                    window[c] += units
        else:
            last = self._days[-1]
            today = last.day + timedelta(days=1)
            start = [st - s for st, s in zip(last.start, last.sold, strict=True)]
            dropped = self.sold_on(today - timedelta(days=ADS_WINDOW + 1))
            window = [w + s - old for w, s, old in zip(last.window, last.sold, dropped, strict=True)]
        for c, units in self._arrivals.get(today, {}).items():
            start[c] += units
        wanted = self.demand_on(today)
        sold = [min(d, st) for d, st in zip(wanted, start, strict=True)]
        return LedgerDay(today, start, wanted, sold, window)

    def add_arrival(self, day: date, cell: int, units: int) -> None:
        """``units`` arrive in ``cell`` at the start of ``day``; drops the cached days from it on."""
        if day < self.origin:
            raise ValueError(f"arrival day={day.isoformat()} is before the first day {self.origin.isoformat()}")
        if not 0 <= cell < self.cells or units <= 0:
            raise ValueError(f"cell={cell} units={units}: a cell of this ledger and a positive number of units")
        per_cell = self._arrivals.setdefault(day, {})
        per_cell[cell] = per_cell.get(cell, 0) + units
        index = (day - self.origin).days
        if index < len(self._days):
            del self._days[index:]


__all__ = ["ADS_WINDOW", "FboLedger", "LedgerDay"]
