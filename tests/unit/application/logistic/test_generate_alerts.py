"""``logistic.generate_alerts``: the domain's stock alerts opened once per article × cluster ×
kind, resolved when they no longer apply, STOCK_RECOVERED once, routed and notified."""

from __future__ import annotations

from datetime import timedelta

from adolf.application.logistic.stock_alerts import generate_alerts
from adolf.application.logistic.stock_sync import sync_ozon_stocks
from adolf.domain.alerts.severity import Severity
from adolf.domain.logistic.alerts import StockAlertKind
from tests.support.fakes.logistic_services import FakeLogisticServices
from tests.unit.application.logistic.world import add_articles, add_clusters, ozon_row, people, put_stock, stock

OUT, URGENT, LOW = StockAlertKind.OUT_OF_STOCK, StockAlertKind.URGENT_STOCK, StockAlertKind.LOW_STOCK
RECOVERED, OZON = StockAlertKind.STOCK_RECOVERED, StockAlertKind.OZON_URGENT


def alerts(services: FakeLogisticServices) -> list:
    return sorted(services.unit_of_work.logistic.alerts.values(), key=lambda a: a.id)


def test_a_stock_out_opens_an_alert_routed_by_severity_and_brand(services: FakeLogisticServices) -> None:
    add_clusters(services, 1)
    [a] = add_articles(services)
    put_stock(services, stock(a.id, 1, 0, "2"))
    users = people(services)

    report = generate_alerts(services)

    [alert] = alerts(services)
    assert (alert.kind, alert.severity, alert.open) == (OUT, Severity.CRITICAL, True)
    assert (alert.article_id, alert.cluster_id, alert.brand) == (a.id, 1, "acme")
    assert alert.details["available"] == "0" and alert.notified_at == services.clock.now()
    assert report["alerts_generated"] == 1 and report["by_kind"] == {"OUT_OF_STOCK": 1}
    told = [n for n in services.notifier.sent if "OUT_OF_STOCK" in n.subject]
    assert {n.recipient for n in told} == {users[r].id for r in ("manager", "senior", "director", "admin")}
    assert len(told) == 4  # each once
    assert all(n.key == f"logistic_alert:{alert.id}:{n.recipient}" for n in told)


def test_a_second_run_over_the_same_stock_adds_nothing(services: FakeLogisticServices) -> None:
    add_clusters(services, 1)
    [a] = add_articles(services)
    put_stock(services, stock(a.id, 1, 3, "1"))
    people(services)
    generate_alerts(services)
    sent = len(services.notifier.sent)
    services.clock.advance(1800)

    again = generate_alerts(services)

    assert again["alerts_generated"] == 0 and len(alerts(services)) == 1
    assert len(services.notifier.sent) == sent


def test_an_easing_alert_is_replaced_and_a_recovery_raised_once(services: FakeLogisticServices) -> None:
    add_clusters(services, 1)
    [a] = add_articles(services)
    put_stock(services, stock(a.id, 1, 3, "1"))  # 3 days: urgent
    generate_alerts(services)
    put_stock(services, stock(a.id, 1, 10, "1"))  # 10 days: low
    eased = generate_alerts(services)
    put_stock(services, stock(a.id, 1, 50, "1"))  # fine
    fine = generate_alerts(services)
    again = generate_alerts(services)

    kinds = [(x.kind, x.open) for x in alerts(services)]
    assert kinds == [(URGENT, False), (LOW, False), (RECOVERED, True)]
    assert eased["resolved"] == 1 and fine["resolved"] == 1
    assert fine["by_kind"] == {"STOCK_RECOVERED": 1} and again["alerts_generated"] == 0
    assert all(x.resolved_at is not None for x in alerts(services) if not x.open)


def test_ozons_own_estimate_warns_when_ours_does_not(services: FakeLogisticServices) -> None:
    add_clusters(services, 1)
    [a] = add_articles(services)
    put_stock(services, stock(a.id, 1, 100, "1", days_left="4"))

    generate_alerts(services)

    [alert] = alerts(services)
    assert (alert.kind, alert.severity) == (OZON, Severity.WARNING)
    assert alert.details["ozon_days_left"] == "4"


def test_only_the_brands_pairs_are_judged(services: FakeLogisticServices) -> None:
    add_clusters(services, 1)
    [a] = add_articles(services, brand="acme")
    [b] = add_articles(services, brand="other")
    put_stock(services, stock(a.id, 1, 0, "1"), stock(b.id, 1, 0, "1"))

    generate_alerts(services, brand="other")

    assert [(x.article_id, x.brand) for x in alerts(services)] == [(b.id, "other")]


def test_the_stock_sync_chain_ends_in_alerts(services: FakeLogisticServices) -> None:
    add_clusters(services, 1)
    [a] = add_articles(services)
    services.ozon_fbo.stock = {a.ozon_sku or 0: [ozon_row(a.ozon_sku or 0, 1, 0)]}
    sync_ozon_stocks(services)
    [(name, payload)] = services.queue.enqueued

    assert name == "logistic.generate_alerts"
    generate_alerts(services, **payload)

    assert [x.kind for x in alerts(services)] == [OUT]


def test_a_new_stock_out_the_next_day_alerts_again(services: FakeLogisticServices) -> None:
    add_clusters(services, 1)
    [a] = add_articles(services)
    put_stock(services, stock(a.id, 1, 0, "1"))
    generate_alerts(services)
    put_stock(services, stock(a.id, 1, 50, "1"))
    generate_alerts(services)
    services.clock.advance(timedelta(days=1).total_seconds())
    put_stock(services, stock(a.id, 1, 0, "1"))

    generate_alerts(services)

    assert [x.kind for x in alerts(services)] == [OUT, RECOVERED, OUT]
    assert [x.open for x in alerts(services)] == [False, False, True]
