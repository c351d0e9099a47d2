"""The Watcher section of ``adolf simulate``'s report, read from Watcher's stores (and the
fleet's own ledger for what only the agents saw) once the run is over.

- ``tasks``: every night's parsing tasks by status (the night before the run included),
  per marketplace (``failed``: a page that did not load three times); ``redistributed``: tasks an agent held when it went silent or panicked,
  and how many of them another agent then finished;
- ``agents``: by status at the end, each with its tasks done, the events in its log and the
  refusals counted against it; the IPs blocked now;
- ``alerts``: by type and severity; ``priorities``: the scores ``calculate_priorities`` left
  (its last run), in bands of 20 with their average;
- ``handoffs``: dumping alerts handed to Marketing and the recommendations they produced
  (``application.marketing.dumping`` names its alert in each);
- ``competitor_bids``: the keyword bid lists the agents reported, and how many of the
  seller's keywords Marketing now holds Watcher-observed bids for.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

from adolf.adapters.marketplaces.simulated.competitor_prices import parse_listing
from adolf.application.marketing.dumping import KIND as DUMPING_RECOMMENDATION
from adolf.application.watcher.priorities import BANDS
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.alerts import AlertKind
from adolf.domain.watcher.tasks import TaskStatus
from adolf.entrypoints.simulation.watcher_agents import MOSCOW, AgentFleet

ALERT_OF = re.compile(r"Watcher alert (\d+)")
ALL_PRODUCTS = 10**7


def watcher_report(container: Any, options: Any, fleet: AgentFleet) -> dict[str, Any]:
    services = container.watcher_services()
    nights = [options.start - timedelta(days=1) + timedelta(days=n) for n in range(options.days + 1)]
    ledger = fleet.ledger
    with services.uow() as uow:
        tasks = _tasks(uow, nights)
        done_by: Counter[str] = Counter()
        for night in nights:
            done_by.update(uow.watcher_tasks.done_by_agent(night))
        lost = uow.watcher_tasks.get_many(sorted(ledger.held_when_lost))
        agents = uow.watcher_agents.all()
        events = {agent.id: uow.watcher_agents.events(agent.id, limit=10_000) for agent in agents}
        alerts = uow.watcher_alerts.counts(options.start_at, options.end_at + timedelta(seconds=1))
        priorities = [score for _product, score in uow.watcher_catalog.top_priorities(ALL_PRODUCTS)]
        catalogue = uow.watcher_catalog.counts()
    finished_by_others = Counter(
        task.agent_id or "?"
        for task_id, task in lost.items()
        if task.status is TaskStatus.DONE and task.agent_id != ledger.held_when_lost[task_id]
    )
    by_status = Counter(agent.status.value for agent in agents)
    return {
        "catalogue": catalogue,
        "nights": [night.isoformat() for night in nights],
        "tasks": {
            **tasks,
            "redistributed": {
                "given_back": len(ledger.held_when_lost),
                "finished_by_another_agent": sum(finished_by_others.values()),
                "by": dict(sorted(finished_by_others.items())),
            },
        },
        "agents": {
            "by_status": {status: by_status.get(status, 0) for status in ("online", "offline", "panic")},
            "each": [_agent_row(services, agent, done_by, events[agent.id]) for agent in agents],
            "ip_blocked": services.ip_blocks.blocked(),
            "silent": ledger.silent,
            "panics": ledger.panics,
            "refused_prices": ledger.refused_prices,
            "unknown_tasks": ledger.unknown_tasks,
            "page_errors": ledger.errors,
            "requests": ledger.requests,
        },
        "alerts": _alerts(alerts),
        "priorities": _priorities(priorities),
        "handoffs": _handoffs(container, nights, alerts),
        "competitor_bids": _bids(container, fleet, ledger.bids_reported),
    }


def _tasks(uow: Any, nights: list[date]) -> dict[str, Any]:
    by_status: Counter[str] = Counter()
    by_marketplace: dict[str, Counter[str]] = defaultdict(Counter)
    for night in nights:
        for (marketplace, status), count in uow.watcher_tasks.counts(night).items():
            by_status[status.value] += count
            by_marketplace[marketplace.value][status.value] += count
    return {
        "generated": sum(by_status.values()),
        **{status.value: by_status.get(status.value, 0) for status in TaskStatus},
        "by_marketplace": {mp: dict(sorted(c.items())) for mp, c in sorted(by_marketplace.items())},
    }


def _agent_row(services: Any, agent: Any, done_by: Counter[str], events: list[Any]) -> dict[str, Any]:
    state = services.watcher_stats.read_agent_state(agent.id)
    return {
        "id": agent.id,
        "marketplace": agent.marketplace.value if agent.marketplace else None,
        "status": agent.status.value,
        "last_heartbeat": agent.last_heartbeat.astimezone(MOSCOW).strftime("%a %H:%M:%S")
        if agent.last_heartbeat
        else None,
        "tasks_done": done_by.get(agent.id, 0),
        "events": dict(sorted(Counter(event.kind.value for event in events).items())),
        "refused_prices": int(state.get("refused_prices", 0)),
        "unknown_tasks": int(state.get("unknown_tasks", 0)),
    }


def _alerts(counts: dict[tuple[AlertKind, str], int]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for (kind, severity), count in sorted(counts.items(), key=lambda kv: (kv[0][0].value, kv[0][1])):
        found.setdefault(kind.value, {})[severity] = count
    return found


def _priorities(scores: list[int]) -> dict[str, Any]:
    return {
        "competitor_products": len(scores),
        "average": round(sum(scores) / len(scores), 1) if scores else None,
        "bands": {f"{low}-{high}": sum(low <= s <= high for s in scores) for low, high in BANDS},
    }


def _handoffs(container: Any, nights: list[date], alerts: dict[tuple[AlertKind, str], int]) -> dict[str, Any]:
    dumping = sum(count for (kind, _severity), count in alerts.items() if kind is AlertKind.DUMPING_DETECTED)
    recommendations = []
    with container.uow() as uow:
        for day in [*nights, nights[-1] + timedelta(days=1)]:
            recommendations += [r for r in uow.recommendations.for_day(day) if r.kind == DUMPING_RECOMMENDATION]
    alert_ids = {match.group(1) for r in recommendations if (match := ALERT_OF.search(r.message))}
    return {
        "dumping_alerts": dumping,
        "handed_to_marketing": len(alert_ids),
        "recommendations": len(recommendations),
        "campaigns": len({r.campaign_id for r in recommendations}),
    }


def _bids(container: Any, fleet: AgentFleet, reported: int) -> dict[str, Any]:
    keywords: dict[Marketplace, list[str]] = defaultdict(list)
    for listing, pages in fleet.world.search_pages.items():
        parsed = parse_listing(listing)
        if parsed is not None:
            keywords[parsed[0]] += pages
    held = 0
    with container.uow() as uow:
        for marketplace, ids in keywords.items():
            held += len(uow.competitor_bids.bids_for(marketplace, ids))
    return {"reported": reported, "keywords": sum(map(len, keywords.values())), "held_by_marketing": held}
