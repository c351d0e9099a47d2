"""``FakeReputationServices``: what a Reputation use case is handed, every port a fake or the
embedded default's in-process adapter.

It is a ``FakeServices`` (clock, lock, queue, notifier, status board, calendar) whose unit of
work is a ``FakeReputationUnitOfWork``, with the in-process circuit breaker
(``MemoryCircuitBreaker`` under ``breaker_policy``), the simulated marketplace
(``SimulatedReputation`` on the fake clock, seed 7, a quiet feed of 12 reviews and 4 questions a
day per brand starting at the Moscow midnight before the clock) and ``FakeReputationModel`` — a scripted model: sentiment from the rating, a
fixed polite draft, or the buyer's own text when ``echo`` is set (a model that obeys an
injected review), failing with ``LanguageModelError`` while ``failure`` is set.

``drain(services)`` runs the Reputation jobs queued on the fake queue until none is left, as
the inline runtime would (each with its payload bound to the handler's signature).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adolf.adapters.marketplaces.simulated.reputation import SimulatedReputation
from adolf.adapters.redis.memory_circuit_breaker import MemoryCircuitBreaker
from adolf.application.payload import bind_payload
from adolf.application.reputation.catalogue import REPUTATION_CATALOGUE
from adolf.application.reputation.language_model import Draft, LanguageModelError, Reading
from adolf.domain.reputation.circuit import BreakerPolicy
from adolf.domain.reputation.items import Item, ItemType, Sentiment, Urgency
from tests.support.fakes.reputation_repos import FakeReputationUnitOfWork
from tests.support.fakes.services import FakeServices

POLITE = "Здравствуйте! Спасибо за ваш отзыв, нам очень приятно. Будем рады видеть вас снова."


class FakeReputationModel:
    def __init__(self, draft_text: str = POLITE, echo: bool = False) -> None:
        self.draft_text = draft_text
        self.echo = echo
        self.failure: Exception | None = None
        self.analyzed: list[int] = []
        self.drafted: list[tuple[int, str | None]] = []

    def analyze(self, item: Item) -> Reading:
        if self.failure is not None:
            raise self.failure
        self.analyzed.append(item.id)
        rating = item.rating or 3
        sentiment = Sentiment.POSITIVE if rating >= 4 else Sentiment.NEGATIVE if rating <= 2 else Sentiment.NEUTRAL
        urgency = (
            Urgency.HIGH if rating == 1 else Urgency.MEDIUM if item.item_type is ItemType.QUESTION else Urgency.LOW
        )
        return Reading(sentiment, urgency, ("качество",), "fake-model")

    def draft(self, item: Item, reading: Reading, instructions: str | None = None) -> Draft:
        if self.failure is not None:
            raise self.failure
        self.drafted.append((item.id, instructions))
        text = item.text if self.echo else self.draft_text
        return Draft(text + (f" {instructions}" if instructions else ""), "fake-model")

    def fail(self, message: str = "model timeout") -> None:
        self.failure = LanguageModelError(message)


@dataclass
class FakeReputationServices(FakeServices):
    unit_of_work: FakeReputationUnitOfWork = field(default_factory=FakeReputationUnitOfWork)
    brands: tuple[str, ...] = ("ohana_market", "ohana_kids")
    auto_approve_brands: frozenset[str] = frozenset()
    breaker_policy: BreakerPolicy = field(default_factory=BreakerPolicy)
    reputation_model: FakeReputationModel = field(default_factory=FakeReputationModel)
    circuit_breaker: MemoryCircuitBreaker = field(init=False)
    reputation_marketplace: Any = field(init=False)

    def __post_init__(self) -> None:
        self.circuit_breaker = MemoryCircuitBreaker(self.breaker_policy)
        # A quiet feed (a few items a poll): the fake unit of work copies its tables per transaction.
        self.reputation_marketplace = SimulatedReputation(7, self.clock, daily_reviews=12, daily_questions=4)

    def uow(self) -> FakeReputationUnitOfWork:
        return self.unit_of_work


def drain(services: FakeReputationServices, limit: int = 10_000) -> list[tuple[str, dict[str, Any]]]:
    """Run the queued Reputation jobs (and those they queue) in order; what ran, with results."""
    ran: list[tuple[str, dict[str, Any]]] = []
    while services.queue.enqueued and len(ran) < limit:
        name, payload = services.queue.enqueued.pop(0)
        if name not in REPUTATION_CATALOGUE:
            continue
        handler = REPUTATION_CATALOGUE.get(name).handler
        ran.append((name, handler(services, **bind_payload(handler, payload, name))))
    return ran
