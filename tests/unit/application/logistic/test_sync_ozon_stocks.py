"""``logistic.sync_ozon_stocks``: Ozon's FBO rows → snapshots + cache, skipped rows counted by
reason, then ``generate_alerts`` chained through the outbox."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from adolf.application import outbox_dispatch
from adolf.application.logistic import dispatch, stock_sync
from adolf.application.logistic.ozon_fbo import SkippedRow
from adolf.application.logistic.stock_sync import sync_ozon_stocks
from adolf.application.payload import InvalidPayload, bind_payload
from adolf.application.ports.ads_marketplace import MarketplaceError
from tests.support.fakes.logistic_services import FakeLogisticServices
from tests.unit.application.logistic.world import add_articles, add_clusters, ozon_row

ALERTS = "logistic.generate_alerts"


def test_rows_become_snapshots_and_the_cache_and_generate_alerts_is_chained(services: FakeLogisticServices) -> None:
    add_clusters(services, 1, 2)
    [a, b] = add_articles(services, 2)
    services.ozon_fbo.stock = {
        a.ozon_sku: [ozon_row(a.ozon_sku, 1, 10, "2"), ozon_row(a.ozon_sku, 2, 0, "1")],  # type: ignore[index,arg-type]
        b.ozon_sku: [ozon_row(b.ozon_sku, 1, 5, "0.5", in_transit=3)],  # type: ignore[index,arg-type]
    }

    report = sync_ozon_stocks(services)

    tables = services.unit_of_work.logistic
    assert report["recorded"] == 3 and report["skipped"] == 0
    assert len(tables.snapshots) == 3
    assert {(k, s.available, s.in_transit, s.avg_daily_sales) for k, s in tables.cache.items()} == {
        ((a.id, 1), 10, 0, Decimal("2")),
        ((a.id, 2), 0, 0, Decimal("1")),
        ((b.id, 1), 5, 3, Decimal("0.5")),
    }
    assert tables.cache[(a.id, 1)].days_left == Decimal("5.00")
    assert all(s.observed_at == services.clock.now() for s in tables.snapshots.values())
    assert services.queue.enqueued == [(ALERTS, {"brand": "all"})]
    assert report["chained"] == 1


def test_a_second_sync_adds_snapshots_and_moves_the_cache(services: FakeLogisticServices) -> None:
    add_clusters(services, 1)
    [a] = add_articles(services)
    sku = a.ozon_sku or 0
    services.ozon_fbo.stock = {sku: [ozon_row(sku, 1, 10)]}
    sync_ozon_stocks(services)
    services.clock.advance(1800)
    services.ozon_fbo.stock = {sku: [ozon_row(sku, 1, 7)]}

    sync_ozon_stocks(services)

    tables = services.unit_of_work.logistic
    assert sorted(s.available for s in tables.snapshots.values()) == [7, 10]
    assert tables.cache[(a.id, 1)].available == 7


def test_rows_it_cannot_place_are_skipped_and_counted_by_reason(services: FakeLogisticServices) -> None:
    add_clusters(services, 1)
    [a] = add_articles(services)
    sku = a.ozon_sku or 0
    services.ozon_fbo.stock = {
        sku: [
            ozon_row(sku, 1, 10),
            ozon_row(sku, 1, 11),  # the same pair again: the last one kept
            ozon_row(sku, 99, 5),  # a cluster Ozon does not list
            ozon_row(sku + 1, 1, 5),  # an SKU we did not ask for
        ]
    }
    services.ozon_fbo.stock_skipped = [SkippedRow("available=-1 is negative", {"sku": sku})]

    report = sync_ozon_stocks(services)

    assert (report["recorded"], report["duplicate"], report["unknown_cluster"], report["unknown_sku"]) == (1, 1, 1, 1)
    assert report["skipped"] == 1
    assert report["clusters_refreshed"] is True and services.ozon_fbo.cluster_calls == 1
    assert services.unit_of_work.logistic.cache[(a.id, 1)].available == 11


def test_a_cluster_unknown_yet_is_learned_from_ozons_list_once(services: FakeLogisticServices) -> None:
    add_clusters(services, 1, 2, 3)  # Ozon lists three clusters…
    services.unit_of_work.logistic.clusters.clear()  # …but the weekly sync has not run yet
    [a] = add_articles(services)
    sku = a.ozon_sku or 0
    services.ozon_fbo.stock = {sku: [ozon_row(sku, 1, 4), ozon_row(sku, 3, 4)]}

    report = sync_ozon_stocks(services)

    assert report["recorded"] == 2 and report["unknown_cluster"] == 0
    assert sorted(services.unit_of_work.logistic.clusters) == [1, 2, 3]


def test_only_active_articles_with_a_sku_of_the_brand_are_asked(services: FakeLogisticServices) -> None:
    add_clusters(services, 1)
    [mine] = add_articles(services, brand="acme")
    [theirs] = add_articles(services, brand="other")
    add_articles(services, brand="acme", with_sku=False)

    report = sync_ozon_stocks(services, brand="acme")

    assert services.ozon_fbo.stock_calls == [[mine.ozon_sku]]
    assert report["brand"] == "acme" and report["articles"] == 1
    assert services.queue.enqueued == [(ALERTS, {"brand": "acme"})]
    assert theirs.ozon_sku not in services.ozon_fbo.stock_calls[0]


def test_skus_go_to_ozon_in_chunks_each_written_in_its_own_transaction(
    services: FakeLogisticServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stock_sync, "CHUNK", 2)
    add_clusters(services, 1)
    articles = add_articles(services, 5)
    services.ozon_fbo.stock = {a.ozon_sku or 0: [ozon_row(a.ozon_sku or 0, 1, 3)] for a in articles}

    report = sync_ozon_stocks(services)

    assert [len(call) for call in services.ozon_fbo.stock_calls] == [2, 2, 1]
    assert services.unit_of_work.logistic.calls["stock.record"] == 3
    assert report["recorded"] == 5
    assert services.queue.enqueued == [(ALERTS, {"brand": "all"})]  # chained once, with the last chunk


def test_the_chain_survives_a_worker_dying_after_the_commit(
    services: FakeLogisticServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_clusters(services, 1)
    [a] = add_articles(services)
    services.ozon_fbo.stock = {a.ozon_sku or 0: [ozon_row(a.ozon_sku or 0, 1, 3)]}
    with monkeypatch.context() as patched:
        patched.setattr(dispatch, "flush", lambda services, keys=(): outbox_dispatch.Flushed())  # died after commit
        sync_ozon_stocks(services)
    assert services.queue.enqueued == []
    [owed] = services.unit_of_work.outbox.pending(dispatch.TOPIC)
    assert owed.payload == {"name": ALERTS, "payload": {"brand": "all"}}

    services.clock.advance(outbox_dispatch.LEFTOVER_AGE.total_seconds() + 1)
    flushed = dispatch.flush(services)  # any Logistic job flushing later sends it

    assert flushed.leftovers == 1 and services.queue.enqueued == [(ALERTS, {"brand": "all"})]
    assert services.unit_of_work.outbox.pending(dispatch.TOPIC) == []


def test_a_young_leftover_is_left_to_its_own_job(services: FakeLogisticServices) -> None:
    with services.uow() as uow:
        dispatch.record(uow, [dispatch.enqueue("someone-else", ALERTS, {"brand": "all"}, services.clock.now())])
        uow.commit()
    services.clock.advance(60)

    assert dispatch.flush(services).leftovers == 0
    assert services.queue.enqueued == []


def test_an_ozon_failure_fails_the_job_and_chains_nothing(services: FakeLogisticServices) -> None:
    add_clusters(services, 1)
    add_articles(services)
    services.ozon_fbo.failure = MarketplaceError("ozon /v1/analytics/stocks: 503")

    with pytest.raises(MarketplaceError):
        sync_ozon_stocks(services)

    assert services.unit_of_work.outbox.pending(dispatch.TOPIC) == []
    assert services.queue.enqueued == []


@pytest.mark.parametrize("brand", ["", "x" * 65])
def test_a_bad_brand_is_refused_naming_the_field(brand: str) -> None:
    with pytest.raises(InvalidPayload, match="brand="):
        bind_payload(sync_ozon_stocks, {"brand": brand})


def test_a_blank_brand_given_in_process_is_refused_too(services: FakeLogisticServices) -> None:
    with pytest.raises(InvalidPayload, match="brand="):
        sync_ozon_stocks(services, brand="  ")


def test_observed_at_is_the_runs_time(services: FakeLogisticServices) -> None:
    add_clusters(services, 1)
    [a] = add_articles(services)
    services.ozon_fbo.stock = {a.ozon_sku or 0: [ozon_row(a.ozon_sku or 0, 1, 3)]}
    services.clock.advance(timedelta(hours=5).total_seconds())

    sync_ozon_stocks(services)

    assert services.unit_of_work.logistic.cache[(a.id, 1)].observed_at == services.clock.now()
