"""Logistic's stock chain, the same on inline, Celery and RQ (issue 11): ``sync_ozon_stocks``
that succeeds has ``generate_alerts`` run after it exactly once, on the snapshots it stored; one
that fails (Ozon down on every call, through its retry) chains nothing.

The chain goes through the shared outbox (``application/outbox_dispatch``, topic
``logistic.dispatch``): recorded with the last snapshots, sent after the commit. Real workers
serve the chain's two queues (``logistic.sync``, ``logistic.logic``); the catalogue is a few
articles whose stock the container's simulated Ozon FBO serves, picked where it is out
(``OUT_OF_STOCK``) or low (``LOW_STOCK``) today. The runs of ``generate_alerts`` are read from
each backend's own record (the inline queue's deliveries, Celery's extended results, RQ's jobs).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from adolf.application.logistic.dispatch import TOPIC
from adolf.application.ports.tasks import TaskState
from adolf.domain.logistic.alerts import StockAlertKind, stock_alert_for
from tests.integration.parity.harness import TERMINAL, BackendHarness, wait_for
from tests.support.logistic_parity import (
    GENERATE_ALERTS,
    OZON_DOWN,
    SYNC_STOCKS,
    runs_of,
    seed_articles,
    settled,
    skus_alerting,
    snapshots,
    start_workers,
    wait_until,
)

BRAND = "ohana_market"
FBO_ARTICLES = "40"  # the simulated FBO's catalogue: small, so a worker builds it in milliseconds
EXTRA = "tests.support.logistic_parity:CATALOGUE"


@pytest.fixture
def worker_env(worker_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """The parity suite's settings, plus the Ozon-down task and a small simulated FBO, for the
    workers and for the test process's container (which the inline backend runs jobs in)."""
    monkeypatch.setenv("ADOLF_SIM_FBO_ARTICLES", FBO_ARTICLES)
    return {
        **worker_env,
        "ADOLF_EXTRA_CATALOGUES": f"{worker_env['ADOLF_EXTRA_CATALOGUES']},{EXTRA}",
        "ADOLF_SIM_FBO_ARTICLES": FBO_ARTICLES,
    }


@pytest.mark.slow
def test_a_stock_sync_that_succeeds_runs_generate_alerts_after_it_exactly_once(harness: BackendHarness) -> None:
    start_workers(harness)
    container = harness.container
    now = container.clock().now()
    policy = container.services().supply_policy
    fbo = container.ozon_fbo()
    out = skus_alerting(fbo, policy, now, StockAlertKind.OUT_OF_STOCK, 2)
    low = skus_alerting(fbo, policy, now, StockAlertKind.LOW_STOCK, 2)
    ids = seed_articles(container, [*out, *low], BRAND, now)

    sync = wait_for(harness.queue, harness.queue.enqueue(SYNC_STOCKS, {"brand": "all"}))

    assert sync.state is TaskState.SUCCEEDED, sync
    assert sync.result["articles"] == len(ids) and sync.result["chained"] == 1, sync.result
    [chained] = wait_until(
        lambda: [run for run in runs_of(harness, GENERATE_ALERTS) if run.state in TERMINAL],
        timeout=30,
        what=f"{GENERATE_ALERTS} chained after {SYNC_STOCKS} on {harness.name}",
    )
    wait_until(lambda: settled(harness, TOPIC), timeout=15, what=f"{harness.name}: queues and outbox empty")
    assert [run.task_id for run in runs_of(harness, GENERATE_ALERTS)] == [chained.task_id]  # exactly once
    assert chained.state is TaskState.SUCCEEDED, chained

    # the snapshots landed: one per article × cluster Ozon reported well-formed, all of this run
    stored = snapshots(container)
    cells = len(ids) * len(fbo.cluster_ids)
    assert len(stored) == sync.result["recorded"] == cells - sync.result["skipped"] > 0, sync.result
    assert {row["article_id"] for row in stored} == set(ids.values())
    assert len({row["observed_at"] for row in stored}) == 1
    with container.uow() as uow:
        cache = uow.logistic_stock.current()
        alerts = uow.logistic_alerts.recent(limit=500)
    assert len(cache) == len(stored)

    # generate_alerts ran on those snapshots: an alert per pair the domain says is short, no other
    expected = {
        (stock.article_id, stock.cluster_id, kind) for stock in cache if (kind := stock_alert_for(stock, policy))
    }
    assert {(a.article_id, a.cluster_id, a.kind) for a in alerts} == expected
    assert {StockAlertKind.OUT_OF_STOCK, StockAlertKind.LOW_STOCK} <= {a.kind for a in alerts}
    assert all(a.open for a in alerts)
    assert chained.result["pairs"] == len(cache)
    assert chained.result["alerts_generated"] == len(alerts)
    assert chained.result["brand"] == sync.result["brand"] == "all"


@pytest.mark.slow
def test_a_stock_sync_that_fails_chains_no_generate_alerts(harness: BackendHarness) -> None:
    start_workers(harness)
    container = harness.container
    fbo = container.ozon_fbo()
    seed_articles(container, fbo.skus[:3], BRAND, container.clock().now())

    task_id = harness.queue.enqueue(OZON_DOWN, {"brand": "all"})
    failed = wait_for(harness.queue, task_id)

    assert failed.state is TaskState.FAILED, failed
    assert "503 Service Unavailable" in (failed.error or ""), failed.error
    wait_until(lambda: settled(harness, TOPIC), timeout=15, what=f"{harness.name}: queues and outbox empty")
    assert runs_of(harness, GENERATE_ALERTS) == []
    with container.uow() as uow:
        [letter] = [d for d in uow.dead_letters.list(limit=500) if d.task_id == task_id]
        alerts = uow.logistic_alerts.recent(limit=500)
        owed = uow.outbox.pending(TOPIC)
    assert letter.attempts == 2  # the first attempt and its retry: neither chained
    assert "MarketplaceError" in letter.exception
    assert snapshots(container) == []
    assert alerts == [] and owed == []
