"""``logistic.sync_ozon_analytics``: 28 complete days of ordered units → each article's
velocity; one Ozon call per run, the next page chained a minute later with the sums so far."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.application.logistic.analytics_sync import NAME, sync_ozon_analytics
from adolf.application.logistic.ozon_fbo import SalesRow, SkippedRow, velocity
from adolf.application.payload import InvalidPayload, bind_payload
from tests.support.fakes.logistic_services import FakeLogisticServices
from tests.unit.application.logistic.world import add_articles
from tests.unit.domain.generators import PROPERTY

TODAY = date(2024, 5, 10)  # the fake clock's Moscow day
FIRST, LAST = TODAY - timedelta(days=28), TODAY - timedelta(days=1)


def sale(sku: int, day: date, units: int) -> SalesRow:
    return SalesRow(sku, day, units, Decimal(units * 100))


def run_chain(services: FakeLogisticServices, limit: int = 50) -> list[dict[str, object]]:
    """Run the task, then each continuation it queued (its JSON payload bound as the runner
    binds it) once its countdown has passed."""
    reports = [sync_ozon_analytics(services)]
    for _ in range(limit):
        if not services.queue.enqueued:
            break
        name, payload = services.queue.enqueued.pop(0)
        assert name == NAME
        services.clock.advance(services.queue.options.pop(0)["countdown"])
        reports.append(sync_ozon_analytics(services, **bind_payload(sync_ozon_analytics, payload, NAME)))
    return reports


def test_one_page_replaces_the_velocity_of_every_article_with_a_sku(services: FakeLogisticServices) -> None:
    [a, b, c] = add_articles(services, 3)
    services.ozon_fbo.sales = [
        sale(a.ozon_sku or 0, FIRST, 14),
        sale(a.ozon_sku or 0, LAST, 14),
        sale(b.ozon_sku or 0, LAST, 1),
        sale(999, LAST, 5),  # not ours
        sale(a.ozon_sku or 0, TODAY, 100),  # today is not in the window
        sale(a.ozon_sku or 0, FIRST - timedelta(days=1), 100),  # nor the day before it
    ]

    report = sync_ozon_analytics(services)

    stored = services.unit_of_work.logistic.velocity
    assert report["status"] == "done"
    assert report["window"] == [FIRST.isoformat(), LAST.isoformat()]
    assert {k: (v.ordered_units, v.avg_daily_sales) for k, v in stored.items()} == {
        a.id: (28, Decimal("1.00")),
        b.id: (1, Decimal("0.04")),
        c.id: (0, Decimal("0.00")),
    }
    assert report["unknown_sku"] == 1 and report["selling"] == 2
    assert services.ozon_fbo.sales_calls == [(FIRST, LAST, 0)]
    assert services.queue.enqueued == []


def test_pages_chain_a_minute_apart_and_only_the_last_writes(services: FakeLogisticServices) -> None:
    articles = add_articles(services, 3)
    services.ozon_fbo.page_size = 4
    services.ozon_fbo.sales = [
        sale(a.ozon_sku or 0, FIRST + timedelta(days=d), d + i) for d in range(5) for i, a in enumerate(articles)
    ]
    services.ozon_fbo.sales_skipped = [SkippedRow("ordered_units missing", {})]

    reports = run_chain(services)

    assert [r["status"] for r in reports] == ["continuing", "continuing", "continuing", "done"]
    assert [call[2] for call in services.ozon_fbo.sales_calls] == [0, 4, 8, 12]
    assert services.unit_of_work.logistic.calls["velocity.replace"] == 1
    expected = velocity(services.ozon_fbo.sales)
    assert {a.id: expected[a.ozon_sku or 0] for a in articles} == {
        k: v.avg_daily_sales for k, v in services.unit_of_work.logistic.velocity.items()
    }
    assert reports[-1]["skipped"] == 1


def test_a_continuation_waits_for_the_quota_and_carries_the_window(services: FakeLogisticServices) -> None:
    [a] = add_articles(services)
    services.ozon_fbo.page_size = 1
    services.ozon_fbo.sales = [sale(a.ozon_sku or 0, FIRST, 3), sale(a.ozon_sku or 0, LAST, 4)]

    sync_ozon_analytics(services)

    [(name, payload)] = services.queue.enqueued
    assert name == NAME
    assert payload == {"offset": 1, "window_end": LAST.isoformat(), "partial": {str(a.ozon_sku): 3}, "skipped": 0}
    assert services.queue.options[0]["countdown"] == 60.0
    assert services.unit_of_work.logistic.velocity == {}  # nothing written before the last page


def test_a_run_refused_by_the_quota_chains_the_same_page_after_retry_after(services: FakeLogisticServices) -> None:
    [a] = add_articles(services)
    services.ozon_fbo.sales = [sale(a.ozon_sku or 0, LAST, 3)]
    services.ozon_fbo.last_sales_call = services.clock.now() - timedelta(seconds=45)  # someone called 45 s ago

    report = sync_ozon_analytics(services)

    assert report["status"] == "quota"
    [(_, payload)] = services.queue.enqueued
    assert payload["offset"] == 0
    assert services.queue.options[0]["countdown"] == pytest.approx(15.0)


def test_a_redelivered_page_chains_its_continuation_once(services: FakeLogisticServices) -> None:
    [a] = add_articles(services)
    services.ozon_fbo.page_size = 1
    services.ozon_fbo.sales = [sale(a.ozon_sku or 0, FIRST, 3), sale(a.ozon_sku or 0, LAST, 4)]
    sync_ozon_analytics(services)
    services.clock.advance(61)

    sync_ozon_analytics(services)  # the same page again (its worker died after sending)

    assert len(services.queue.enqueued) == 1
    assert len(services.unit_of_work.outbox.entries) == 1


def test_the_days_the_window_ends_on_is_the_payloads_when_given(services: FakeLogisticServices) -> None:
    add_articles(services)
    end = date(2024, 4, 30)

    sync_ozon_analytics(services, window_end=end)

    assert services.ozon_fbo.sales_calls == [(end - timedelta(days=27), end, 0)]


@pytest.mark.parametrize("partial", [{"abc": 1}, {"12": -1}, {"12": "3"}, {"12": True}])
def test_a_malformed_partial_sum_is_refused_naming_it(services: FakeLogisticServices, partial: dict) -> None:
    with pytest.raises(InvalidPayload, match="partial"):
        sync_ozon_analytics(services, offset=5, partial=partial)


@PROPERTY
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 27), st.integers(0, 50)),
        max_size=30,
        unique_by=lambda row: (row[0], row[1]),
    ),
    st.integers(1, 7),
)
def test_paging_never_changes_the_velocity(rows: list[tuple[int, int, int]], page_size: int) -> None:
    services = FakeLogisticServices()
    articles = add_articles(services, 4)
    services.ozon_fbo.page_size = page_size
    services.ozon_fbo.sales = [sale(articles[i].ozon_sku or 0, FIRST + timedelta(days=d), u) for i, d, u in rows]

    run_chain(services, limit=100)

    totals = {a.id: 0 for a in articles}
    for i, _, units in rows:
        totals[articles[i].id] += units
    stored = services.unit_of_work.logistic.velocity
    assert {k: v.ordered_units for k, v in stored.items()} == totals
    assert all(v.avg_daily_sales == (Decimal(v.ordered_units) / 28).quantize(Decimal("0.01")) for v in stored.values())
