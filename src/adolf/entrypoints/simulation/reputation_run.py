"""Reputation in ``adolf simulate``: which of its fires the run drives, and the simulated manager.

Fires. Every Reputation job runs on its catalogue schedule (``REPUTATION_CATALOGUE``, Moscow
time) — ``retry_failed_publish`` on the hour, the day's analytics at 01:00, the archive at
02:00 — and its event jobs (``analyze_item``, ``generate_response``, ``send_response``,
``regenerate_response``) run when the job or the manager before them queues them. Two are
thinned for run time (``drives``), as Watcher's every-minute jobs and Logistic's stock sync are:

* the six polls run every ``POLL_EVERY`` minutes (their 50 s stagger kept) instead of every 5,
  except around the outage (``CLOSE_WATCH``: 13:30–16:00 Moscow on the first day), where every
  5-minute poll runs, so the Ozon breakers' closed → open → half-open → open … → closed shows
  as in a deployment. Every 5 minutes all week would be 12 000 polls, most of them fetching
  again what the last one fetched; an item still waits at most ``POLL_EVERY`` minutes to be
  fetched, a small part of its wait for a manager;
* ``office_heartbeat`` on the hour, not every minute (no dashboard watches a simulated office).

The manager (``MANAGER`` events, ``ROUNDS`` a day: 10:00, 13:00, 16:00 and 19:00 Moscow) works
through every item ``pending_review`` as the brand's manager would over HTTP or ``adolf
reputation``, through ``manager_actions``. What happens to an item is drawn from the seed and the
item (``decide``), so a run repeats exactly: most are approved as drafted; some are edited and
approved with the manager's own text (``edit_and_approve``, source ``manager``); a few are
skipped; the first ``REGENERATE_MAX`` drawn for it are sent back to the model with instructions
(``request_regenerate``) and approved at the next round. The item whose publish the fault plan
fails twice (``reputation_setup``) is always approved. A round never falls inside the outage,
so no Ozon answer is sent while Ozon is down.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from adolf.application.catalogue import TaskSpec
from adolf.application.reputation import manager_actions
from adolf.application.reputation.catalogue import POLLS
from adolf.application.reputation.manager_actions import WrongState
from adolf.domain.alerts.users import Role, User
from adolf.domain.reputation.errors import InvalidReputation
from adolf.domain.reputation.items import Item, ItemType
from adolf.entrypoints.simulation.reputation_setup import MOSCOW, outage_window

MANAGER = "reputation:manager"
ROUNDS = (time(10, 0), time(13, 0), time(16, 0), time(19, 0))
POLL_EVERY = 15  # minutes between the thinned polls
CLOSE_WATCH = (timedelta(minutes=-30), timedelta(minutes=60))  # before the outage's start, after its end
POLL_TASKS = frozenset(f"reputation.poll_{which}" for which in POLLS)
HEARTBEAT = "reputation.office_heartbeat"
HEARTBEAT_EVERY = 60  # minutes
SKIP, EDIT, REGENERATE = 6, 20, 24  # the draw (0–99) below each: skipped, edited, regenerated; else approved
REGENERATE_MAX = 2
ALL = 100_000
INSTRUCTIONS = "Короче и официальнее, извинитесь за ожидание"
OWN_WORDS = {
    ItemType.REVIEW: "Здравствуйте! Спасибо, что нашли время написать отзыв. Мы прочитали его внимательно "
    "и передали команде бренда — это помогает нам становиться лучше. Будем рады видеть вас снова!",
    ItemType.QUESTION: "Здравствуйте! Спасибо за вопрос. Подробное описание, размеры и состав указаны в "
    "карточке товара; если что-то осталось неясным, напишите нам ещё раз — ответим.",
}


def drives(spec: TaskSpec, at: datetime, start: datetime) -> bool:
    """Whether the run fires ``spec`` at ``at`` in a run starting at ``start`` (the rule above;
    other modules: always)."""
    if spec.module != "reputation" or spec.schedule is None:
        return True
    if spec.name == HEARTBEAT:
        return at.astimezone(MOSCOW).minute % HEARTBEAT_EVERY == 0
    if spec.name not in POLL_TASKS:
        return True
    begin, end = outage_window(start.astimezone(MOSCOW).date())
    if begin + CLOSE_WATCH[0] <= at < end + CLOSE_WATCH[1]:
        return True
    slot = at - timedelta(seconds=spec.schedule.offset)
    return slot.astimezone(MOSCOW).minute % POLL_EVERY == 0


def events(start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    """The manager's rounds within [start, end)."""
    found = []
    day = start.astimezone(MOSCOW).date()
    while datetime.combine(day, time.min, MOSCOW) < end:
        for moment in ROUNDS:
            at = datetime.combine(day, moment, MOSCOW).astimezone(UTC)
            if start <= at < end:
                found.append((at, MANAGER))
        day += timedelta(days=1)
    return found


def decide(seed: int, item: Item) -> str:
    """skip, edit, regenerate or approve, drawn from the seed and the item (the run repeats)."""
    draw = zlib.crc32(f"{seed}:{item.platform.value}:{item.item_type.value}:{item.external_id}".encode()) % 100
    if draw < SKIP:
        return "skip"
    if draw < EDIT:
        return "edit"
    if draw < REGENERATE:
        return "regenerate"
    return "approve"


@dataclass
class ManagerLedger:
    """What the simulated manager did, for the report."""

    rounds: list[dict[str, Any]] = field(default_factory=list)  # per round: when, pending, each action's count
    approved: int = 0
    edited: int = 0
    regenerated: list[int] = field(default_factory=list)  # item ids sent back to the model
    skipped: int = 0
    conflicts: int = 0  # an action found the item moved on (WrongState)
    refused: int = 0  # the manager's words failed the draft checks
    # fires of the run: task → [(at, task id)]; their final statuses as the run saw them (workers)
    results: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    statuses: dict[str, Any] = field(default_factory=dict)


class ReputationDriver:
    """The run's Reputation events on one marketplace (see the module's docstring)."""

    def __init__(self, container: Any, seed: int, market: Any, failing: frozenset[str]) -> None:
        self.container = container
        self.seed = seed
        self.market = market
        self.failing = failing  # external ids whose publish the fault plan fails
        self.ledger = ManagerLedger()
        self._mine: set[str] = set()  # the ids of Reputation's fires

    @property
    def services(self) -> Any:
        return self.container.services()

    def handles(self, name: str) -> bool:
        return name == MANAGER

    def defers(self, name: str) -> bool:
        """Whether jobs queued at this event wait for the run's next drain (inline: the
        manager's and Reputation's fires, whose retries must run on the simulated clock)."""
        return name == MANAGER or name.startswith("reputation.")

    def tick(self, at: datetime, name: str) -> None:
        if name == MANAGER:
            self.work_round(at)

    def enqueued(self, name: str, at: datetime, task_id: str) -> None:
        if name.startswith("reputation."):
            self.ledger.results.setdefault(name, []).append((at.isoformat(), task_id))
            self._mine.add(task_id)

    def finished(self, task_id: str, status: Any) -> None:
        """The job's final status as the run saw it (workers: RQ forgets a result after a while)."""
        if task_id in self._mine:
            self.ledger.statuses[task_id] = status

    # -- the manager -----------------------------------------------------------------------

    def managers(self) -> dict[str, User]:
        """Each brand's manager (the seeded users), the senior for a brand without one."""
        with self.services.uow() as uow:
            people = uow.users.active()
        senior = next(u for u in people if u.role is Role.SENIOR)
        brands = self.services.brands
        own = {u.brand: u for u in people if u.role is Role.MANAGER and u.brand in brands}
        return {brand: own.get(brand, senior) for brand in brands}

    def work_round(self, at: datetime) -> None:
        services = self.services
        managers = self.managers()
        cards = manager_actions.pending(services, None, limit=ALL)
        done = {"approve": 0, "edit": 0, "regenerate": 0, "skip": 0}
        for card in cards:
            item = card.item
            user = managers[item.brand]
            action = self.action(item, card.response)
            try:
                if action == "skip":
                    manager_actions.skip(services, item.id, user)
                    self.ledger.skipped += 1
                elif action == "edit":
                    manager_actions.edit_and_approve(services, item.id, OWN_WORDS[item.item_type], user)
                    self.ledger.edited += 1
                elif action == "regenerate":
                    manager_actions.request_regenerate(services, item.id, INSTRUCTIONS, user)
                    self.ledger.regenerated.append(item.id)
                else:
                    manager_actions.approve(services, item.id, user)
                    self.ledger.approved += 1
            except WrongState:
                self.ledger.conflicts += 1
                continue
            except InvalidReputation:
                self.ledger.refused += 1
                continue
            done[action] += 1
        self.ledger.rounds.append({"at": at.isoformat(), "pending": len(cards), **done})

    def action(self, item: Item, draft: Any) -> str:
        if item.external_id in self.failing or item.id in self.ledger.regenerated:
            return "approve"  # the planted failure must be sent; a redrafted answer is what was asked for
        if draft is not None and getattr(draft, "instructions", None):
            return "approve"
        chosen = decide(self.seed, item)
        if chosen == "regenerate" and len(self.ledger.regenerated) >= REGENERATE_MAX:
            return "approve"
        return chosen


def prepare_reputation(container: Any, options: Any, clock: Any) -> ReputationDriver:
    """The run's marketplace (``reputation_setup.build_marketplace``: the container's, on its
    store) and the manager's driver."""
    from adolf.entrypoints.simulation.reputation_setup import build_marketplace

    market = build_marketplace(container, options, clock)
    failing = frozenset(f.external_id for f in market.faults.failing_publishes)
    return ReputationDriver(container, options.seed, market, failing)
