"""``logistic.generate_supply_tasks``: the day's deficits → supply tasks, the warehouse shared
urgent first (less what open tasks hold), WAREHOUSE_LOW and TASKS_GENERATED, idempotent."""

from __future__ import annotations

import gc
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.application.logistic.ports import ArticleVelocity
from adolf.application.logistic.supply_actions import accept
from adolf.application.logistic.supply_generation import generate_supply_tasks
from adolf.domain.alerts.severity import Severity
from adolf.domain.logistic.alerts import StockAlertKind
from adolf.domain.logistic.allocation import Coverage
from adolf.domain.logistic.deficit import SupplyPriority
from adolf.domain.logistic.supply_tasks import SupplyTask, SupplyTaskStatus
from tests.support.fakes.logistic_services import FakeLogisticServices
from tests.unit.application.logistic.world import MORNING, add_articles, add_clusters, people, put_stock, stock
from tests.unit.domain.generators import PROPERTY

DAY = date(2024, 5, 10)


def tasks(services: FakeLogisticServices) -> dict[tuple[int, int], SupplyTask]:
    return {(r.task.article_id, r.task.cluster_id): r.task for r in services.unit_of_work.logistic.tasks.values()}


def alerts_of(services: FakeLogisticServices, kind: StockAlertKind) -> list:
    return [a for a in services.unit_of_work.logistic.alerts.values() if a.kind is kind]


def test_deficits_become_tasks_for_today_with_the_warehouse_shared_urgent_first(
    services: FakeLogisticServices,
) -> None:
    services.clock.set(MORNING)
    add_clusters(services, 1, 2)
    [a] = add_articles(services)
    # velocity 2/day, target 28 days = 56 units. Cluster 1: 6 left → 3 days: urgent, deficit 50.
    # Cluster 2: 20 left → 10 days: planned, deficit 36.
    put_stock(services, stock(a.id, 1, 6, "2"), stock(a.id, 2, 20, "2"))
    services.unit_of_work.logistic.warehouse[a.id] = 60

    report = generate_supply_tasks(services)

    made = tasks(services)
    urgent, planned = made[(a.id, 1)], made[(a.id, 2)]
    assert (urgent.priority, urgent.quantity, urgent.allocated, urgent.coverage) == (
        SupplyPriority.URGENT,
        50,
        50,
        Coverage.FULL,
    )
    assert (planned.priority, planned.quantity, planned.allocated, planned.coverage) == (
        SupplyPriority.PLANNED,
        36,
        10,
        Coverage.PARTIAL,
    )
    assert urgent.days_of_cover == Decimal("3.0") and urgent.task_date == DAY
    assert all(t.status is SupplyTaskStatus.NEW and t.brand == "acme" for t in made.values())
    assert (report["total_tasks"], report["total_quantity"], report["allocated"]) == (2, 86, 60)
    assert (report["urgent"], report["planned"], report["recommended"]) == (1, 1, 0)


def test_a_second_run_the_same_day_creates_nothing_twice(services: FakeLogisticServices) -> None:
    add_clusters(services, 1)
    [a] = add_articles(services)
    put_stock(services, stock(a.id, 1, 0, "1"))
    people(services)
    generate_supply_tasks(services)
    sent = len(services.notifier.sent)

    again = generate_supply_tasks(services)

    assert again["total_tasks"] == 0 and again["already_open"] == 1
    assert len(services.unit_of_work.logistic.tasks) == 1
    assert again["alerts_created"] == 0 and len(services.notifier.sent) == sent


def test_open_tasks_hold_their_warehouse_units_and_their_pairs(services: FakeLogisticServices) -> None:
    add_clusters(services, 1, 2)
    [a] = add_articles(services)
    put_stock(services, stock(a.id, 1, 0, "1"))  # deficit 28, urgent
    services.unit_of_work.logistic.warehouse[a.id] = 30
    generate_supply_tasks(services)  # takes 28 of the 30
    [first] = tasks(services).values()
    accept(services, first.id)
    services.clock.advance(timedelta(days=1).total_seconds())
    put_stock(services, stock(a.id, 2, 0, "1"))  # a new deficit elsewhere, 28

    report = generate_supply_tasks(services)

    second = tasks(services)[(a.id, 2)]
    assert report["total_tasks"] == 1 and report["already_open"] == 1  # cluster 1's task is still open
    assert (second.allocated, second.coverage) == (2, Coverage.PARTIAL)  # 30 − the 28 reserved


def test_cancelled_and_shipped_tasks_hold_nothing(services: FakeLogisticServices) -> None:
    add_clusters(services, 1)
    [a] = add_articles(services)
    put_stock(services, stock(a.id, 1, 0, "1"))
    services.unit_of_work.logistic.warehouse[a.id] = 30
    generate_supply_tasks(services)
    [first] = tasks(services).values()
    services.unit_of_work.logistic_tasks.save(replace(first, status=SupplyTaskStatus.CANCELLED), services.clock.now())
    services.clock.advance(timedelta(days=1).total_seconds())

    report = generate_supply_tasks(services)

    assert report["total_tasks"] == 1 and report["allocated"] == 28


def test_an_article_with_deficits_and_no_warehouse_stock_raises_warehouse_low_once_a_day(
    services: FakeLogisticServices,
) -> None:
    add_clusters(services, 1, 2)
    [empty, stocked] = add_articles(services, 2)
    put_stock(
        services,
        stock(empty.id, 1, 0, "1"),
        stock(empty.id, 2, 1, "1"),
        stock(stocked.id, 1, 0, "1"),
    )
    services.unit_of_work.logistic.warehouse[stocked.id] = 100
    users = people(services)

    report = generate_supply_tasks(services)

    [low] = alerts_of(services, StockAlertKind.WAREHOUSE_LOW)
    assert low.article_id == empty.id and low.severity is Severity.CRITICAL and not low.open
    assert low.details["deficit"] == str(28 + 27)
    assert report["purchase_required"] == 1
    told = {n.recipient for n in services.notifier.sent if "WAREHOUSE_LOW" in n.subject}
    assert told == {users[r].id for r in ("manager", "senior", "director", "admin")}


def test_one_tasks_generated_summary_per_brand(services: FakeLogisticServices) -> None:
    add_clusters(services, 1)
    [a] = add_articles(services, brand="acme")
    [b] = add_articles(services, brand="other")
    put_stock(services, stock(a.id, 1, 0, "1"), stock(b.id, 1, 100, "1"))
    users = people(services)

    generate_supply_tasks(services)

    summaries = {alert.brand: alert for alert in alerts_of(services, StockAlertKind.TASKS_GENERATED)}
    assert set(summaries) == {"acme", "other"}
    assert summaries["acme"].details["tasks"] == "1" and summaries["acme"].details["urgent"] == "1"
    assert summaries["other"].details["tasks"] == "0"
    assert all(s.severity is Severity.INFO for s in summaries.values())
    # info goes to the brand's managers only
    assert {n.recipient for n in services.notifier.sent if "TASKS_GENERATED" in n.subject} == {
        users["manager"].id,
        users["other"].id,
    }


def test_one_brand_only_reads_and_writes_its_own(services: FakeLogisticServices) -> None:
    add_clusters(services, 1)
    [a] = add_articles(services, brand="acme")
    [b] = add_articles(services, brand="other")
    put_stock(services, stock(a.id, 1, 0, "1"), stock(b.id, 1, 0, "1"))

    report = generate_supply_tasks(services, brand="other")

    assert set(tasks(services)) == {(b.id, 1)}
    assert report["brand"] == "other"
    assert {a.brand for a in alerts_of(services, StockAlertKind.TASKS_GENERATED)} == {"other"}


def test_the_analytics_velocity_sets_the_volume_and_ozons_clusters_the_split(services: FakeLogisticServices) -> None:
    add_clusters(services, 1, 2)
    [a] = add_articles(services)
    # Ozon's ads say 1 + 1 a day; the 28-day analytics say 4 a day in all → 2 + 2.
    put_stock(services, stock(a.id, 1, 10, "1"), stock(a.id, 2, 10, "1"))
    services.unit_of_work.logistic_velocity.replace([ArticleVelocity(a.id, 112, Decimal("4.00"))], MORNING)

    generate_supply_tasks(services)

    made = tasks(services)
    assert made[(a.id, 1)].quantity == 56 - 10 and made[(a.id, 1)].priority is SupplyPriority.URGENT


def test_nothing_to_do_is_a_quiet_summary(services: FakeLogisticServices) -> None:
    report = generate_supply_tasks(services)

    assert report["total_tasks"] == 0 and report["needs"] == 0


@PROPERTY
@given(
    st.lists(st.tuples(st.integers(0, 2), st.integers(1, 3), st.integers(0, 60), st.integers(0, 5)), max_size=9),
    st.lists(st.integers(0, 80), min_size=3, max_size=3),
)
def test_tasks_never_allocate_more_than_the_warehouse_holds_and_exist_only_for_deficits(
    cells: list[tuple[int, int, int, int]], warehouse: list[int]
) -> None:
    services = FakeLogisticServices()
    add_clusters(services, 1, 2, 3)
    articles = add_articles(services, 3)
    put_stock(services, *(stock(articles[i].id, c, units, str(v)) for i, c, units, v in cells))
    for article, units in zip(articles, warehouse, strict=True):
        services.unit_of_work.logistic.warehouse[article.id] = units

    generate_supply_tasks(services)
    generate_supply_tasks(services)  # idempotent: nothing more

    made = list(tasks(services).values())
    for article, units in zip(articles, warehouse, strict=True):
        given_out = sum(t.allocated for t in made if t.article_id == article.id)
        wanted = sum(t.quantity for t in made if t.article_id == article.id)
        assert given_out == min(units, wanted)
    cache = services.unit_of_work.logistic.cache
    for task in made:
        cell = cache[(task.article_id, task.cluster_id)]
        assert task.quantity == 28 * int(cell.avg_daily_sales) - cell.available > 0


def _one_need(services: FakeLogisticServices) -> None:
    services.clock.set(MORNING)
    add_clusters(services, 1)
    [a] = add_articles(services)
    put_stock(services, stock(a.id, 1, 0, "1"))


@pytest.mark.parametrize("was_on", [True, False])
def test_the_cyclic_collector_is_paused_while_the_job_runs_and_left_as_it_was(
    services: FakeLogisticServices, monkeypatch: pytest.MonkeyPatch, was_on: bool
) -> None:
    _one_need(services)
    seen: list[bool] = []
    create_many = services.unit_of_work.logistic_tasks.create_many

    def watched(new: Any) -> Any:
        seen.append(gc.isenabled())
        return create_many(new)

    monkeypatch.setattr(services.unit_of_work.logistic_tasks, "create_many", watched)
    (gc.enable if was_on else gc.disable)()
    try:
        assert generate_supply_tasks(services)["total_tasks"] == 1
        assert seen == [False] and gc.isenabled() is was_on
    finally:
        gc.enable()


def test_the_collector_is_back_on_after_a_failure(
    services: FakeLogisticServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    _one_need(services)

    def broken(new: Any) -> Any:
        raise RuntimeError("database away")

    monkeypatch.setattr(services.unit_of_work.logistic_tasks, "create_many", broken)
    gc.enable()
    with pytest.raises(RuntimeError, match="database away"):
        generate_supply_tasks(services)
    assert gc.isenabled()
