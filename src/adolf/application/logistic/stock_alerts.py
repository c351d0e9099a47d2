"""``logistic.generate_alerts(brand="all")`` (every 30 min, and chained after each
``sync_ozon_stocks``; seed 003 §8.4.7): alerts on the current FBO stock.

For every article × cluster in the cache (active articles of the brand), with the same
velocity the supply tasks use (``cluster_velocity.blend``), the domain's ``stock_alert_for``
says which of ``OUT_OF_STOCK``, ``URGENT_STOCK``, ``LOW_STOCK``, ``OZON_URGENT`` applies now;
``alert_changes`` compares that with the alerts still open and decides: a kind newly applying
opens an alert (one open alert per article × cluster × kind), and a pair whose open alerts no
longer apply has them resolved — with ``STOCK_RECOVERED`` raised once when it is fine again.

Stock alerts are stored open, ``STOCK_RECOVERED`` too (the domain resolves it when a new
problem starts). The dedupe key is the domain's: kind, pair and the Moscow day, so a retried or
repeated run over the same cache adds nothing (and finds the alert open anyway), and stock that
flaps out and back within a day alerts once (the domain's choice). New alerts are routed and
notified through the outbox (``alert_raising``), in the transaction that opens and resolves them.
"""

from __future__ import annotations

from typing import Any

from adolf.application.logistic import dispatch
from adolf.application.logistic.alert_raising import raise_alerts
from adolf.application.logistic.alert_text import new_alert, stock_message
from adolf.application.logistic.cluster_velocity import blend
from adolf.application.logistic.ports import LogisticServices, NewLogisticAlert
from adolf.application.logistic.scope import BrandField, brand_filter, brand_label
from adolf.domain.logistic.alerts import alert_changes, dedupe_key, stock_alert_for


def generate_alerts(services: LogisticServices, brand: BrandField = "all") -> dict[str, Any]:
    scope = brand_filter(brand)
    now = services.clock.now()
    day = services.calendar.day(now)
    policy = services.supply_policy
    with services.uow() as uow:
        articles = {article.id: article for article in uow.logistic_articles.all(scope)}
        velocity = {a: v.avg_daily_sales for a, v in uow.logistic_velocity.all().items()}
        stocks = {(s.article_id, s.cluster_id): s for s in blend(uow.logistic_stock.current(scope), velocity)}
        current = {pair: stock_alert_for(stock, policy) for pair, stock in stocks.items()}
        opened = uow.logistic_alerts.open_stock_alerts(scope)
        to_open, to_resolve = alert_changes(current, opened)
        targets = [(article, cluster, kind) for (article, cluster), kinds in to_resolve for kind in sorted(kinds)]
        resolved = uow.logistic_alerts.resolve(targets, now) if targets else 0
        alerts: list[NewLogisticAlert] = []
        for (article_id, cluster_id), kind in to_open:
            article = articles.get(article_id)
            stock = stocks.get((article_id, cluster_id))
            message, details = stock_message(kind, article, article_id, cluster_id, stock)
            alerts.append(
                new_alert(
                    kind,
                    message,
                    now,
                    dedupe_key(kind, article_id, cluster_id, day),
                    brand=article.brand if article else None,
                    article_id=article_id,
                    cluster_id=cluster_id,
                    details=details,
                )
            )
        raised = raise_alerts(uow, alerts, now)
        uow.commit()
    flushed = dispatch.flush(services, raised.keys)
    return {
        "brand": brand_label(scope),
        "pairs": len(stocks),
        "alerts_generated": len(raised.alerts),
        "by_kind": raised.by_kind(),
        "resolved": resolved,
        "notified": flushed.notified,
    }
