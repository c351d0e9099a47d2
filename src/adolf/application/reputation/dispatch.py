"""Reputation's outbox: the shared one (``application/outbox_dispatch``) under the topic
``reputation.dispatch``.

Every job that hands an item on to the next step records that step in the transaction that
moves the item: a poll the ``analyze_item`` of each new item, an analysis its
``generate_response``, an approval its ``send_response``. The step is queued after the commit;
a job dying in between leaves it for the next Reputation job that flushes
(``outbox_dispatch.LEFTOVER_AGE``). So no new item waits for ever for its analysis, and no
approved answer for its send, whichever runtime runs the jobs.

Keys name the step and the item (``reputation:analyze_item:{id}``): recording a step again
records nothing, and a step queued twice is harmless (each job checks the item's status first).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from adolf.application import outbox_dispatch
from adolf.application.outbox_dispatch import Flushed
from adolf.application.ports.outbox import OutboxEntry
from adolf.application.ports.services import Services, SystemUnitOfWork

TOPIC = "reputation.dispatch"

ANALYZE = "reputation.analyze_item"
GENERATE = "reputation.generate_response"
REGENERATE = "reputation.regenerate_response"
SEND = "reputation.send_response"


def enqueue(key: str, name: str, payload: dict[str, Any], now: datetime) -> OutboxEntry:
    return outbox_dispatch.enqueue(TOPIC, key, name, payload, now)


def step(name: str, item_id: int, now: datetime, suffix: str = "", **payload: Any) -> OutboxEntry:
    """The job ``name`` for one item, keyed ``reputation:{task}:{item_id}{suffix}``."""
    task = name.split(".", 1)[1]
    return enqueue(f"reputation:{task}:{item_id}{suffix}", name, {"item_id": item_id, **payload}, now)


def record(uow: SystemUnitOfWork, entries: Sequence[OutboxEntry]) -> list[str]:
    return outbox_dispatch.record(uow, entries)


def flush(services: Services, keys: Sequence[str] = ()) -> Flushed:
    return outbox_dispatch.flush(services, TOPIC, keys)
