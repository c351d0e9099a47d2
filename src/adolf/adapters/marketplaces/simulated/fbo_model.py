"""The static half of the simulated Ozon FBO: the clusters, the catalogue, and demand.

Like ``model`` and ``competitor_prices``, everything here is a pure function of the seed and
its arguments (an article, a cluster, a Moscow day): each draw is ``unit(seed, tag, …)`` or a
``mix`` of them, so nothing depends on the order in which things are asked for, or in which
process. What changes with time (stock, shipments) lives in ``fbo_ledger``.

Assumptions of the model (all of them choices; the seed 003 only names the API):

* **Clusters.** Twelve of Ozon's FBO clusters with their real names and stable ids of ours
  (a real account reads its ids from ``/v1/cluster/list``). Each has a share of the country's
  orders, Moscow the largest (30 %); a market uses the first 1–12 (default 10), shares
  normalised over them.
* **Articles.** Article ``i`` has SKU ``1 800 000 001 + i`` (a 10-digit Ozon SKU), offer id
  ``ART-00001`` …, a name, and a price of 290–5 990 ₽ (log-uniform, a hundred minus 10).
* **Popularity.** An article sells 0.5–60 units a day over all clusters (log-uniform); about
  one in ten is a slow mover (0.05–0.5 a day). Each cluster takes its share × an affinity of
  0.6–1.4 per article and cluster (a pram sells better in Krasnodar than in Novosibirsk).
* **A day's demand** in a cluster = that rate × a weekday factor (weekends and Monday busier,
  ``WEEKDAY``) × a per-article day factor of 0.7–1.3 (a promotion, a good review) × a
  per-cluster noise of 0.8–1.2, rounded stochastically to whole units (``floor(x + u)``, so the
  mean is kept). It is what *would* be ordered with stock to spare.
* **Initial stock** per article and cluster, in days of its expected demand: about 8 % start
  out of stock, 12 % low (1–5 days), the rest 10–45 days (at least one unit).
* **Lead time.** A supply shipped on a day arrives 2–5 days later (per article, cluster and
  shipping day), at the start of the Moscow day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from .model import mix, unit

_TWO32 = 2.0**-32
_MASK32 = (1 << 32) - 1

#: SKU of article 0; article ``i`` is ``SKU_BASE + i``
SKU_BASE = 1_800_000_001
MAX_ARTICLES = 1_000_000

# draw tags: each trait and each daily draw has its own stream
_POPULAR, _SLOW, _AFFINITY, _DAY, _CELL, _STOCK_KIND, _STOCK_DAYS, _LEAD, _PRICE, _NAME = range(101, 111)

#: demand factor by weekday, Monday … Sunday (choice: weekends and Monday evening busier)
WEEKDAY: tuple[float, ...] = (1.05, 1.00, 0.97, 0.96, 0.97, 1.02, 1.10)
SLOW_MOVERS = 0.10
OUT_AT_START = 0.08
LOW_AT_START = 0.12
MIN_LEAD_DAYS, MAX_LEAD_DAYS = 2, 5


@dataclass(frozen=True, slots=True)
class FboCluster:
    id: int
    name: str
    share: float  # of the country's orders, before normalising over the clusters in use


CLUSTERS: tuple[FboCluster, ...] = (
    FboCluster(4001, "Москва, МО и Дальние регионы", 0.30),
    FboCluster(4002, "Санкт-Петербург и СЗО", 0.12),
    FboCluster(4003, "Краснодар", 0.09),
    FboCluster(4004, "Екатеринбург", 0.08),
    FboCluster(4005, "Казань", 0.07),
    FboCluster(4006, "Новосибирск", 0.06),
    FboCluster(4007, "Ростов", 0.06),
    FboCluster(4008, "Самара", 0.05),
    FboCluster(4009, "Воронеж", 0.05),
    FboCluster(4010, "Уфа", 0.04),
    FboCluster(4011, "Красноярск", 0.04),
    FboCluster(4012, "Пермь", 0.04),
)
DEFAULT_CLUSTERS = 10

_GOODS = ("пижама", "плед", "кружка", "рюкзак", "футболка", "игрушка", "лампа", "носки", "шапка", "подушка")
_TRAITS = ("детская", "хлопковая", "большая", "зимняя", "яркая", "мягкая", "подарочная", "набор")


def clusters_in_use(count: int) -> tuple[FboCluster, ...]:
    """The first ``count`` clusters, their shares normalised to sum to 1."""
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= len(CLUSTERS):
        raise ValueError(f"clusters={count!r} must be 1…{len(CLUSTERS)}")
    chosen = CLUSTERS[:count]
    total = sum(c.share for c in chosen)
    return tuple(FboCluster(c.id, c.name, c.share / total) for c in chosen)


def sku_of(index: int) -> int:
    if not 0 <= index < MAX_ARTICLES:
        raise ValueError(f"article index={index} is out of range 0…{MAX_ARTICLES - 1}")
    return SKU_BASE + index


def offer_id(sku: int) -> str:
    return f"ART-{sku - SKU_BASE + 1:05d}"


def article_name(seed: int, sku: int) -> str:
    h = mix(seed, _NAME, sku)
    return f"{_GOODS[h % len(_GOODS)]} {_TRAITS[(h >> 8) % len(_TRAITS)]}"


def price(seed: int, sku: int) -> int:
    """The article's price in whole rubles (290–5 990)."""
    rubles = 300 * math.exp(unit(seed, _PRICE, sku) * math.log(20))
    return max(3, round(rubles / 100)) * 100 - 10


def popularity(seed: int, sku: int) -> float:
    """Units a day over all clusters, on an average weekday."""
    if unit(seed, _SLOW, sku) < SLOW_MOVERS:
        return 0.05 * math.exp(unit(seed, _POPULAR, sku) * math.log(10))
    return 0.5 * math.exp(unit(seed, _POPULAR, sku) * math.log(120))


def cell_rate(seed: int, sku: int, cluster: FboCluster) -> float:
    """Expected units a day of ``sku`` in ``cluster`` (share normalised), on an average weekday."""
    return popularity(seed, sku) * cluster.share * (0.6 + 0.8 * unit(seed, _AFFINITY, sku, cluster.id))


def day_factor(seed: int, sku: int, day: int) -> float:
    """The article's factor on day ordinal ``day``, shared by its clusters: 0.7–1.3."""
    return 0.7 + 0.6 * unit(seed, _DAY, sku, day)


def cell_key(seed: int, sku: int, cluster_id: int) -> int:
    """The hash that seeds the cell's daily draws (computed once per cell)."""
    return mix(seed, _CELL, sku, cluster_id)


def demand(key: int, day: int, rate: float, factor: float) -> int:
    """Units ordered in a cell (``key`` from ``cell_key``) on day ordinal ``day`` with stock to
    spare: ``rate`` (``cell_rate``) × weekday × ``factor`` (``day_factor``) × noise, rounded
    stochastically. One hash of (key, day) gives both the noise and the rounding draw."""
    h = mix(key, day)
    noise = 0.8 + 0.4 * ((h >> 32) * _TWO32)
    expected = rate * WEEKDAY[(day - 1) % 7] * factor * noise  # ordinal 1 (0001-01-01) is a Monday
    return int(expected + (h & _MASK32) * _TWO32)


def daily_demand(seed: int, sku: int, cluster: FboCluster, day: date) -> int:
    """``demand`` from scratch (for tests and one-off questions; the ledger batches it)."""
    d = day.toordinal()
    return demand(cell_key(seed, sku, cluster.id), d, cell_rate(seed, sku, cluster), day_factor(seed, sku, d))


def initial_stock(seed: int, sku: int, cluster_id: int, rate: float) -> int:
    """Units in the cluster at the start: 0 for ~8 %, 1–5 days of demand for ~12 %, else 10–45
    (at least one unit unless out: a slow mover's few days round to nothing)."""
    kind = unit(seed, _STOCK_KIND, sku, cluster_id)
    if kind < OUT_AT_START:
        return 0
    share = unit(seed, _STOCK_DAYS, sku, cluster_id)
    days = 1 + 4 * share if kind < OUT_AT_START + LOW_AT_START else 10 + 35 * share
    return max(1, round(rate * days))


def lead_days(seed: int, sku: int, cluster_id: int, shipped_on: date) -> int:
    """Days from shipping to arrival: 2–5."""
    span = MAX_LEAD_DAYS - MIN_LEAD_DAYS + 1
    return MIN_LEAD_DAYS + int(unit(seed, _LEAD, sku, cluster_id, shipped_on.toordinal()) * span)


__all__ = [
    "CLUSTERS",
    "DEFAULT_CLUSTERS",
    "SKU_BASE",
    "WEEKDAY",
    "FboCluster",
    "article_name",
    "cell_key",
    "cell_rate",
    "clusters_in_use",
    "daily_demand",
    "day_factor",
    "demand",
    "initial_stock",
    "lead_days",
    "offer_id",
    "popularity",
    "price",
    "sku_of",
]
