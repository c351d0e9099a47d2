"""What ``adolf watcher …`` shows an operator, read through the ports in one unit of work
each: the agents with the work they did in a night, a night's tasks, and the highest
priorities with the four factors of each score.

Choices:
- "tonight" is ``night.night_of`` (from local noon on, today; before noon, yesterday): the
  tasks generated at 20:30 on D are worked through the night into D + 1, so at 03:00 the
  night that is running is yesterday's date, and "today's" tasks do not exist yet;
- a priority is listed as stored by the last ``calculate_priorities`` (04:00; what orders
  tonight's tasks) beside the score of the inputs as they are *now* (``score_priority``'s
  parts), so an operator sees both why a listing ranks where it does and whether it moved
  since. Only the listed products' inputs are read (``priority_inputs(since, ids)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from adolf.application.watcher.night import night_of
from adolf.application.watcher.ports import WatcherServices
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.agents import Agent, AgentStatus, is_stale
from adolf.domain.watcher.catalog import CompetitorProduct
from adolf.domain.watcher.priority import (
    PRIORITY_WINDOW_DAYS,
    PriorityInputs,
    PriorityScore,
    price_gap_percent,
    score_priority,
)
from adolf.domain.watcher.tasks import TaskStatus

MAX_TOP = 1_000


@dataclass(frozen=True, slots=True)
class AgentLine:
    agent: Agent
    done: int  # tasks of the night it completed
    stale: bool  # online, but no heartbeat within the timeout: sync_agent_status takes it offline


@dataclass(frozen=True, slots=True)
class PriorityLine:
    product: CompetitorProduct
    competitor: str | None  # the competitor's name
    our_sku: str | None
    stored: int  # as the last calculate_priorities wrote it
    inputs: PriorityInputs
    score: PriorityScore  # of the inputs as they are now
    gap_percent: Decimal | None  # latest competitor price against ours, signed


def tonight(services: WatcherServices) -> date:
    """The night being worked (or about to be): see the module's note."""
    return night_of(services.calendar, services.clock.now())


def agents_overview(services: WatcherServices, night: date) -> list[AgentLine]:
    now = services.clock.now()
    with services.uow() as uow:
        agents = uow.watcher_agents.all()
        done = uow.watcher_tasks.done_by_agent(night)
    return [
        AgentLine(agent, done.get(agent.id, 0), agent.status is AgentStatus.ONLINE and is_stale(agent, now))
        for agent in agents
    ]


def task_counts(services: WatcherServices, night: date) -> dict[Marketplace, dict[TaskStatus, int]]:
    """Every marketplace with tasks that night → every status → how many (0 included)."""
    with services.uow() as uow:
        counts = uow.watcher_tasks.counts(night)
    table: dict[Marketplace, dict[TaskStatus, int]] = {}
    for marketplace in Marketplace:
        if any(mp is marketplace for mp, _ in counts):
            table[marketplace] = {status: counts.get((marketplace, status), 0) for status in TaskStatus}
    return table


def priority_breakdown(services: WatcherServices, top: int) -> list[PriorityLine]:
    """The ``top`` highest stored priorities (ties by id), each with its factors now."""
    if not 1 <= top <= MAX_TOP:
        raise ValueError(f"top={top} must be 1 to {MAX_TOP}")
    since = services.clock.now() - timedelta(days=PRIORITY_WINDOW_DAYS)
    with services.uow() as uow:
        catalog = uow.watcher_catalog
        ranked = catalog.top_priorities(top)
        ids = [product.id for product, _ in ranked]
        inputs = catalog.priority_inputs(since, ids)
        competitors = catalog.competitors(sorted({product.competitor_id for product, _ in ranked}))
        ours = catalog.products(sorted({p.our_product_id for p, _ in ranked if p.our_product_id is not None}))
    lines = []
    for product, stored in ranked:
        facts = inputs.get(product.id)
        if facts is None:  # its competitor went inactive between the two reads
            continue
        competitor = competitors.get(product.competitor_id)
        our = ours.get(product.our_product_id) if product.our_product_id is not None else None
        lines.append(
            PriorityLine(
                product=product,
                competitor=competitor.name if competitor else None,
                our_sku=our.sku if our else None,
                stored=stored,
                inputs=facts,
                score=score_priority(facts),
                gap_percent=price_gap_percent(facts.latest_price, facts.our_price),
            )
        )
    return lines
