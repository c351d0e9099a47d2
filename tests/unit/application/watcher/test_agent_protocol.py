"""The parsing agents' protocol (issue 10): heartbeat, next task, result, panic, tokens."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.application.watcher.agent_protocol import (
    HANDLE_PANIC,
    ProtocolRefused,
    TaskResult,
    UnknownAgent,
    UnknownParsingTask,
    heartbeat,
    next_task,
    report_panic,
    submit_result,
)
from adolf.application.watcher.agent_tokens import (
    AgentRegistrationRefused,
    authenticate_agent,
    hash_token,
    register_agent,
)
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.agents import Agent, AgentStatus
from adolf.domain.watcher.tasks import DEFAULT_LEASE_SECONDS, TaskNotHeld, TaskStatus
from tests.support.watcher_agents import AgentFakeServices, add_agent, add_night

WB, OZON = Marketplace.WB, Marketplace.OZON


@pytest.fixture
def services() -> AgentFakeServices:
    return AgentFakeServices()


def tasks(services: AgentFakeServices) -> dict[int, TaskStatus]:
    return {task_id: task.status for task_id, task in services.unit_of_work.watcher.tasks.items()}


def price(amount: str = "1899.00", **more: object) -> dict[str, object]:
    return {"price": Decimal(amount), "in_stock": True, **more}


# heartbeat


def test_a_heartbeat_brings_an_offline_agent_online_and_stores_its_ip_cookies_and_metrics(services) -> None:
    add_agent(services, "a1", status=AgentStatus.OFFLINE, ip=None)
    reply = heartbeat(services, "a1", "10.1.2.3", {"pages": 12, "cpu": 0.5}, cookies_valid=False)
    now = services.clock.now()
    assert (reply.status, reply.last_heartbeat, reply.ip, reply.ip_blocked, reply.cookies_valid) == (
        AgentStatus.ONLINE,
        now,
        "10.1.2.3",
        False,
        False,
    )
    tables = services.unit_of_work.watcher
    assert tables.agents["a1"].status is AgentStatus.ONLINE and tables.agents["a1"].cookies_valid is False
    assert dict(tables.metrics["a1"]) == {"pages": 12, "cpu": 0.5}
    [event] = services.unit_of_work.watcher_agents.events("a1")
    assert event.kind is AgentStatus.ONLINE and services.unit_of_work.committed


def test_a_heartbeat_without_metrics_keeps_the_last_ones_and_logs_no_event_for_an_online_agent(services) -> None:
    add_agent(services, "a1")
    heartbeat(services, "a1", metrics={"pages": 3})
    services.clock.advance(60)
    reply = heartbeat(services, "a1")
    assert reply.last_heartbeat == services.clock.now() and reply.ip == "10.0.0.1"
    assert dict(services.unit_of_work.watcher.metrics["a1"]) == {"pages": 3}
    assert services.unit_of_work.watcher_agents.events("a1") == []


def test_a_heartbeat_tells_the_agent_its_ip_is_blocked(services) -> None:
    add_agent(services, "a1")
    services.ip_blocks.block("10.0.0.1", reason="captcha")
    assert heartbeat(services, "a1").ip_blocked is True


def test_the_ip_is_stored_in_one_canonical_form_and_a_malformed_one_is_refused_naming_it(services) -> None:
    add_agent(services, "a1")
    assert heartbeat(services, "a1", " 2001:DB8:0:0::1 ").ip == "2001:db8::1"
    with pytest.raises(ProtocolRefused, match=r"ip='10\.0\.0\.300' is not an IPv4 or IPv6 address"):
        heartbeat(services, "a1", "10.0.0.300")
    assert services.unit_of_work.watcher.agents["a1"].ip == "2001:db8::1"


def test_an_agent_in_panic_stays_in_panic_while_beating_and_recovers_once_its_ip_block_is_over(services) -> None:
    add_agent(services, "a1", status=AgentStatus.PANIC)
    services.ip_blocks.block("10.0.0.1", 3600, "captcha")
    assert heartbeat(services, "a1").status is AgentStatus.PANIC
    still = heartbeat(services, "a1", recovered=True)
    assert (still.status, still.ip_blocked) == (AgentStatus.PANIC, True)
    services.clock.advance(3600)
    back = heartbeat(services, "a1", recovered=True)
    assert (back.status, back.ip_blocked) == (AgentStatus.ONLINE, False)
    [event] = services.unit_of_work.watcher_agents.events("a1")
    assert event.message == "recovered from panic"


def test_an_unknown_agent_is_refused(services) -> None:
    with pytest.raises(UnknownAgent, match="agent_id='ghost'"):
        heartbeat(services, "ghost")


# next task


def test_an_agent_pops_tasks_in_queue_order_each_claimed_with_a_lease(services) -> None:
    queued = add_night(services, 3)
    add_agent(services, "a1")
    now = services.clock.now()
    offers = [next_task(services, "a1").task for _ in queued]
    assert [offer.task_id for offer in offers if offer] == queued
    first = offers[0]
    assert first is not None
    assert (first.external_id, first.url, first.marketplace, first.attempt) == ("wb-1", "https://wb.example/1", WB, 1)
    assert first.lease_until == now + timedelta(seconds=DEFAULT_LEASE_SECONDS)
    for task_id in queued:
        task = services.unit_of_work.watcher.tasks[task_id]
        assert (task.status, task.agent_id, task.started_at) == (TaskStatus.IN_PROGRESS, "a1", now)
    empty = next_task(services, "a1")
    assert empty.task is None and empty.reason == "no task waiting in the wb queue"


def test_two_agents_never_get_the_same_task(services) -> None:
    queued = add_night(services, 4)
    add_agent(services, "a1")
    add_agent(services, "a2")
    taken = [next_task(services, agent).task for agent in ("a1", "a2", "a1", "a2")]
    assert sorted(t.task_id for t in taken if t) == queued


def test_ids_of_tasks_no_longer_pending_are_skipped_and_consumed(services) -> None:
    first, second, _ = add_night(services, 3)
    add_agent(services, "a1")
    add_agent(services, "a2")
    assert next_task(services, "a2").task.task_id == first  # type: ignore[union-attr]
    services.parsing_queue.push_front(WB, [first, 999])  # a duplicate and a deleted task
    found = next_task(services, "a1")
    assert found.task is not None and found.task.task_id == second and found.skipped == 2
    assert services.parsing_queue.length(WB) == 1


def test_a_blocked_ip_gets_no_task_and_nothing_is_popped(services) -> None:
    queued = add_night(services, 2)
    add_agent(services, "a1")
    services.ip_blocks.block("10.0.0.1", reason="ban")
    found = next_task(services, "a1")
    assert found.task is None and found.reason is not None and "ip=10.0.0.1" in found.reason
    assert services.parsing_queue.length(WB) == len(queued)
    assert set(tasks(services).values()) == {TaskStatus.PENDING}
    services.clock.advance(3600)
    assert next_task(services, "a1").task is not None


@pytest.mark.parametrize(
    ("status", "says"), [(AgentStatus.PANIC, "is in panic"), (AgentStatus.OFFLINE, "send a heartbeat first")]
)
def test_an_agent_in_panic_or_offline_gets_no_task_and_is_told_why(services, status, says) -> None:
    add_night(services, 1)
    add_agent(services, "a1", status=status)
    found = next_task(services, "a1")
    assert found.task is None and says in (found.reason or "")
    assert services.parsing_queue.length(WB) == 1


def test_an_agent_takes_only_tasks_of_its_own_marketplace(services) -> None:
    add_night(services, 1, WB)
    [ozon_task] = add_night(services, 1, OZON)
    add_agent(services, "wb-agent", WB)
    add_agent(services, "any-agent", None)
    with pytest.raises(ProtocolRefused, match="marketplace='ozon': agent wb-agent parses 'wb' only"):
        next_task(services, "wb-agent", OZON)
    with pytest.raises(ProtocolRefused, match="parses any marketplace, so name one"):
        next_task(services, "any-agent")
    assert next_task(services, "wb-agent").task is not None  # its own, unnamed
    found = next_task(services, "any-agent", OZON).task
    assert found is not None and found.task_id == ozon_task


def test_an_id_popped_when_the_claim_fails_goes_back_to_the_head(services, monkeypatch) -> None:
    queued = add_night(services, 2)
    add_agent(services, "a1")

    def broken(task: object) -> None:
        raise ConnectionError("database went away")

    monkeypatch.setattr(services.unit_of_work.watcher_tasks, "save", broken)
    with pytest.raises(ConnectionError):
        next_task(services, "a1")
    assert services.parsing_queue.pop(WB) == queued[0] and services.parsing_queue.length(WB) == 1
    assert set(tasks(services).values()) == {TaskStatus.PENDING}


# result


def claimed(services: AgentFakeServices, agent_id: str = "a1") -> int:
    offer = next_task(services, agent_id).task
    assert offer is not None
    return offer.task_id


def test_prices_are_stored_with_the_task_and_the_task_is_done(services) -> None:
    add_night(services, 1)
    add_agent(services, "a1")
    task_id = claimed(services)
    observed = "2024-05-10T09:00:00+03:00"
    receipt = submit_result(
        services,
        "a1",
        task_id,
        TaskResult(prices=[price("1899.00", old_price="2499", observed_at=observed, external_id="wb-1")]),
    )
    assert (receipt.status, receipt.kept, receipt.refused) == (TaskStatus.DONE, 1, ())
    [stored] = services.unit_of_work.watcher.prices.values()
    assert stored.task_id == task_id and stored.observation.agent_id == "a1"
    assert stored.observation.price == Decimal("1899.00") and stored.observation.discount_percent == Decimal("24.01")
    assert stored.observation.observed_at.isoformat() == "2024-05-10T06:00:00+00:00"
    task = services.unit_of_work.watcher.tasks[task_id]
    assert (task.status, task.completed_at, task.lease_until) == (TaskStatus.DONE, services.clock.now(), None)


def test_an_observation_without_a_time_is_dated_now_and_one_out_of_stock_may_lack_a_price(services) -> None:
    add_night(services, 1)
    add_agent(services, "a1")
    task_id = claimed(services)
    receipt = submit_result(services, "a1", task_id, TaskResult(prices=[{"price": None, "in_stock": False}]))
    assert receipt.kept == 1
    [stored] = services.unit_of_work.watcher.prices.values()
    assert stored.observation.observed_at == services.clock.now() and stored.observation.in_stock is False


def test_malformed_price_items_are_refused_naming_the_field_and_counted_while_the_rest_are_kept(services) -> None:
    add_night(services, 2)
    add_agent(services, "a1")
    task_id = claimed(services)
    items: list[object] = [
        price("100.00"),
        {"price": "abc", "in_stock": True},
        price("0"),
        {"prcie": Decimal("10"), "in_stock": True},
        {"price": 99.9, "in_stock": True},
        {"price": Decimal("10"), "in_stock": None},
        price("10", observed_at="2024-05-10T09:00:00"),
        price("10", competitor_product_id=2),
        price("10.005"),
        price("10000000000"),
        price("10", discount_percent=100),
        "not an object",
        price("101.50", observed_at="2024-05-10T08:00:00Z"),
    ]
    receipt = submit_result(services, "a1", task_id, TaskResult(prices=items))
    errors = {item.index: item.error for item in receipt.refused}
    assert receipt.kept == 2 and receipt.status is TaskStatus.DONE
    assert sorted(errors) == list(range(1, 12))
    expected = {
        1: "price='abc' is not a number",
        2: "price=0 must be > 0",
        3: "unknown field prcie=Decimal('10')",
        4: "price=99.9 is a float",
        5: "in_stock=None must be true or false",
        6: "observed_at='2024-05-10T09:00:00' has no time zone",
        7: f"competitor_product_id=2 is not task {task_id}'s product 1",
        8: "price=Decimal('10.005') has more than 2 decimal places",
        9: "price=Decimal('10000000000') must be below 10000000000",
        10: "discount_percent=100 must be in [0, 100)",
        11: "item='not an object' must be a JSON object",
    }
    for index, text in expected.items():
        assert errors[index].startswith(f"prices[{index}]: ") and text in errors[index], errors[index]
    kept = sorted(s.observation.price for s in services.unit_of_work.watcher.prices.values())
    assert kept == [Decimal("100.00"), Decimal("101.50")]
    state = services.watcher_stats.read_agent_state("a1")
    assert state["refused_prices"] == "11" and "prices[11]" in state["last_refusal"]


def test_a_result_whose_every_item_is_refused_fails_the_task_and_requeues_it(services) -> None:
    add_night(services, 1)
    add_agent(services, "a1")
    task_id = claimed(services)
    receipt = submit_result(services, "a1", task_id, TaskResult(prices=[price("-5")]))
    assert (receipt.status, receipt.kept, receipt.retry_count) == (TaskStatus.PENDING, 0, 1)
    assert "every price item was refused; first: prices[0]: price=-5" in (
        services.unit_of_work.watcher.tasks[task_id].error or ""
    )
    assert services.parsing_queue.pop(WB) == task_id and not services.unit_of_work.watcher.prices


def test_a_result_for_a_task_the_agent_does_not_hold_changes_nothing(services) -> None:
    add_night(services, 2)
    add_agent(services, "a1")
    add_agent(services, "a2")
    held_by_a2 = claimed(services, "a2")
    pending = next(i for i, s in tasks(services).items() if s is TaskStatus.PENDING)
    before = services.unit_of_work.watcher.snapshot()
    queue_before = services.parsing_queue.length(WB)
    for task_id in (held_by_a2, pending):
        for result in (TaskResult(prices=[price()]), TaskResult(error="timeout")):
            with pytest.raises(TaskNotHeld, match="agent_id='a1' does not hold task"):
                submit_result(services, "a1", task_id, result)
    assert services.unit_of_work.watcher.snapshot() == before
    assert services.parsing_queue.length(WB) == queue_before
    assert services.watcher_stats.read_agent_state("a1") == {}


def test_a_second_report_of_a_done_task_is_refused_and_changes_nothing(services) -> None:
    add_night(services, 1)
    add_agent(services, "a1")
    task_id = claimed(services)
    submit_result(services, "a1", task_id, TaskResult(prices=[price()]))
    with pytest.raises(TaskNotHeld):
        submit_result(services, "a1", task_id, TaskResult(prices=[price("1.00")]))
    assert len(services.unit_of_work.watcher.prices) == 1


def test_an_unknown_task_is_refused_and_counted(services) -> None:
    add_agent(services, "a1")
    for _ in range(2):
        with pytest.raises(UnknownParsingTask, match="task_id=404 does not exist"):
            submit_result(services, "a1", 404, TaskResult(prices=[price()]))
    assert services.watcher_stats.read_agent_state("a1")["unknown_tasks"] == "2"


def test_an_error_sends_the_task_to_the_tail_and_the_third_failure_marks_it_failed(services) -> None:
    first, second = add_night(services, 2)
    add_agent(services, "a1")
    order = []
    for attempt in (1, 2, 3):
        while (offer := next_task(services, "a1").task) is not None and offer.task_id != first:
            submit_result(services, "a1", offer.task_id, TaskResult(prices=[price()]))  # the other task: done
        assert offer is not None and offer.attempt == attempt
        receipt = submit_result(services, "a1", first, TaskResult(error=f"captcha-free timeout {attempt}"))
        order.append((receipt.status, receipt.retry_count))
    assert order == [(TaskStatus.PENDING, 1), (TaskStatus.PENDING, 2), (TaskStatus.FAILED, 3)]
    task = services.unit_of_work.watcher.tasks[first]
    assert (task.status, task.error, task.agent_id) == (TaskStatus.FAILED, "captcha-free timeout 3", "a1")
    assert services.parsing_queue.length(WB) == 0 and tasks(services)[second] is TaskStatus.DONE


def test_a_failed_task_goes_behind_the_tasks_already_waiting(services) -> None:
    first, second, third = add_night(services, 3)
    add_agent(services, "a1")
    assert claimed(services) == first
    submit_result(services, "a1", first, TaskResult(error="page did not load"))
    assert [services.parsing_queue.pop(WB) for _ in range(3)] == [second, third, first]


@pytest.mark.parametrize(
    ("prices", "error", "says"),
    [
        (None, None, "either prices or an error"),
        ([{"price": "1"}], "boom", "either prices or an error"),
        ([], None, "prices=[]"),
        (None, "   ", "must be 1 to 2000 characters"),
    ],
)
def test_a_result_carries_prices_or_an_error(prices, error, says) -> None:
    with pytest.raises(ProtocolRefused, match=says.replace("[", r"\[").replace("]", r"\]")):
        TaskResult(prices=prices, error=error)


@given(
    cents=st.integers(min_value=1, max_value=999_999_999_999),
    extra=st.integers(min_value=1, max_value=9),
)
def test_prices_to_the_kopeck_below_the_limit_are_kept_and_finer_ones_refused(cents: int, extra: int) -> None:
    services = AgentFakeServices()
    add_night(services, 1)
    add_agent(services, "a1")
    task_id = claimed(services)
    exact = Decimal(cents).scaleb(-2)
    finer = exact + Decimal(extra).scaleb(-3)
    receipt = submit_result(services, "a1", task_id, TaskResult(prices=[price(str(exact)), price(str(finer))]))
    assert receipt.kept == 1 and [item.index for item in receipt.refused] == [1]
    [stored] = services.unit_of_work.watcher.prices.values()
    assert stored.observation.price == exact


# panic


def test_panic_queues_handle_panic_mode_and_blocks_nothing_itself(services) -> None:
    add_agent(services, "a1")
    job = report_panic(services, "a1", "captcha", {"ip": "2001:DB8::7", "url": "https://wb.example/1"})
    assert services.queue.enqueued == [
        (
            HANDLE_PANIC,
            {"agent_id": "a1", "reason": "captcha", "details": {"ip": "2001:db8::7", "url": "https://wb.example/1"}},
        )
    ]
    assert job == services.queue.options[0]["task_id"]
    assert (
        services.ip_blocks.blocked() == [] and services.unit_of_work.watcher.agents["a1"].status is AgentStatus.ONLINE
    )


def test_panic_is_refused_for_an_unknown_agent_a_blank_reason_or_a_bad_ip(services) -> None:
    add_agent(services, "a1")
    with pytest.raises(UnknownAgent):
        report_panic(services, "ghost", "ban")
    with pytest.raises(ProtocolRefused, match="reason=' '"):
        report_panic(services, "a1", " ")
    with pytest.raises(ProtocolRefused, match=r"details\.ip='proxy-7'"):
        report_panic(services, "a1", "ban", {"ip": "proxy-7"})
    assert services.queue.enqueued == []


# tokens


def test_an_agent_token_is_stored_only_as_its_hash_and_finds_its_one_agent(services) -> None:
    token = add_agent(services, "a1")
    add_agent(services, "a2")
    tables = services.unit_of_work.watcher
    assert tables.token_hashes["a1"] == hash_token(token) != token
    assert token not in repr(vars(tables))
    found = authenticate_agent(services, token)
    assert found is not None and found.id == "a1"
    assert authenticate_agent(services, token + "x") is None and authenticate_agent(services, "short") is None


def test_registration_issues_a_token_when_none_is_given(services) -> None:
    token = register_agent(services, Agent("a1", "night agent", WB))
    assert len(token) >= 32 and authenticate_agent(services, token).id == "a1"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("agent", "token", "says"),
    [
        (Agent("a1", "again", WB), "t" * 40, "agent_id='a1' is already registered"),
        (Agent("a2", "same token", WB), "token-of-a1-" + "x" * 32, "belongs to another agent"),
        (Agent("a3", "short", WB), "secret-but-short", "token length=16"),
        (Agent("a4", "spaces", WB), "secret with spaces " + "y" * 20, "printable ASCII without spaces"),
        (Agent("a/5", "slash", WB), "z" * 40, "must not contain '/'"),
        (Agent("", "empty", WB), "z" * 40, "agent_id='' must be 1 to 64"),
    ],
)
def test_registration_is_refused_without_showing_the_token(services, agent, token, says) -> None:
    add_agent(services, "a1")
    with pytest.raises(AgentRegistrationRefused, match=says.replace("[", r"\[")) as refused:
        register_agent(services, agent, token)
    assert token not in str(refused.value)
    assert set(services.unit_of_work.watcher.agents) == {"a1"}
