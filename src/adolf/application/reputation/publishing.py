"""``reputation.send_response(item_id)`` (event, 3 × 300 s) and ``reputation.retry_failed_publish``
(hourly at :00): publishing an approved answer exactly once, whatever dies when.

``send_response``:

1. In one transaction: the item must be ``approved`` (or ``failed``: a retry) with an answer
   ``approved`` or ``failed``; the send is claimed in the outbox under ``reputation.publish:{id}``
   (an earlier attempt's claim is found, not doubled). An item already ``published`` →
   ``already_published``, nothing called.
2. The marketplace is called only while that claim is pending: a claim a refusal closed for
   good is never sent again.
3. ``PUBLISHED`` or ``ALREADY_ANSWERED`` (an earlier attempt's answer got there but its reply
   or its record did not) → the answer ``published``, the item ``published`` and the claim
   marked sent, in one transaction.
4. ``MarketplaceError`` → the answer ``failed`` with the error and one more attempt, the item
   ``approved → failed`` (a ``failed`` one stays so), the claim counted failed and kept
   pending; the error is raised again for the runtime's retries. ``MarketplaceRejected``
   (refused as such: the text, the item gone) → the same, but the claim is closed: neither the
   runtime nor ``retry_failed_publish`` sends it again; the job answers ``rejected``.

A worker killed after the claim and before the call: the rerun finds the claim pending and
sends. Killed after the call and before the record: the rerun sends again and the marketplace
answers ``ALREADY_ANSWERED`` (it keeps one answer per item): recorded as published, one answer.
Two deliveries at once both call; the later one gets ``ALREADY_ANSWERED``.

``retry_failed_publish`` queues ``send_response`` (through the outbox, keyed by the attempt
count so a rerun within the hour queues nothing twice) for each failed answer with fewer than
``MAX_ATTEMPTS`` sends whose item is ``failed`` and whose claim is still open — never one that
was published or refused.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from adolf.application.bounds import Id
from adolf.application.ports.ads_marketplace import MarketplaceError, MarketplaceRejected
from adolf.application.ports.outbox import OutboxEntry
from adolf.application.reputation import dispatch
from adolf.application.reputation.ports import ReputationServices
from adolf.domain.reputation.items import Item, Response, ResponseStatus
from adolf.domain.reputation.lifecycle import ItemStatus

log = logging.getLogger(__name__)

PUBLISH = "reputation.publish"  # the claims' outbox task: no flush of ``reputation.dispatch`` sends them
MAX_ATTEMPTS = 5
SENDABLE = (ItemStatus.APPROVED, ItemStatus.FAILED)
ANSWERS = (ResponseStatus.APPROVED, ResponseStatus.FAILED)


def publish_key(item_id: int) -> str:
    return f"{PUBLISH}:{item_id}"


def send_response(services: ReputationServices, item_id: Id) -> dict[str, Any]:
    now = services.clock.now()
    with services.uow() as uow:
        item = uow.reputation_items.get(item_id)
        answer = uow.reputation_responses.get(item_id)
        if item is None or answer is None:
            return {"status": "missing", "item_id": item_id}
        if item.status is ItemStatus.PUBLISHED:
            return {"status": "already_published", "item_id": item_id}
        if item.status not in SENDABLE or answer.status not in ANSWERS:
            return {
                "status": "not_approved",
                "item_id": item_id,
                "item_status": item.status.value,
                "answer_status": answer.status.value,
            }
        claim = OutboxEntry(publish_key(item_id), PUBLISH, "publish", {"item_id": item_id}, now)
        uow.outbox.claim_many([claim])
        pending = uow.outbox.pending(PUBLISH, [claim.key])
        uow.commit()
    if not pending:
        return {"status": "rejected", "item_id": item_id, "error": answer.last_error}
    try:
        outcome = services.reputation_marketplace.publish(
            item.platform, item.item_type, item.brand, item.external_id, answer.text
        )
    except MarketplaceError as exc:
        final = isinstance(exc, MarketplaceRejected)
        _failed(services, item, answer, pending[0], exc, final)
        if not final:
            raise
        return {"status": "rejected", "item_id": item_id, "error": f"{type(exc).__name__}: {exc}"}
    _published(services, item, answer, pending[0])
    return {"status": "published", "item_id": item_id, "outcome": outcome.value, "attempts": answer.attempts + 1}


def _published(services: ReputationServices, item: Item, answer: Response, claim: OutboxEntry) -> None:
    now = services.clock.now()
    done = replace(
        answer, status=ResponseStatus.PUBLISHED, attempts=answer.attempts + 1, published_at=now, last_error=None
    )
    with services.uow() as uow:
        uow.reputation_items.move(item.id, item.status, ItemStatus.PUBLISHED, now)
        uow.reputation_responses.save(done)
        uow.outbox.mark_sent([claim.id or 0], now)
        uow.commit()


def _failed(
    services: ReputationServices, item: Item, answer: Response, claim: OutboxEntry, exc: Exception, final: bool
) -> None:
    now = services.clock.now()
    error = f"{type(exc).__name__}: {exc}"
    log.warning("send_response %s: %s (%s)", item.id, error, "refused" if final else "will retry")
    failed = replace(answer, status=ResponseStatus.FAILED, attempts=answer.attempts + 1, last_error=error)
    with services.uow() as uow:
        if item.status is ItemStatus.APPROVED:
            uow.reputation_items.move(item.id, ItemStatus.APPROVED, ItemStatus.FAILED, now)
        uow.reputation_responses.save(failed)
        uow.outbox.mark_failed([claim.id or 0], error, final)
        uow.commit()


def retry_failed_publish(services: ReputationServices) -> dict[str, Any]:
    now = services.clock.now()
    with services.uow() as uow:
        ids = uow.reputation_responses.failed_for_retry(MAX_ATTEMPTS)
        items = uow.reputation_items.get_many(ids)
        answers = uow.reputation_responses.get_many(ids)
        open_claims = {e.key for e in uow.outbox.pending(PUBLISH, [publish_key(i) for i in ids])}
        due = [
            i
            for i in ids
            if i in items
            and i in answers
            and items[i].status is ItemStatus.FAILED
            and answers[i].status is ResponseStatus.FAILED
            and publish_key(i) in open_claims
        ]
        steps = [dispatch.step(dispatch.SEND, i, now, f":retry{answers[i].attempts}") for i in due]
        keys = dispatch.record(uow, steps)
        uow.commit()
    flushed = dispatch.flush(services, keys)
    return {"failed": len(ids), "retried": len(due), "enqueued": flushed.enqueued, "max_attempts": MAX_ATTEMPTS}
