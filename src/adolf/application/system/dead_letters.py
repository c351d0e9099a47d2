"""Re-driving a dead letter: the same task and payload, queued again, the letter marked."""

from __future__ import annotations

from collections.abc import Callable

from adolf.application.ports.clock import Clock
from adolf.application.ports.services import SystemUnitOfWork
from adolf.application.ports.tasks import TaskQueue


class DeadLetterNotFound(LookupError):
    pass


class DeadLetterAlreadyRetried(Exception):
    pass


def retry_dead_letter(
    letter_id: int, uow_factory: Callable[[], SystemUnitOfWork], queue: TaskQueue, clock: Clock, force: bool = False
) -> str:
    with uow_factory() as uow:
        letter = uow.dead_letters.get(letter_id)
        if letter is None:
            raise DeadLetterNotFound(f"no dead letter with id={letter_id}")
        if letter.retried_at is not None and not force:
            raise DeadLetterAlreadyRetried(
                f"dead letter id={letter_id} was re-driven at {letter.retried_at.isoformat()}; use --force"
            )
        uow.dead_letters.mark_retried(letter_id, clock.now())
        uow.commit()
    # Queued after the commit: if the run fails again it writes a new letter, never edits this one.
    return queue.enqueue(letter.task_name, letter.payload)
