"""The Reputation section of ``adolf simulate``'s report, read from Reputation's stores, the
polls' results, the circuit breakers' logs, the manager's ledger and the simulated marketplace
once the run is over.

- ``polls``: per platform and item type, the polls run (thinned: ``reputation_run``) and what
  they answered: fetched, new, duplicates (fetched again, already stored), skipped (malformed
  rows), refused by an open breaker (``circuit_open``), failed for good;
- ``breakers``: each breaker's transitions in order (Moscow time), from the breaker's own log
  (in memory inline, Redis under Celery/RQ) — exactly one caller saw each;
- ``items``: items by platform and status; ``answers``: published, by whom the text was written
  (the model, or the manager's own words), the average and longest minutes from an item's
  creation to its answer's publication, drafts refused by the checks (items left ``analyzed``);
- ``publishing``: sends that failed (the marketplace's 502s and 503s), answers sent more than
  once before they went through, ``retry_failed_publish``'s runs, and the planted item: its
  attempts and its status;
- ``marketplace``: the simulated marketplace's own count of answers, calls refused during the
  outage, answers refused as already given, and the double posts — items answered twice, which
  the marketplace would show a buyer: 0, and our published answers equal its answers;
- ``manager``: the simulated manager's rounds and actions.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from adolf.application.ports.tasks import TaskState
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.circuit import breaker_key
from adolf.domain.reputation.items import ItemType, ResponseSource, ResponseStatus
from adolf.domain.reputation.lifecycle import ItemStatus
from adolf.entrypoints.simulation.reputation_run import ALL, POLL_TASKS, ReputationDriver
from adolf.entrypoints.simulation.reputation_setup import MOSCOW

POLL_COUNTS = ("fetched", "new", "duplicates", "skipped")
RETRY = "reputation.retry_failed_publish"


def reputation_report(container: Any, options: Any, driver: ReputationDriver) -> dict[str, Any]:
    services = container.services()
    with services.uow() as uow:
        counts = uow.reputation_items.counts()
        items = uow.reputation_items.listing(limit=ALL)
        answers = uow.reputation_responses.get_many([item.id for item in items])
        minutes = uow.reputation_responses.answer_minutes(options.start_at, options.end_at)
    market = driver.market
    counters = market.counters()
    published = [a for a in answers.values() if a.status is ResponseStatus.PUBLISHED]
    on_market = market.answers()
    return {
        "polls": _polls(container.task_queue(), driver),
        "breakers": _breakers(services.circuit_breaker),
        "items": {
            mp.value: {s.value: counts.get((mp, s), 0) for s in ItemStatus if counts.get((mp, s), 0)}
            for mp in Marketplace
        },
        "answers": {
            "published": len(published),
            "by_model": sum(1 for a in published if a.source is ResponseSource.MODEL),
            "by_manager": sum(1 for a in published if a.source is ResponseSource.MANAGER),
            "regenerated": sum(1 for a in published if a.instructions),
            "average_minutes": _average(minutes),
            "longest_minutes": str(max(minutes).quantize(Decimal("1"), ROUND_HALF_UP)) if minutes else None,
            "refused_drafts": sum(1 for i in items if i.status is ItemStatus.ANALYZED),
        },
        "publishing": {
            "send_failures": counters["publish_failures"],
            "sent_more_than_once": sum(1 for a in published if a.attempts > 1),
            "failed_now": sum(1 for i in items if i.status is ItemStatus.FAILED),
            "retry_runs": len(driver.ledger.results.get(RETRY, [])),
            "retried_by_retry_failed_publish": sum(r.get("retried", 0) for r in _results(container, driver, RETRY)),
            "planted": [_planted(f, items, answers) for f in market.faults.failing_publishes],
        },
        "marketplace": {
            "answers": len(on_market),
            "double_posts": len(on_market) - len({a.key for a in on_market}),
            "already_answered": counters["already_answered"],
            "published_equals_answers": len(published) == len(on_market),
            "outage_refusals": counters["outage_refusals"],
            "skipped_rows": counters["skipped_rows"],
            "outages": [
                {"platform": o.platform.value, "start": _local(o.start), "end": _local(o.end)}
                for o in market.faults.outages
            ],
        },
        "manager": _manager(driver),
    }


def _polls(queue: Any, driver: ReputationDriver) -> dict[str, dict[str, int]]:
    found: dict[str, Counter[str]] = {}
    for name in sorted(POLL_TASKS):
        which = name.removeprefix("reputation.poll_")
        tally = found.setdefault(which, Counter())
        for _, task_id in driver.ledger.results.get(name, []):
            tally["polls"] += 1
            status = driver.ledger.statuses.get(task_id) or queue.status(task_id)
            result = status.result if isinstance(status.result, dict) else {}
            if status.state is not TaskState.SUCCEEDED:
                tally["failed"] += 1
            elif result.get("status") == "circuit_open":
                tally["circuit_open"] += 1
            else:
                for key in POLL_COUNTS:
                    tally[key] += int(result.get(key, 0))
    return {
        which: {k: tally[k] for k in ("polls", *POLL_COUNTS, "circuit_open", "failed")}
        for which, tally in found.items()
    }


def _breakers(breaker: Any) -> dict[str, list[dict[str, str]]]:
    log = getattr(breaker, "transitions", None)
    if log is None:
        return {}
    found = {}
    for mp in Marketplace:
        for kind in ItemType:
            key = breaker_key(mp.value, kind.value)
            moves = [{"at": _local(t.at), "from": t.before.value, "to": t.after.value} for t in log(key)]
            found[key] = moves
    return found


def _results(container: Any, driver: ReputationDriver, name: str) -> list[dict[str, Any]]:
    queue = container.task_queue()
    out = []
    for _, task_id in driver.ledger.results.get(name, []):
        status = driver.ledger.statuses.get(task_id) or queue.status(task_id)
        if status.state is TaskState.SUCCEEDED and isinstance(status.result, dict):
            out.append(status.result)
    return out


def _planted(failing: Any, items: list[Any], answers: dict[int, Any]) -> dict[str, Any]:
    item = next(
        (
            i
            for i in items
            if i.platform is failing.platform
            and i.item_type is failing.item_type
            and i.external_id == failing.external_id
        ),
        None,
    )
    answer = answers.get(item.id) if item is not None else None
    return {
        "platform": failing.platform.value,
        "external_id": failing.external_id,
        "fails": failing.times,
        "item_id": item.id if item is not None else None,
        "status": item.status.value if item is not None else "not fetched",
        "attempts": answer.attempts if answer is not None else 0,
        "published_at": _local(answer.published_at) if answer is not None and answer.published_at else None,
    }


def _manager(driver: ReputationDriver) -> dict[str, Any]:
    ledger = driver.ledger
    return {
        "rounds": len(ledger.rounds),
        "reviewed": sum(r["pending"] for r in ledger.rounds),
        "approved": ledger.approved,
        "edited": ledger.edited,
        "regenerated": len(ledger.regenerated),
        "skipped": ledger.skipped,
        "conflicts": ledger.conflicts,
        "refused_own_words": ledger.refused,
        "each_round": [{**r, "at": _local(datetime.fromisoformat(r["at"]))} for r in ledger.rounds],
    }


def _average(minutes: list[Decimal]) -> str | None:
    if not minutes:
        return None
    return str((sum(minutes, Decimal(0)) / len(minutes)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _local(moment: datetime) -> str:
    return f"{moment.astimezone(MOSCOW):%Y-%m-%d %H:%M:%S}"
