"""Competitor bids in an agent's result (issue 10's hand-off: "Marketing reads what Watcher
observed"): the valid keywords' bids reach Marketing's competitor bids store, a malformed
entry is refused and counted, and only a task the agent holds carries any."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adolf.application.marketing.watcher_handoff import WatcherHandoff
from adolf.application.watcher.agent_protocol import TaskResult, UnknownParsingTask, next_task, submit_result
from adolf.application.watcher.bid_reports import MAX_BIDS, read_bids
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.tasks import TaskNotHeld, TaskStatus
from tests.support.watcher_agents import add_agent, add_night
from tests.support.watcher_bids import BidServices, HandoffDown

WB = Marketplace.WB
PRICE = [{"price": Decimal("1899.00"), "in_stock": True}]


@pytest.fixture
def services() -> BidServices:
    return BidServices()


def claimed(services: BidServices, agent_id: str = "a1") -> int:
    add_night(services, 2)
    add_agent(services, agent_id)
    offer = next_task(services, agent_id, WB).task
    assert offer is not None
    return offer.task_id


def test_the_bids_of_a_held_task_reach_marketing_highest_first_with_the_prices(services: BidServices) -> None:
    task_id = claimed(services)
    bids = {"10000001001": ["120.00", Decimal("145.5"), 130], "10000001002": []}
    receipt = submit_result(services, "a1", task_id, TaskResult(prices=PRICE, competitor_bids=bids))
    assert (receipt.status, receipt.kept, receipt.bids_kept, receipt.bids_refused) == (TaskStatus.DONE, 1, 2, ())
    assert services.held() == {"10000001001": (Decimal("145.5"), Decimal("130"), Decimal("120.00")), "10000001002": ()}
    observed = services.unit_of_work.competitor_bids.observed_at[(WB, "10000001001")]
    assert observed == services.clock.now()


def test_a_malformed_keyword_entry_is_refused_and_counted_the_rest_kept(services: BidServices) -> None:
    task_id = claimed(services)
    bids = {"k-good": ["10"], "k-negative": ["-1"], "k-places": ["1.234"], "k-list": "12", "": ["1"]}
    receipt = submit_result(services, "a1", task_id, TaskResult(prices=PRICE, competitor_bids=bids))
    assert receipt.bids_kept == 1 and services.held() == {"k-good": (Decimal("10"),)}
    errors = {item.keyword: item.error for item in receipt.bids_refused}
    assert set(errors) == {"k-negative", "k-places", "k-list", ""}
    assert "must be >= 0" in errors["k-negative"] and "decimal places" in errors["k-places"]
    assert services.watcher_stats.read_agent_state("a1")["refused_bids"] == "4"
    assert receipt.status is TaskStatus.DONE  # the prices are another matter


def test_bids_ride_with_an_error_result_too(services: BidServices) -> None:
    task_id = claimed(services)
    receipt = submit_result(services, "a1", task_id, TaskResult(error="page timed out", competitor_bids={"k": ["5"]}))
    assert receipt.status is TaskStatus.PENDING and receipt.bids_kept == 1
    assert services.held() == {"k": (Decimal("5"),)}


def test_a_task_the_agent_does_not_hold_carries_no_bids(services: BidServices) -> None:
    task_id = claimed(services, "a1")
    add_agent(services, "a2")
    with pytest.raises(TaskNotHeld):
        submit_result(services, "a2", task_id, TaskResult(prices=PRICE, competitor_bids={"k": ["5"]}))
    assert services.held() == {}
    assert services.unit_of_work.watcher.tasks[task_id].status is TaskStatus.IN_PROGRESS


def test_an_unknown_task_carries_no_bids_and_is_counted(services: BidServices) -> None:
    claimed(services)
    with pytest.raises(UnknownParsingTask):
        submit_result(services, "a1", 999, TaskResult(prices=PRICE, competitor_bids={"k": ["5"]}))
    assert services.held() == {}
    assert services.watcher_stats.read_agent_state("a1")["unknown_tasks"] == "1"


def test_a_failed_hand_off_leaves_the_task_held_so_the_agent_can_send_again(services: BidServices) -> None:
    task_id = claimed(services)
    services.handoff_down = True
    with pytest.raises(HandoffDown):
        submit_result(services, "a1", task_id, TaskResult(prices=PRICE, competitor_bids={"k": ["5"]}))
    task = services.unit_of_work.watcher.tasks[task_id]
    assert (task.status, task.agent_id) == (TaskStatus.IN_PROGRESS, "a1")
    services.handoff_down = False
    receipt = submit_result(services, "a1", task_id, TaskResult(prices=PRICE, competitor_bids={"k": ["5"]}))
    assert receipt.status is TaskStatus.DONE and services.held() == {"k": (Decimal("5"),)}


def test_a_result_without_bids_says_nothing_of_them(services: BidServices) -> None:
    task_id = claimed(services)
    receipt = submit_result(services, "a1", task_id, TaskResult(prices=PRICE))
    assert receipt.bids_kept is None and services.held() == {}


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (["10"], "must be an object"),
        ({"k": ["1"] * (MAX_BIDS + 1)}, f"at most {MAX_BIDS} bids"),
        ({"k": [True]}, "must be a decimal number"),
        ({"k": ["abc"]}, "is not a number"),
        ({"k": ["NaN"]}, "must be >= 0"),
        ({"k": ["1e9"]}, "below"),
        ({" k": ["1"]}, "keyword id of 1 to 64"),
        ({"k" * 65: ["1"]}, "keyword id of 1 to 64"),
    ],
)
def test_each_malformed_entry_names_the_field_and_the_value(raw: object, error: str) -> None:
    kept, refused = read_bids(raw)
    assert kept == {} and len(refused) == 1 and error in refused[0].error


def test_marketing_replaces_only_the_keywords_reported_and_nothing_for_an_empty_report(services: BidServices) -> None:
    handoff = WatcherHandoff(services)  # type: ignore[arg-type]
    now = services.clock.now()
    assert handoff.competitor_bids_observed(WB, {"k1": [Decimal(3)], "k2": [Decimal(9), Decimal(4)]}, now) == 2
    assert handoff.competitor_bids_observed(WB, {"k1": [Decimal(5)]}, now) == 1
    assert handoff.competitor_bids_observed(WB, {}, now) == 0
    assert services.held() == {"k1": (Decimal(5),), "k2": (Decimal(9), Decimal(4))}
