"""The agent protocol (issue 10, "Parsing agents are separate processes"): what a parsing agent
asks of ADOLF over HTTP — heartbeat, next task, result, panic. The HTTP routes
(``entrypoints/http_watcher_agents.py``) authenticate the agent and call these.

- ``heartbeat``: the agent is alive (offline → online), its IP, cookie state and metrics are
  stored; the reply tells it its status and whether its IP is blocked. An agent in panic
  stays in panic while it beats; it says ``recovered`` once its IP block is over (while the
  block lasts the flag is ignored and the reply says the IP is blocked).
- ``next_task``: pops ``watcher:task_queue:{mp}`` (atomic: two agents never get one id),
  skips ids whose task is no longer pending (the queue is a work list, the database the
  record), claims the task with a lease. An agent in panic or offline, or whose IP is
  blocked, gets no task and is told why; nothing is popped then. An agent with a marketplace
  takes only that marketplace's tasks.
- ``submit_result``: only for a task the agent holds (``TaskNotHeld`` otherwise, nothing
  changed). Prices: every valid item is stored with the task id and the task is done; a
  malformed item is refused naming the field and the value (``price_reports``) and counted;
  when every item is refused the task fails as if the agent had reported an error. An error:
  the task fails (``domain.watcher.tasks.fail``), goes back to the queue's tail, or is
  ``failed`` at the third failure. An unknown task id is refused and counted.
  Optional ``competitor_bids`` (``bid_reports``: keyword id → the bids its search page
  showed) ride with either: each valid keyword's bids go to Marketing through
  ``MarketingHandoff.competitor_bids_observed`` (the bids its bid cycle reads), a malformed
  entry is refused and counted. They are handed over *before* the task's state is recorded,
  and only for a task the agent holds: storing bids is idempotent, so a failure in between
  leaves the agent holding its task and free to send the same result again; the reverse
  order would leave the task done and the bids lost (a second send answers 409). The one
  window left — the task taken from the agent between the two steps (its lease ran out) —
  keeps the bids, which are what the page showed all the same, and answers 409.
- ``report_panic``: queues ``watcher.handle_panic_mode`` (status, log, IP block,
  redistribution, admins told); nothing is blocked here.

Refusals are counted in the agent's state hash (``watcher:agent:{id}:state``:
``refused_prices``, ``refused_bids``, ``unknown_tasks``, ``last_refusal``), best effort: a counter never turns a
stored result into an error. Queue pushes happen after the commit, so an agent popping the id
finds the task pending.

Known limits: a push failing after its commit (Redis down between the two) leaves a pending
task off the queue until the night is generated again or an operator re-queues it; and as the
queue may hold an id twice, two agents popping both copies at the same instant could both
claim the task on PostgreSQL (the repository's ``save`` is unconditional) — the later save
wins and the other agent's result is answered 409, so no price is stored twice.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from adolf.application.watcher.bid_reports import RefusedBids, read_bids
from adolf.application.watcher.ports import WatcherServices
from adolf.application.watcher.price_reports import RefusedItem, read_items
from adolf.domain.errors import DomainError
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher import agents as agent_rules
from adolf.domain.watcher.agents import Agent, AgentStatus
from adolf.domain.watcher.tasks import (
    DEFAULT_LEASE_SECONDS,
    AgentCannotClaim,
    ParsingTask,
    TaskStatus,
    claim,
    complete,
    ensure_held,
    fail,
)

log = logging.getLogger(__name__)

HANDLE_PANIC = "watcher.handle_panic_mode"
MAX_SKIPS = 100  # stale ids popped in one request before the agent is told to ask again
MAX_REASON = 500
MAX_ERROR = 2000


class UnknownAgent(DomainError):
    """No agent has this id."""


class UnknownParsingTask(DomainError):
    """No parsing task has this id."""


class ProtocolRefused(DomainError):
    """A request an agent may not make as sent (another marketplace, a bad IP, an empty
    result); the message names the field and the value."""


@dataclass(frozen=True, slots=True)
class HeartbeatReply:
    agent_id: str
    status: AgentStatus
    last_heartbeat: datetime | None
    ip: str | None
    ip_blocked: bool
    cookies_valid: bool


@dataclass(frozen=True, slots=True)
class TaskOffer:
    task_id: int
    competitor_product_id: int
    external_id: str
    url: str | None
    marketplace: Marketplace
    scheduled_date: date
    lease_until: datetime
    attempt: int  # 1 for a fresh task, 2 and 3 after failures


@dataclass(frozen=True, slots=True)
class NextTask:
    task: TaskOffer | None
    reason: str | None = None  # why there is no task
    skipped: int = 0  # ids popped whose task was no longer pending


@dataclass(frozen=True, slots=True)
class TaskResult:
    """Exactly one of: ``prices`` (items as ``price_reports`` reads them) or ``error``; with
    either, optionally ``competitor_bids`` (as ``bid_reports`` reads them)."""

    prices: Sequence[object] | None = None
    error: str | None = None
    competitor_bids: object | None = None

    def __post_init__(self) -> None:
        if (self.prices is None) == (self.error is None):
            raise ProtocolRefused("a result carries either prices or an error, not both and not neither")
        if self.prices is not None and not self.prices:
            raise ProtocolRefused("prices=[]: report at least one price, or an error saying what went wrong")
        if self.error is not None and (not self.error.strip() or len(self.error) > MAX_ERROR):
            raise ProtocolRefused(f"error={self.error[:80]!r} must be 1 to {MAX_ERROR} characters, not blank")


@dataclass(frozen=True, slots=True)
class ResultReceipt:
    task_id: int
    status: TaskStatus  # done; pending (failed, re-queued); failed (third failure)
    retry_count: int
    kept: int
    refused: tuple[RefusedItem, ...] = ()
    bids_kept: int | None = None  # keywords whose competitor bids went to Marketing; None: none sent
    bids_refused: tuple[RefusedBids, ...] = ()


def heartbeat(
    services: WatcherServices,
    agent_id: str,
    ip: str | None = None,
    metrics: Mapping[str, Any] | None = None,
    cookies_valid: bool | None = None,
    *,
    recovered: bool = False,
) -> HeartbeatReply:
    now = services.clock.now()
    address = _ip(ip, "ip")
    with services.uow() as uow:
        agent = _agent(uow.watcher_agents.get(agent_id), agent_id)
        change = agent_rules.heartbeat(agent, now, ip=address, cookies_valid=cookies_valid)
        events = [change.event]
        beaten = change.agent
        blocked = beaten.ip is not None and services.ip_blocks.is_blocked(beaten.ip)
        if recovered and beaten.status is AgentStatus.PANIC and not blocked:
            back = agent_rules.recover(beaten, now)
            beaten, events = back.agent, [*events, back.event]
        uow.watcher_agents.save(beaten, dict(metrics) if metrics is not None else None)
        for event in events:
            if event is not None:
                uow.watcher_agents.add_event(event)
        uow.commit()
    return HeartbeatReply(agent_id, beaten.status, beaten.last_heartbeat, beaten.ip, blocked, beaten.cookies_valid)


def next_task(
    services: WatcherServices,
    agent_id: str,
    marketplace: Marketplace | None = None,
    lease_seconds: int = DEFAULT_LEASE_SECONDS,
) -> NextTask:
    with services.uow() as uow:
        agent = _agent(uow.watcher_agents.get(agent_id), agent_id)
    market = _marketplace(agent, marketplace)
    refusal = _why_no_work(services, agent)
    if refusal is not None:
        return NextTask(None, refusal)
    skipped = 0
    for _ in range(MAX_SKIPS):
        task_id = services.parsing_queue.pop(market)
        if task_id is None:
            return NextTask(None, f"no task waiting in the {market.value} queue", skipped)
        try:
            offer = _claim(services, agent_id, task_id, market, lease_seconds)
        except AgentCannotClaim as exc:  # its status changed since we looked: the id goes back
            services.parsing_queue.push_front(market, [task_id])
            return NextTask(None, str(exc), skipped)
        except BaseException:
            services.parsing_queue.push_front(market, [task_id])  # nothing claimed: not lost
            raise
        if offer is not None:
            return NextTask(offer, None, skipped)
        skipped += 1
    return NextTask(None, f"skipped {skipped} ids of tasks no longer pending; ask again", skipped)


def submit_result(services: WatcherServices, agent_id: str, task_id: int, result: TaskResult) -> ResultReceipt:
    bids: tuple[int | None, tuple[RefusedBids, ...]] | None = (None, ())
    if result.competitor_bids is not None:
        bids = _hand_bids(services, agent_id, task_id, result.competitor_bids)
    recorded = _record(services, agent_id, task_id, result) if bids is not None else None
    if recorded is None or bids is None:
        _count(services, agent_id, "unknown_tasks", 1, f"task_id={task_id} does not exist")
        raise UnknownParsingTask(f"task_id={task_id} does not exist")
    if recorded.status is TaskStatus.PENDING:
        services.parsing_queue.push(recorded.marketplace, [recorded.id])
    receipt = ResultReceipt(
        recorded.id, recorded.status, recorded.retry_count, recorded.kept, recorded.refused, bids[0], bids[1]
    )
    if receipt.refused:
        _count(
            services, agent_id, "refused_prices", len(receipt.refused), f"task {task_id}: {receipt.refused[-1].error}"
        )
    if receipt.bids_refused:
        last = receipt.bids_refused[-1].error
        _count(services, agent_id, "refused_bids", len(receipt.bids_refused), f"task {task_id}: {last}")
    return receipt


def _hand_bids(
    services: WatcherServices, agent_id: str, task_id: int, raw: object
) -> tuple[int | None, tuple[RefusedBids, ...]] | None:
    """The result's competitor bids handed to Marketing: (keywords stored, refusals); None
    for an unknown task; ``TaskNotHeld`` (nothing stored) unless the agent holds it."""
    with services.uow() as uow:
        task = uow.watcher_tasks.get(task_id)
    if task is None:
        return None
    ensure_held(task, agent_id)
    kept, refused = read_bids(raw)
    stored = (
        services.marketing_handoff.competitor_bids_observed(task.marketplace, kept, services.clock.now()) if kept else 0
    )
    return stored, tuple(refused)


@dataclass(frozen=True, slots=True)
class _Recorded:
    id: int
    marketplace: Marketplace
    status: TaskStatus
    retry_count: int
    kept: int
    refused: tuple[RefusedItem, ...]


def _record(services: WatcherServices, agent_id: str, task_id: int, result: TaskResult) -> _Recorded | None:
    """The task's new state, stored with the valid prices in one transaction; None for an
    unknown task; ``TaskNotHeld`` (nothing written) unless the agent holds it."""
    now = services.clock.now()
    refused: list[RefusedItem] = []
    kept = 0
    with services.uow() as uow:
        task = uow.watcher_tasks.get(task_id)
        if task is None:
            return None
        ensure_held(task, agent_id)
        if result.prices is not None:
            products = uow.watcher_catalog.competitor_products([task.competitor_product_id])
            product = products.get(task.competitor_product_id)
            observations, refused = read_items(result.prices, task, product, agent_id, now)
            kept = len(observations)
            if observations:
                uow.watcher_prices.add(observations, task_id=task.id)
                updated = complete(task, agent_id, now)
            else:
                updated = fail(task, agent_id, f"every price item was refused; first: {refused[0].error}")
        else:
            updated = fail(task, agent_id, result.error or "")
        uow.watcher_tasks.save(updated)
        uow.commit()
    return _Recorded(updated.id, updated.marketplace, updated.status, updated.retry_count, kept, tuple(refused))


def report_panic(
    services: WatcherServices, agent_id: str, reason: str, details: Mapping[str, str] | None = None
) -> str:
    """Queue ``watcher.handle_panic_mode``; the id of the queued job."""
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
        raise ProtocolRefused(f"reason={str(reason)[:80]!r} must be 1 to {MAX_REASON} characters, not blank")
    facts = dict(details or {})
    if "ip" in facts:
        facts["ip"] = _ip(facts["ip"], "details.ip") or ""
    with services.uow() as uow:
        _agent(uow.watcher_agents.get(agent_id), agent_id)
    return services.queue.enqueue(HANDLE_PANIC, {"agent_id": agent_id, "reason": reason, "details": facts})


def _claim(
    services: WatcherServices, agent_id: str, task_id: int, market: Marketplace, lease_seconds: int
) -> TaskOffer | None:
    """Claim the popped task; None when it is not a pending task of this marketplace."""
    with services.uow() as uow:
        task = uow.watcher_tasks.get(task_id)
        if task is None or task.status is not TaskStatus.PENDING or task.marketplace is not market:
            return None
        product = uow.watcher_catalog.competitor_products([task.competitor_product_id]).get(task.competitor_product_id)
        if product is None:
            return None
        agent = _agent(uow.watcher_agents.get(agent_id), agent_id)
        claimed = claim(task, agent, services.clock.now(), lease_seconds)
        uow.watcher_tasks.save(claimed)
        uow.commit()
    return _offer(claimed, product.external_id, product.url)


def _offer(task: ParsingTask, external_id: str, url: str | None) -> TaskOffer:
    assert task.lease_until is not None  # a claimed task has a lease
    return TaskOffer(
        task.id,
        task.competitor_product_id,
        external_id,
        url,
        task.marketplace,
        task.scheduled_date,
        task.lease_until,
        task.retry_count + 1,
    )


def _why_no_work(services: WatcherServices, agent: Agent) -> str | None:
    if agent.status is AgentStatus.PANIC:
        return f"agent {agent.id} is in panic: no tasks until it reports recovered in a heartbeat"
    if agent.status is AgentStatus.OFFLINE:
        return f"agent {agent.id} is offline: send a heartbeat first"
    if agent.ip is not None and services.ip_blocks.is_blocked(agent.ip):
        return f"ip={agent.ip} of agent {agent.id} is blocked (captcha or ban); no tasks until the block ends"
    return None


def _marketplace(agent: Agent, asked: Marketplace | None) -> Marketplace:
    if asked is None:
        if agent.marketplace is None:
            raise ProtocolRefused(f"marketplace=None: agent {agent.id} parses any marketplace, so name one")
        return agent.marketplace
    if agent.marketplace is not None and asked is not agent.marketplace:
        raise ProtocolRefused(f"marketplace={asked.value!r}: agent {agent.id} parses {agent.marketplace.value!r} only")
    return asked


def _agent(found: Agent | None, agent_id: str) -> Agent:
    if found is None:
        raise UnknownAgent(f"agent_id={agent_id!r} does not exist")
    return found


def _ip(raw: str | None, name: str) -> str | None:
    """The address in its one canonical text (the IP block key must match however it was written)."""
    if raw is None:
        return None
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except (ValueError, AttributeError):
        raise ProtocolRefused(f"{name}={str(raw)[:80]!r} is not an IPv4 or IPv6 address") from None


def _count(services: WatcherServices, agent_id: str, counter: str, by: int, last: str) -> None:
    try:
        state: dict[str, str | int] = dict(services.watcher_stats.read_agent_state(agent_id))
        before = str(state.get(counter, "0"))
        state[counter] = (int(before) if before.isdigit() else 0) + by
        state["last_refusal"] = last[:500]
        services.watcher_stats.write_agent_state(agent_id, state)
    except Exception as exc:  # noqa: BLE001 — a counter must not turn a stored result into an error
        log.warning("agent %s: %s not counted: %s: %s", agent_id, counter, type(exc).__name__, exc)
