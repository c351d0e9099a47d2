"""What ``adolf watcher`` shows, on the fakes: the running night, agents with their night's
work, a night's counts with every status, and the top priorities with the parts of each
score (stored priority beside the score now)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from adolf.application.watcher.overview import (
    MAX_TOP,
    agents_overview,
    priority_breakdown,
    task_counts,
    tonight,
)
from adolf.domain.watcher.agents import AgentStatus
from adolf.domain.watcher.catalog import Competitor, CompetitorProduct
from adolf.domain.watcher.priority import PriorityScore
from adolf.domain.watcher.tasks import TaskStatus, claim, complete
from tests.support.fakes.watcher_services import FakeWatcherServices
from tests.unit.application.watcher.world import EVENING, OZON, WB, add_agent, add_listings, observe

NIGHT = date(2024, 5, 10)


@pytest.mark.parametrize(
    ("utc", "night"),
    [
        (datetime(2024, 5, 10, 17, 30, tzinfo=UTC), NIGHT),  # 20:30 Moscow: generation
        (datetime(2024, 5, 11, 0, 0, tzinfo=UTC), NIGHT),  # 03:00 Moscow, the next day: still that night
        (datetime(2024, 5, 11, 8, 59, tzinfo=UTC), NIGHT),  # 11:59 Moscow
        (datetime(2024, 5, 11, 9, 0, tzinfo=UTC), date(2024, 5, 11)),  # noon Moscow: the next night
    ],
)
def test_the_running_night_is_the_date_its_tasks_were_generated_for(
    services: FakeWatcherServices, utc: datetime, night: date
) -> None:
    services.clock.set(utc)
    assert tonight(services) == night


def test_agents_are_listed_with_the_tasks_each_did_that_night_and_whether_they_went_silent(
    services: FakeWatcherServices,
) -> None:
    services.clock.set(EVENING)
    add_listings(services, 3, WB)
    add_agent(services, "busy")
    add_agent(services, "silent", beat=EVENING - timedelta(minutes=6))
    add_agent(services, "banned", status=AgentStatus.PANIC, beat=EVENING - timedelta(hours=1))
    uow = services.unit_of_work
    created = uow.watcher_tasks.create_for_date(NIGHT, EVENING)[WB]
    busy = uow.watcher_agents.get("busy")
    assert busy is not None
    tasks = uow.watcher_tasks.get_many(created[:2])
    uow.watcher_tasks.save_many([complete(claim(t, busy, EVENING), "busy", EVENING) for t in tasks.values()])

    lines = {line.agent.id: (line.done, line.stale) for line in agents_overview(services, NIGHT)}
    assert lines == {"banned": (0, False), "busy": (2, False), "silent": (0, True)}
    assert {line.agent.id: line.done for line in agents_overview(services, NIGHT + timedelta(days=1))}["busy"] == 0


def test_a_nights_counts_name_every_status_of_each_marketplace_with_tasks(services: FakeWatcherServices) -> None:
    add_listings(services, 2, WB)
    add_listings(services, 1, OZON)
    services.unit_of_work.watcher_tasks.create_for_date(NIGHT, EVENING)

    counts = task_counts(services, NIGHT)

    assert counts == {
        WB: {TaskStatus.PENDING: 2, TaskStatus.IN_PROGRESS: 0, TaskStatus.DONE: 0, TaskStatus.FAILED: 0},
        OZON: {TaskStatus.PENDING: 1, TaskStatus.IN_PROGRESS: 0, TaskStatus.DONE: 0, TaskStatus.FAILED: 0},
    }
    assert task_counts(services, NIGHT - timedelta(days=1)) == {}


def test_top_priorities_show_the_stored_one_and_the_parts_of_the_score_now(services: FakeWatcherServices) -> None:
    services.clock.set(EVENING)
    _, (busy, quiet, far) = add_listings(services, 3, WB, our_price=Decimal("1000"))
    catalog = services.unit_of_work.watcher_catalog
    [gone] = catalog.add_competitors([Competitor(0, "gone", WB, active=False)])
    [hidden] = catalog.add_competitor_products([CompetitorProduct(0, gone, WB, "hidden", None, None)])
    catalog.set_priorities({busy: 80, quiet: 10, far: 60, hidden: 100}, EVENING)
    for n, price in enumerate(["1000", "1020", "1000", "1020", "1040"]):  # 4 changes; latest +4 % of ours
        observe(services, busy, price, ago=3600 * (6 - n))
    observe(services, far, "3000", ago=60)  # +200 %: far from ours

    lines = priority_breakdown(services, 2)

    assert [(line.product.id, line.stored) for line in lines] == [(busy, 80), (far, 60)]
    top, second = lines
    assert top.competitor is not None and top.competitor.startswith("rival") and top.our_sku is not None
    assert top.inputs.changes_30d == 4 and top.inputs.latest_price == Decimal("1040")
    assert top.gap_percent == Decimal("4.00")
    assert top.score == PriorityScore(value=65, price_changes=0, discount=0, proximity=15, dumping=0)
    assert second.score == PriorityScore(value=30, price_changes=-10, discount=0, proximity=-10, dumping=0)
    assert [line.product.id for line in priority_breakdown(services, MAX_TOP)] == [busy, far, quiet]


@pytest.mark.parametrize("top", [0, MAX_TOP + 1])
def test_top_priorities_refuse_a_count_out_of_range(services: FakeWatcherServices, top: int) -> None:
    with pytest.raises(ValueError, match=f"top={top} must be 1 to {MAX_TOP}"):
        priority_breakdown(services, top)
