"""Re-driving a dead letter: the same task and payload queued again, the letter marked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adolf.application.ports.dead_letters import DeadLetter
from adolf.application.system.dead_letters import DeadLetterAlreadyRetried, DeadLetterNotFound, retry_dead_letter
from tests.support.fakes import FakeServices


@pytest.fixture
def letter_id(services: FakeServices) -> int:
    return services.uow().dead_letters.add(
        DeadLetter(
            "t-1",
            "marketing.apply_bid_change",
            {"keyword_id": 11, "bid": "150", "idempotency_key": "k"},
            "MarketplaceError: 503",
            "Traceback …",
            services.clock.now() - timedelta(hours=1),
            "celery",
            4,
        )
    )


def redrive(services: FakeServices, letter_id: int, force: bool = False) -> str:
    return retry_dead_letter(letter_id, services.uow, services.queue, services.clock, force=force)


def test_a_dead_letter_is_requeued_with_its_payload_and_marked_retried(services: FakeServices, letter_id: int) -> None:
    task_id = redrive(services, letter_id)

    assert services.queue.enqueued == [
        ("marketing.apply_bid_change", {"keyword_id": 11, "bid": "150", "idempotency_key": "k"})
    ]
    assert services.queue.status(task_id).name == "marketing.apply_bid_change"
    letter = services.uow().dead_letters.get(letter_id)
    assert letter is not None and letter.retried_at == services.clock.now()
    assert services.uow().dead_letters.list() == [] and len(services.uow().dead_letters.list(include_retried=True)) == 1
    assert services.uow().committed


def test_a_letter_already_retried_needs_force(services: FakeServices, letter_id: int) -> None:
    redrive(services, letter_id)
    services.clock.advance(60)

    with pytest.raises(DeadLetterAlreadyRetried, match=f"id={letter_id} was re-driven at .*--force"):
        redrive(services, letter_id)
    assert len(services.queue.enqueued) == 1

    redrive(services, letter_id, force=True)
    assert len(services.queue.enqueued) == 2
    letter = services.uow().dead_letters.get(letter_id)
    assert letter is not None and letter.retried_at == services.clock.now()


def test_an_unknown_letter_is_reported_by_its_id(services: FakeServices) -> None:
    with pytest.raises(DeadLetterNotFound, match="id=42"):
        redrive(services, 42)
    assert services.queue.enqueued == []
