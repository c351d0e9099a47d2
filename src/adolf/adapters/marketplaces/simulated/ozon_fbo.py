"""``SimulatedOzonFbo``: Ozon's FBO stock per cluster and its sales analytics, simulated, behind
the Logistic port ``OzonFbo``.

Two faces, like the advertising market (``market`` + ``adapter``):

* **the server** — ``post_cluster_list``, ``post_analytics_stocks``, ``post_analytics_data``
  take and give JSON-shaped dicts in Ozon's field names (``fbo_rows``) and enforce Ozon's
  limits: more than 100 SKUs, a ``limit`` over 1000 or an unknown metric is refused
  (``MarketplaceRejected``, HTTP 400); a second analytics call within 60 s of the last one *on
  the simulated clock* fails with ``QuotaExceeded`` (HTTP 429) carrying ``retry_after``;
* **the client** — ``clusters``, ``stocks``, ``ordered_units`` (the port) batch by 100 SKUs,
  page analytics by 1000 rows (one call per port call, ``next_offset`` for the rest: the port's
  documented choice, nothing sleeps), parse every row (``fbo_parsing``) and skip a malformed
  one into ``skipped`` with its reason. ``calls`` counts the server calls per endpoint.

What is modelled (``fbo_model`` for demand, ``fbo_ledger`` for stock): articles × clusters
whose daily sales vary by article, weekday and day; stock that drains with them and never goes
below 0 (a stock-out loses the rest of the day's demand, counted as lost sales); supplies
shipped with ``ship`` (not Ozon's API: the simulation's hook for "a supply task was marked
shipped") arrive 2–5 days later at the start of a Moscow day and show as ``in_transit`` until
then. Within a day stock drains along the day curve of the advertising market
(``model.DAY_CURVE``): at 12:00 Moscow about a third of the day's sales are made.

Figures reported as Ozon does: ``ads`` = units sold over the 28 complete days before today / 28
(the cluster's in ``ads_cluster``, the SKU's over all clusters in ``ads``), ``idc`` = available /
ads (null when ads is 0). ``requested`` (units in supply requests not yet shipped) is always 0:
a supply task accepted in ADOLF is not a request at Ozon until it ships (choice). Analytics
cover complete days only (before today's Moscow day) and list a (SKU, day) only when something
was ordered, ordered by day then SKU.

What changes is kept in a store (``fbo_state``): the first day, the shipments and the
analytics minute — in this process's memory by default, or in a database (``SqlFboState``)
shared by the simulating process and the Celery/RQ workers. An instance binds to the store's
market (the first to bind writes its first day; ``start=None`` takes the stored one) and,
before each answer, applies the shipments recorded since it last looked, in any process.
Everything else, the ledger included, is recomputed from the seed, so two instances with the
same seed, first day and shipments agree whatever order they are asked in and whichever
process asks. Thread-safe (one lock).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from adolf.adapters.marketplaces.ozon_analytics import DIMENSION, METRICS, analytics_request
from adolf.application.logistic.ozon_fbo import (
    ANALYTICS_INTERVAL,
    ANALYTICS_LIMIT,
    CLUSTER_TYPE_OZON,
    STOCKS_BATCH,
    ClusterRow,
    QuotaExceeded,
    SalesPage,
    SalesRow,
    SkippedRow,
    StockPage,
)
from adolf.application.ports.ads_marketplace import MarketplaceError, MarketplaceRejected
from adolf.application.ports.clock import Clock

from . import fbo_parsing
from .fbo_ledger import ADS_WINDOW, FboLedger, LedgerDay
from .fbo_model import DEFAULT_CLUSTERS, article_name, clusters_in_use, lead_days, offer_id, price, sku_of
from .fbo_rows import (
    MALFORMED_RATE,
    average,
    break_sales,
    break_stock,
    cluster_item,
    days_left,
    is_broken,
    sales_item,
    stock_item,
)
from .fbo_state import FboMeta, FboState, InMemoryFboState, Shipment
from .model import DAY_CURVE, DAY_FACTOR
from .timeline import MOSCOW, day_of, step_at

CLUSTER_LIST = "/v1/cluster/list"
ANALYTICS_STOCKS = "/v1/analytics/stocks"
ANALYTICS_DATA = "/v1/analytics/data"
_CURVE_BEFORE = tuple(sum(DAY_CURVE[:hour]) for hour in range(24))


@dataclass(frozen=True, slots=True)
class FboArticle:
    """An article of the simulated catalogue: its Ozon SKU, offer id (the seller's article
    code), name and price in whole rubles."""

    sku: int
    offer_id: str
    name: str
    price: int


@dataclass(frozen=True, slots=True)
class DayOutcome:
    """What happened on one Moscow day over every article × cluster."""

    day: date
    demand: int  # units that would have been ordered with stock to spare
    sold: int
    lost: int  # demand left unserved by a stock-out
    stockouts: int  # article × cluster cells that ran out with demand unserved
    empty_at_end: int  # cells with nothing left at the end of the day


def share_of_day(moment: datetime) -> float:
    """The share of a Moscow day's sales made by ``moment`` (0 at midnight, 1 at the next)."""
    local = moment.astimezone(MOSCOW)
    hour = local.hour
    within = (local.minute * 60 + local.second + local.microsecond / 1e6) / 3600
    return (_CURVE_BEFORE[hour] + DAY_CURVE[hour] * within) / DAY_FACTOR


def _batches(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


class SimulatedOzonFbo:
    """The simulated Ozon FBO of one seller account (see the module's docstring)."""

    def __init__(
        self,
        seed: int,
        articles: int,
        clock: Clock,
        *,
        clusters: int = DEFAULT_CLUSTERS,
        start: date | None = None,
        malformed_rate: float = MALFORMED_RATE,
        state: FboState | None = None,
    ) -> None:
        """``start``: the first simulated day (None: the store's, else today's on ``clock``);
        ``state``: where the first day and the shipments are kept (None: a fresh store in
        memory, this instance's own)."""
        if isinstance(articles, bool) or not isinstance(articles, int) or not 1 <= articles <= 1_000_000:
            raise ValueError(f"articles={articles!r} must be 1…1000000")
        if not 0.0 <= malformed_rate <= 1.0:
            raise ValueError(f"malformed_rate={malformed_rate!r} must be between 0 and 1")
        self.seed = seed
        self.clock = clock
        self.malformed_rate = malformed_rate
        self._clusters = clusters_in_use(clusters)
        self._skus = [sku_of(i) for i in range(articles)]
        self._article_of = {sku: i for i, sku in enumerate(self._skus)}
        self._cluster_of = {c.id: k for k, c in enumerate(self._clusters)}
        self.state = state if state is not None else InMemoryFboState()
        first = start if start is not None else day_of(step_at(clock.now()))
        meta = self.state.bind(FboMeta(seed, articles, clusters, first), fixed=start is not None)
        self.origin = meta.origin
        self._ledger = FboLedger(seed, self._skus, self._clusters, self.origin)
        self._shipments: dict[int, list[Shipment]] = {}
        self._by_key: dict[str, Shipment] = {}
        self._seen = 0  # the last shipment id of the store applied to the ledger
        self._lock = threading.RLock()
        self.calls: Counter[str] = Counter()

    # -- the catalogue ---------------------------------------------------------------------

    @property
    def skus(self) -> list[int]:
        return list(self._skus)

    @property
    def cluster_ids(self) -> list[int]:
        return [c.id for c in self._clusters]

    def articles(self) -> list[FboArticle]:
        return [
            FboArticle(sku, offer_id(sku), article_name(self.seed, sku), price(self.seed, sku)) for sku in self._skus
        ]

    def _cell(self, sku: int, cluster_id: int) -> int:
        article = self._article_of.get(sku)
        if article is None:
            raise ValueError(f"sku={sku} is not an article of this market")
        cluster = self._cluster_of.get(cluster_id)
        if cluster is None:
            raise ValueError(f"cluster_id={cluster_id} is not a cluster of this market")
        return self._ledger.cell(article, cluster)

    def _catch_up(self) -> None:
        """Apply the shipments recorded in the store since the last look (in any process)."""
        for ident, shipment in self.state.shipments_after(self._seen):
            cell = self._cell(shipment.sku, shipment.cluster_id)
            self._shipments.setdefault(cell, []).append(shipment)
            if shipment.key is not None:
                self._by_key[shipment.key] = shipment
            self._ledger.add_arrival(shipment.arrives_on, cell, shipment.units)
            self._seen = ident

    # -- the server: Ozon's endpoints --------------------------------------------------------

    def post_cluster_list(self, body: Mapping[str, object]) -> dict[str, object]:
        with self._lock:
            self.calls[CLUSTER_LIST] += 1
            kind = body.get("cluster_type")
            if kind != CLUSTER_TYPE_OZON:
                raise MarketplaceRejected(
                    f"ozon {CLUSTER_LIST}: 400 cluster_type={kind!r} (simulated: only CLUSTER_TYPE_OZON)"
                )
            wanted = self._id_filter(body.get("cluster_ids"), "cluster_ids", CLUSTER_LIST)
            return {
                "clusters": [cluster_item(c.id, c.name) for c in self._clusters if wanted is None or c.id in wanted]
            }

    def post_analytics_stocks(self, body: Mapping[str, object]) -> dict[str, object]:
        with self._lock:
            self.calls[ANALYTICS_STOCKS] += 1
            skus = self._ids(body.get("skus"), "skus", ANALYTICS_STOCKS)
            if not skus:
                raise MarketplaceRejected(f"ozon {ANALYTICS_STOCKS}: 400 skus is required (1…{STOCKS_BATCH})")
            if len(skus) > STOCKS_BATCH:
                raise MarketplaceRejected(
                    f"ozon {ANALYTICS_STOCKS}: 400 skus: {len(skus)} given, at most {STOCKS_BATCH}"
                )
            wanted = self._id_filter(body.get("cluster_ids"), "cluster_ids", ANALYTICS_STOCKS)
            self._catch_up()
            moment = self.clock.now()
            today = day_of(step_at(moment))
            ledger_day = self._ledger.day(today)
            share = share_of_day(moment)
            items: list[dict[str, object]] = []
            for sku in dict.fromkeys(skus):
                article = self._article_of.get(sku)
                if article is None:
                    continue  # Ozon answers nothing for a SKU it does not know
                items.extend(self._stock_items(sku, article, wanted, ledger_day, moment, share))
            return {"items": items}

    def _stock_items(
        self, sku: int, article: int, wanted: set[int] | None, ld: LedgerDay, moment: datetime, share: float
    ) -> list[dict[str, object]]:
        cells = [(k, self._ledger.cell(article, k)) for k in range(len(self._clusters))]
        available = {k: ld.start[c] - int(ld.sold[c] * share) for k, c in cells}
        ads_sku = average(sum(ld.window[c] for _k, c in cells), ADS_WINDOW)
        idc_sku = days_left(sum(available.values()), ads_sku)
        name, code, today = article_name(self.seed, sku), offer_id(sku), ld.day.toordinal()
        items = []
        for k, c in cells:
            cluster = self._clusters[k]
            if wanted is not None and cluster.id not in wanted:
                continue
            ads = average(ld.window[c], ADS_WINDOW)
            row = stock_item(
                sku=sku,
                offer_id=code,
                name=name,
                cluster_id=cluster.id,
                cluster_name=cluster.name,
                available=available[k],
                in_transit=self._transit(c, moment),
                requested=0,
                ads_sku=ads_sku,
                idc_sku=idc_sku,
                ads_cluster=ads,
                idc_cluster=days_left(available[k], ads),
            )
            if is_broken(self.seed, self.malformed_rate, sku, cluster.id, today):
                row = break_stock(self.seed, row, sku, cluster.id, today)
            items.append(row)
        return items

    def _transit(self, cell: int, moment: datetime) -> int:
        today = day_of(step_at(moment))
        return sum(s.units for s in self._shipments.get(cell, ()) if s.shipped_at <= moment and s.arrives_on > today)

    def post_analytics_data(self, body: Mapping[str, object]) -> dict[str, object]:
        with self._lock:
            moment = self.clock.now()
            self.calls[ANALYTICS_DATA] += 1
            wait = self.state.claim_analytics(moment, ANALYTICS_INTERVAL)
            if wait is not None:
                raise QuotaExceeded(
                    f"ozon {ANALYTICS_DATA}: 429 Too Many Requests (1 call per minute), "
                    f"retry in {wait:g} s (simulated)",
                    retry_after=wait,
                )
            date_from, date_to, metrics, limit, offset = self._analytics_request(body)
            self._catch_up()
            yesterday = day_of(step_at(moment)) - timedelta(days=1)
            rows: list[dict[str, object]] = []
            totals = dict.fromkeys(metrics, Decimal(0))
            day = date_from
            while day <= min(date_to, yesterday):
                rows.extend(self._sales_items(day, metrics, totals))
                day += timedelta(days=1)
            return {
                "result": {"data": rows[offset : offset + limit], "totals": [float(v) for v in totals.values()]},
                "timestamp": moment.isoformat(),
            }

    def _sales_items(self, day: date, metrics: tuple[str, ...], totals: dict[str, Decimal]) -> list[dict[str, object]]:
        sold = self._ledger.sold_on(day)
        width = len(self._clusters)
        ordinal = day.toordinal()
        items = []
        for article, sku in enumerate(self._skus):
            units = sum(sold[article * width : (article + 1) * width])
            if not units:
                continue
            figures = {"ordered_units": Decimal(units), "revenue": Decimal(units * price(self.seed, sku))}
            values = {name: figures[name] for name in metrics}
            for name, value in values.items():
                totals[name] += value
            row = sales_item(sku, article_name(self.seed, sku), day, values)
            if is_broken(self.seed, self.malformed_rate, sku, ordinal):
                row = break_sales(self.seed, row, sku, ordinal)
            items.append(row)
        return items

    def _analytics_request(self, body: Mapping[str, object]) -> tuple[date, date, tuple[str, ...], int, int]:
        def refuse(why: str) -> MarketplaceRejected:
            return MarketplaceRejected(f"ozon {ANALYTICS_DATA}: 400 {why}")

        days = []
        for name in ("date_from", "date_to"):
            value = body.get(name)
            try:
                if not isinstance(value, str):
                    raise ValueError
                days.append(date.fromisoformat(value))
            except ValueError:
                raise refuse(f"{name}={value!r} is not a date YYYY-MM-DD") from None
        if days[0] > days[1]:
            raise refuse(f"date_from={days[0]} is after date_to={days[1]}")
        metrics = body.get("metrics")
        if not isinstance(metrics, list) or not metrics or any(m not in METRICS for m in metrics):
            raise refuse(f"metrics={metrics!r}: choose from {', '.join(METRICS)} (simulated)")
        if body.get("dimension") != list(DIMENSION):
            raise refuse(f"dimension={body.get('dimension')!r}: the simulation answers {list(DIMENSION)} only")
        limit, offset = body.get("limit", ANALYTICS_LIMIT), body.get("offset", 0)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= ANALYTICS_LIMIT:
            raise refuse(f"limit={limit!r} must be 1…{ANALYTICS_LIMIT}")
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise refuse(f"offset={offset!r} must be a whole number >= 0")
        return days[0], days[1], tuple(metrics), limit, offset

    @staticmethod
    def _ids(value: object, name: str, endpoint: str) -> list[int]:
        if not isinstance(value, list):
            raise MarketplaceRejected(f"ozon {endpoint}: 400 {name}={value!r} is not a list")
        ids = []
        for item in value:
            if isinstance(item, str) and item.isascii() and item.isdigit():
                ids.append(int(item))
            elif isinstance(item, int) and not isinstance(item, bool) and item > 0:
                ids.append(item)
            else:
                raise MarketplaceRejected(f"ozon {endpoint}: 400 {name} holds {item!r}, not an int64 id")
        return ids

    def _id_filter(self, value: object, name: str, endpoint: str) -> set[int] | None:
        """An optional filter: absent or empty means all."""
        if value is None:
            return None
        ids = self._ids(value, name, endpoint)
        return set(ids) or None

    # -- the client: the OzonFbo port ---------------------------------------------------------

    def clusters(self) -> list[ClusterRow]:
        answer = self.post_cluster_list({"cluster_type": CLUSTER_TYPE_OZON})
        items = answer.get("clusters")
        if not isinstance(items, list):
            raise MarketplaceError(f"ozon {CLUSTER_LIST}: unexpected answer {answer!r}")
        return [fbo_parsing.cluster(item) for item in items]

    def stocks(self, skus: Sequence[int], cluster_ids: Sequence[int] | None = None) -> StockPage:
        """One call per 100 distinct SKUs; no call for none. ``cluster_ids``: None for every
        cluster, an empty list for none (no call either)."""
        page = StockPage()
        ids = list(dict.fromkeys(skus))
        if cluster_ids is not None and not cluster_ids:
            return page
        for chunk in _batches(ids, STOCKS_BATCH):
            body: dict[str, object] = {"skus": [str(s) for s in chunk]}
            if cluster_ids is not None:
                body["cluster_ids"] = [str(c) for c in cluster_ids]
            answer = self.post_analytics_stocks(body)
            items = answer.get("items")
            if not isinstance(items, list):
                raise MarketplaceError(f"ozon {ANALYTICS_STOCKS}: unexpected answer {answer!r}")
            for item in items:
                try:
                    page.rows.append(fbo_parsing.stock(item))
                except fbo_parsing.RowError as error:
                    page.skipped.append(SkippedRow(f"stock row: {error}", item))
        return page

    def ordered_units(self, date_from: date, date_to: date, *, offset: int = 0) -> SalesPage:
        """One ``/v1/analytics/data`` call: up to 1000 rows from ``offset``; ``next_offset``
        when the page came back full (Ozon gives no total: a full page may be followed by an
        empty one). ``QuotaExceeded`` within a minute of the last call."""
        answer = self.post_analytics_data(analytics_request(date_from, date_to, offset))
        result = answer.get("result")
        data = result.get("data") if isinstance(result, Mapping) else None
        if not isinstance(data, list):
            raise MarketplaceError(f"ozon {ANALYTICS_DATA}: unexpected answer {answer!r}")
        rows: list[SalesRow] = []
        skipped: list[SkippedRow] = []
        for item in data:
            try:
                rows.append(fbo_parsing.sales(item, METRICS))
            except fbo_parsing.RowError as error:
                skipped.append(SkippedRow(f"sales row: {error}", item))
        return SalesPage(rows, skipped, offset + len(data) if len(data) == ANALYTICS_LIMIT else None)

    # -- the simulation's hooks (not Ozon's API) ---------------------------------------------------

    def ship(self, sku: int, cluster_id: int, units: int, now: datetime, *, key: str | None = None) -> Shipment:
        """A supply of ``units`` leaves for the cluster at ``now``; it is in transit until it
        arrives, 2–5 days later at the start of a Moscow day. With ``key``, shipping the same
        key again returns the first shipment and ships nothing (a task marked shipped twice)."""
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise ValueError(f"units={units!r} must be a whole number >= 1")
        with self._lock:
            self._catch_up()
            if key is not None and key in self._by_key:
                return self._by_key[key]
            self._cell(sku, cluster_id)
            shipped_on = day_of(step_at(now))
            if shipped_on < self.origin:
                raise ValueError(f"now={now.isoformat()} is before the simulation's first day {self.origin}")
            arrives = shipped_on + timedelta(days=lead_days(self.seed, sku, cluster_id, shipped_on))
            stored = self.state.record(Shipment(sku, cluster_id, units, now, arrives, key))
            self._catch_up()
            return stored

    def shipments(self) -> list[Shipment]:
        with self._lock:
            self._catch_up()
            return sorted((s for ss in self._shipments.values() for s in ss), key=lambda s: (s.shipped_at, s.sku))

    def available(self, sku: int, cluster_id: int, moment: datetime) -> int:
        """Units of ``sku`` available in the cluster at ``moment`` (what ``stocks`` reports,
        unbroken)."""
        with self._lock:
            self._catch_up()
            cell = self._cell(sku, cluster_id)
            ld = self._ledger.day(day_of(step_at(moment)))
            return ld.start[cell] - int(ld.sold[cell] * share_of_day(moment))

    def in_transit(self, sku: int, cluster_id: int, moment: datetime) -> int:
        with self._lock:
            self._catch_up()
            return self._transit(self._cell(sku, cluster_id), moment)

    def sold(self, sku: int, cluster_id: int, day: date) -> int:
        """Units of ``sku`` ordered in the cluster over the whole of ``day``."""
        with self._lock:
            self._catch_up()
            return self._ledger.sold_on(day)[self._cell(sku, cluster_id)]

    def lost(self, sku: int, cluster_id: int, day: date) -> int:
        """Units of demand the cluster could not serve on ``day`` (0 before the first day)."""
        with self._lock:
            self._catch_up()
            cell = self._cell(sku, cluster_id)
            return 0 if day < self.origin else self._ledger.day(day).lost(cell)

    def outcome(self, day: date) -> DayOutcome:
        """Totals of one day from the first simulated day on, for the simulation's report."""
        with self._lock:
            self._catch_up()
            ld = self._ledger.day(day)
            sold = sum(ld.sold)
            wanted = sum(ld.demand)
            return DayOutcome(day, wanted, sold, wanted - sold, ld.stockouts, ld.empty_at_end)

    def lost_sales(self, day: date) -> int:
        return self.outcome(day).lost

    def stockouts(self, day: date) -> int:
        return self.outcome(day).stockouts

    @property
    def days_computed(self) -> int:
        """Days the ledger has computed so far (each once, unless a supply invalidated it)."""
        return self._ledger.days_computed


__all__ = [
    "ANALYTICS_DATA",
    "ANALYTICS_STOCKS",
    "CLUSTER_LIST",
    "DayOutcome",
    "FboArticle",
    "Shipment",
    "SimulatedOzonFbo",
    "share_of_day",
]
