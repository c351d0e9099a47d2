"""Logistic's stock chain (``sync_ozon_stocks`` → ``generate_alerts``) on the parity suite's
backends: workers on Logistic's queues, a small catalogue of articles the simulated Ozon FBO
knows, the runs of a task found in each backend's own record, and an Ozon that is down.

Loaded into workers (beside ``parity_tasks``) with
``ADOLF_EXTRA_CATALOGUES=…,tests.support.logistic_parity:CATALOGUE``: it adds one task,
``parity.sync_ozon_stocks_ozon_down`` — the real ``stock_sync.sync_ozon_stocks`` with an Ozon
port that raises ``MarketplaceError`` on every call, on the real task's queue, lock and limits.
The simulated Ozon FBO has no fault switch of its own (``simulated/faults.py`` covers the
advertising client only) and a worker builds its own port, so the fault is injected where the
parity suite injects its others: a task of a test catalogue. Its retry is the real one's kind
(``MarketplaceError``) but 1 × 0.5 s instead of 3 × 120 s, so a test sees the final failure.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select

from adolf.adapters.sqlalchemy.logistic_tables import logistic_fbo_stock
from adolf.application.catalogue import Catalogue, RetryPolicy
from adolf.application.logistic import stock_sync
from adolf.application.logistic.catalogue import LOGIC, LOGISTIC_CATALOGUE, RETRY_ON, SYNC
from adolf.application.logistic.scope import BrandField
from adolf.application.ports.ads_marketplace import MarketplaceError
from adolf.application.ports.tasks import TaskStatus
from adolf.domain.logistic.alerts import StockAlertKind, stock_alert_for
from adolf.domain.logistic.articles import Article
from adolf.domain.logistic.errors import InvalidLogistic
from adolf.domain.logistic.policy import SupplyPolicy
from adolf.domain.logistic.stock import FboStock
from tests.integration.parity.harness import TERMINAL, BackendHarness
from tests.integration.parity.harness_celery import wait_for_worker
from tests.support import processes

QUEUES = (SYNC, LOGIC)  # the chain's two queues: sync_ozon_stocks on one, generate_alerts on the other
SYNC_STOCKS = "logistic.sync_ozon_stocks"
GENERATE_ALERTS = "logistic.generate_alerts"
OZON_DOWN = "parity.sync_ozon_stocks_ozon_down"
T = TypeVar("T")


# -- Ozon down: the real use case, a port failing on every call ------------------------------


class OzonDown:
    """An ``OzonFbo`` whose every call fails as an unreachable Ozon does."""

    def __init__(self) -> None:
        self.calls = 0

    def __getattr__(self, method: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            raise MarketplaceError(f"ozon {method}: 503 Service Unavailable (injected: Ozon is down)")

        return fail


class _WithOzonDown:
    """The worker's services with ``ozon_fbo`` replaced; everything else as it is."""

    def __init__(self, services: Any) -> None:
        self._services = services
        self.ozon_fbo = OzonDown()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._services, name)


def sync_ozon_stocks_ozon_down(services: Any, brand: BrandField = "all") -> dict[str, Any]:
    return stock_sync.sync_ozon_stocks(_WithOzonDown(services), brand)


CATALOGUE = Catalogue(
    [
        replace(
            LOGISTIC_CATALOGUE.get(SYNC_STOCKS),
            name=OZON_DOWN,
            handler=sync_ozon_stocks_ozon_down,
            schedule=None,
            retry=RetryPolicy(max_retries=1, delay=0.5, retry_on=RETRY_ON),
            description="sync_ozon_stocks with Ozon failing every call (tests only).",
        )
    ]
)


# -- workers on Logistic's queues ---------------------------------------------------------------


def start_workers(harness: BackendHarness, queues: Sequence[str] = QUEUES) -> None:
    """One worker process serving ``queues`` (none for inline), stopped by ``harness.stop()``.

    The harnesses' own ``start`` serves ``parity.default`` only; this starts the same worker
    command on other queues and registers it with the harness, which owns its lifetime."""
    backend: Any = harness
    if harness.name == "inline":
        return
    if harness.name == "celery":
        name = backend.procs.worker(",".join(queues), 1)
        wait_for_worker(backend.container.celery_app(), name, backend.procs)
        return
    if harness.name == "rq":
        name = f"logistic-{uuid.uuid4().hex[:10]}"
        log = (backend.logs / f"{name}.log").open("wb")
        args = [arg for queue in queues for arg in ("-q", queue)]
        proc = processes.spawn(
            [sys.executable, "-m", "adolf.entrypoints.rq_worker", "worker", *args, "--name", name],
            env=backend.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        backend._workers.append((proc, log))
        backend._wait_ready([name])
        return
    raise ValueError(f"backend {harness.name!r}: no Logistic workers for it")


def wait_until(condition: Callable[[], T], timeout: float, what: str) -> T:
    """Poll ``condition`` until it is truthy; its value. ``AssertionError`` naming ``what`` past ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.05)


# -- the runs of a task, from each backend's own record ---------------------------------------


def _task_ids(harness: BackendHarness) -> list[str]:
    backend: Any = harness
    if harness.name == "inline":
        return list(dict.fromkeys(task_id for task_id, _name, _state in backend.queue.executed))
    redis = backend.container.redis()
    if harness.name == "celery":  # result_extended: one meta per task, carrying its name
        keys = redis.scan_iter(match="celery-task-meta-*")
        return [json.loads(redis.get(key))["task_id"] for key in keys]
    if harness.name == "rq":
        keys = (key.decode() for key in redis.scan_iter(match="rq:job:*"))
        return [key.split(":", 2)[2] for key in keys if key.count(":") == 2]
    raise ValueError(f"backend {harness.name!r}: no run record to read")


def runs_of(harness: BackendHarness, name: str) -> list[TaskStatus]:
    """Every job of task ``name`` the backend knows of (queued, running or done), by status."""
    statuses = [harness.queue.status(task_id) for task_id in _task_ids(harness)]
    return [status for status in statuses if status.name == name]


def settled(harness: BackendHarness, topic: str) -> bool:
    """Nothing more can run: no job waiting in a queue or unfinished, nothing owed in the outbox."""
    lengths: dict[str, int] = harness.queue.queue_lengths()  # type: ignore[attr-defined]
    if any(lengths.values()):
        return False
    ids = _task_ids(harness)
    if any(harness.queue.status(task_id).state not in TERMINAL for task_id in ids):
        return False
    with harness.container.uow() as uow:
        return not uow.outbox.pending(topic)


# -- a small catalogue the simulated Ozon FBO knows ------------------------------------------


def stock_of(row: Any, article_id: int, now: datetime) -> FboStock | None:
    """A stock row as ``sync_ozon_stocks`` stores it (None: one the domain refuses)."""
    try:
        return FboStock(
            article_id=article_id,
            cluster_id=row.cluster_id,
            available=row.available,
            in_transit=row.in_transit,
            requested=row.requested,
            avg_daily_sales=row.ads,
            observed_at=now,
            days_left=row.idc,
            turnover_grade=row.turnover_grade,
        )
    except InvalidLogistic:
        return None


def skus_alerting(fbo: Any, policy: SupplyPolicy, now: datetime, kind: StockAlertKind, count: int) -> list[int]:
    """The first ``count`` SKUs of the simulated FBO with a cluster where ``kind`` applies now
    and still would after a whole day's sales more (a worker reads the stock seconds later)."""
    found: list[int] = []
    for row in fbo.stocks(fbo.skus).rows:
        stock = stock_of(row, 1, now)
        if stock is None or row.sku in found:
            continue
        later = replace(stock, available=max(0, stock.available - math.ceil(stock.avg_daily_sales)))
        if stock_alert_for(stock, policy) is kind and stock_alert_for(later, policy) is kind:
            found.append(row.sku)
            if len(found) == count:
                break
    if len(found) < count:
        raise AssertionError(f"the simulated FBO has {len(found)} SKUs with {kind.value}, {count} wanted")
    return found


def snapshots(container: Any) -> list[dict[str, Any]]:
    """Every FBO stock snapshot stored (``logistic_fbo_stock``), as rows."""
    with container.engine().connect() as connection:
        return [dict(row) for row in connection.execute(select(logistic_fbo_stock)).mappings()]


def seed_articles(container: Any, skus: Sequence[int], brand: str, now: datetime) -> dict[int, int]:
    """Store one active article per SKU; SKU → article id."""
    articles = [Article(0, brand, f"LP-{sku}", f"article {sku}", sku) for sku in skus]
    with container.uow() as uow:
        ids = uow.logistic_articles.add(articles, now)
        uow.commit()
    return dict(zip(skus, ids, strict=True))
