"""Reputation on the parity suite's backends: one frozen instant of the simulated reviews, the
workers on ``reputation.default``, the outcome the domain's rules promise for each item, and
a ``send_response`` whose worker is killed in the middle of publishing.

Time is the simulation's (``ADOLF_CLOCK=simulated``, the instant in Redis) and stands still at
``NOW``, a Friday morning: the simulated marketplace's feed (seeded, the same in every process)
then holds a small, fixed set of WB reviews for both brands — a few manager's drafts, a few 5★
ones the auto-approving brand answers at once, one malformed row.

Loaded into workers (beside ``parity_tasks``) with
``ADOLF_EXTRA_CATALOGUES=…,tests.support.reputation_parity:CATALOGUE``: it adds one task,
``parity.reputation_send_response`` — the real ``publishing.send_response`` on the real task's
queue, retries and limits, with the marketplace port wrapped so that the *first* delivery of
the job for an item stops at a point the test chose (``pause``) and waits there to be killed:

- ``before_send``: after the outbox claim ``reputation.publish:{id}`` committed, before the
  marketplace is called;
- ``after_send``: after the marketplace stored the answer, before ``send_response`` records it.

Where it stopped is written to Redis (``ADOLF_TEST_REDIS_URL``) for the test to see; the
redelivered job finds the mark and goes through. The simulated marketplace has no such hook
and a worker builds its own port, so the hook is a task of a test catalogue, as
``logistic_parity``'s Ozon outage is.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from adolf.adapters.llm.local_reputation import LocalReputationModel
from adolf.adapters.marketplaces.simulated.reputation import SimulatedReputation
from adolf.adapters.marketplaces.simulated.timeline import MOSCOW
from adolf.application.bounds import Id
from adolf.application.catalogue import Catalogue
from adolf.application.reputation import publishing
from adolf.application.reputation.catalogue import DEFAULT, REPUTATION_CATALOGUE
from adolf.application.reputation.marketplace import PublishOutcome
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.auto_approve import may_skip_manager
from adolf.domain.reputation.draft_checks import check_draft
from adolf.domain.reputation.items import Item, ItemType, Response, ResponseSource, ResponseStatus
from adolf.domain.reputation.lifecycle import ItemStatus
from tests.integration.parity.harness import BackendHarness
from tests.integration.parity.harness_celery import wait_for_worker
from tests.support import processes
from tests.support.parity_tasks import evidence

NOW = datetime(2026, 2, 20, 8, 0, tzinfo=MOSCOW)
BRANDS = ("ohana_market", "ohana_kids")
AUTO_APPROVE = "ohana_kids"  # its 5★ reviews asking nothing skip the manager
SEED = 7  # ADOLF_SIM_SEED's default, which the workers use
SEND_PAUSING = "parity.reputation_send_response"
PAUSE = 30.0  # seconds a first delivery waits at its point; the test kills it long before
Pause = Literal["before_send", "after_send"]


def reached_key(item_id: int) -> str:
    return f"parity:reputation:reached:{item_id}"


def settings_env(worker_env: dict[str, str]) -> dict[str, str]:
    """The Reputation settings every process of a test runs with (workers and the test's own
    container), over the parity suite's."""
    return {
        "ADOLF_EXTRA_CATALOGUES": f"{worker_env['ADOLF_EXTRA_CATALOGUES']},tests.support.reputation_parity:CATALOGUE",
        "ADOLF_CLOCK": "simulated",
        "ADOLF_BRANDS": ",".join(BRANDS),
        "ADOLF_REPUTATION_AUTO_APPROVE": AUTO_APPROVE,
        "ADOLF_SIM_STATE": "database",
    }


# -- the first delivery stops where the test kills it ------------------------------------------


class PausingMarketplace:
    """The worker's marketplace; the first publish for ``item_id`` stops at ``pause``."""

    def __init__(self, real: Any, item_id: int, pause: Pause) -> None:
        self._real = real
        self._item_id = item_id
        self._pause = pause

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def publish(
        self, platform: Marketplace, item_type: ItemType, brand: str, external_id: str, text: str
    ) -> PublishOutcome:
        first = bool(evidence().set(f"parity:reputation:delivered:{self._item_id}", 1, nx=True))
        if first and self._pause == "before_send":
            self._wait("before_send")
        outcome: PublishOutcome = self._real.publish(platform, item_type, brand, external_id, text)
        if first and self._pause == "after_send":
            self._wait(f"after_send:{outcome.value}")
        return outcome

    def _wait(self, where: str) -> None:
        evidence().set(reached_key(self._item_id), where)
        time.sleep(PAUSE)
        raise AssertionError(f"item {self._item_id}: nobody killed the worker at {where} within {PAUSE} s")


class _WithPausingMarketplace:
    def __init__(self, services: Any, item_id: int, pause: Pause) -> None:
        self._services = services
        self.reputation_marketplace = PausingMarketplace(services.reputation_marketplace, item_id, pause)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._services, name)


def send_response_pausing(services: Any, item_id: Id, pause: Pause) -> dict[str, Any]:
    return publishing.send_response(_WithPausingMarketplace(services, item_id, pause), item_id)


CATALOGUE = Catalogue(
    [
        replace(
            REPUTATION_CATALOGUE.get("reputation.send_response"),
            name=SEND_PAUSING,
            handler=send_response_pausing,
            description="send_response whose first delivery stops before or after the marketplace call (tests only).",
        )
    ]
)


# -- workers on reputation.default --------------------------------------------------------------


def start_workers(harness: BackendHarness, count: int = 1) -> None:
    """``count`` worker processes of one job at a time on ``reputation.default`` (none for
    inline), owned by the harness (``kill_worker`` and ``stop`` reach them)."""
    backend: Any = harness
    if harness.name == "inline":
        return
    if harness.name == "celery":
        names = [backend.procs.worker(DEFAULT, 1) for _ in range(count)]
        for name in names:
            wait_for_worker(backend.container.celery_app(), name, backend.procs)
        return
    if harness.name == "rq":
        names = []
        for _ in range(count):
            name = f"reputation-{uuid.uuid4().hex[:10]}"
            log = (backend.logs / f"{name}.log").open("wb")
            proc = processes.spawn(
                [sys.executable, "-m", "adolf.entrypoints.rq_worker", "worker", "-q", DEFAULT, "--name", name],
                env=backend.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            backend._workers.append((proc, log))
            names.append(name)
        backend._wait_ready(names)
        return
    raise ValueError(f"backend {harness.name!r}: no Reputation workers for it")


# -- what the feed holds at NOW and what must become of it --------------------------------------


class _Frozen:
    def now(self) -> datetime:
        return NOW


def feed(platform: Marketplace, item_type: ItemType) -> tuple[dict[str, Item], int]:
    """The items a first poll fetches at ``NOW`` (every brand), by external id, and how many
    malformed rows it skips; read from the same seeded feed on a marketplace of its own, so
    nothing is counted on the shared one."""
    market = SimulatedReputation(SEED, _Frozen())
    pages = [market.fetch(platform, item_type, brand, None) for brand in BRANDS]
    return {item.external_id: item for page in pages for item in page.items}, sum(len(p.skipped) for p in pages)


@dataclass(frozen=True)
class Outcome:
    status: ItemStatus
    answer_status: ResponseStatus
    answer: str
    sentiment: str


def expected_outcome(item: Item) -> Outcome:
    """Where the item's way ends with the local model (analysis → draft → checks → the brand's
    auto-approval → a send), by the domain's rules alone."""
    model = LocalReputationModel()
    reading = model.analyze(item)
    text = model.draft(item, reading, None).text
    if check_draft(text, item.platform, item.text):
        return Outcome(ItemStatus.ANALYZED, ResponseStatus.DRAFT, text, reading.sentiment.value)
    if may_skip_manager(item, reading.sentiment, item.brand == AUTO_APPROVE):
        return Outcome(ItemStatus.PUBLISHED, ResponseStatus.PUBLISHED, text, reading.sentiment.value)
    return Outcome(ItemStatus.PENDING_REVIEW, ResponseStatus.DRAFT, text, reading.sentiment.value)


def outcomes(container: Any) -> dict[str, Outcome | None]:
    """Every stored item's outcome by external id (None while it has no answer yet)."""
    with container.uow() as uow:
        items = uow.reputation_items.listing(limit=10_000)
        found: dict[str, Outcome | None] = {}
        for item in items:
            answer = uow.reputation_responses.get(item.id)
            analysis = uow.reputation_analyses.get(item.id)
            if answer is None or analysis is None:
                found[item.external_id] = None
                continue
            found[item.external_id] = Outcome(item.status, answer.status, answer.text, analysis.sentiment.value)
    return found


def seed_approved(container: Any, items: list[Item]) -> list[int]:
    """Store the items with an approved answer, as a manager's approval leaves them; their ids."""
    now = container.clock().now()
    with container.uow() as uow:
        ids: list[int] = uow.reputation_items.add_new(items, now)
        for item_id in ids:
            for before, after in (
                (ItemStatus.NEW, ItemStatus.ANALYZED),
                (ItemStatus.ANALYZED, ItemStatus.PENDING_REVIEW),
                (ItemStatus.PENDING_REVIEW, ItemStatus.APPROVED),
            ):
                assert uow.reputation_items.move(item_id, before, after, now)
            text = f"Здравствуйте! Спасибо за отзыв, номер {item_id}."
            uow.reputation_responses.save(Response(item_id, text, ResponseSource.MANAGER, ResponseStatus.APPROVED, now))
        uow.commit()
    assert len(ids) == len(items), ids
    return ids
