"""``reputation.generate_response(item_id, instructions=None)`` (event, 3 × 60 s) and
``reputation.regenerate_response(item_id, instructions)`` (a manager's request, 3 retries):
the model drafts an answer, the domain's draft checks decide whether it may ever be published.

- ``generate_response`` drafts for an item ``analyzed`` (the step after ``analyze_item``, or a
  new try after a refused draft); an item already past it (a redelivery) is left alone.
  ``regenerate_response`` drafts again, following the manager's instructions, for an item
  ``analyzed`` or ``pending_review``.
- A draft the checks refuse is kept as the item's answer with status ``draft`` and the reasons
  in ``last_error``: nobody can approve it as it is (approving checks again), and the item
  stays — or, from ``pending_review``, goes back to — ``analyzed``. The buyer's text is what
  the model read; a draft that echoes an injected instruction, a link or a phone never reaches
  a send.
- A draft that passes becomes the answer (``draft``, source ``model``) and the item
  ``pending_review``. When the brand lets such drafts skip the manager
  (``auto_approve_brands``; the domain's ``may_skip_manager``: 5★, positive, asking nothing)
  and no manager asked for this draft, the answer is ``approved`` at once, the item too, and
  ``send_response`` is recorded in the same transaction (the outbox).

The model's reading is the stored analysis (asked again only if none is stored). The model is
asked outside the transaction; ``LanguageModelError`` fails the job for the runtime to retry.
The item moves by compare-and-set: a draft racing a manager's action changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from adolf.application.bounds import Bounds, Id
from adolf.application.reputation import dispatch
from adolf.application.reputation.language_model import Reading
from adolf.application.reputation.ports import ReputationServices, ReputationUnitOfWork
from adolf.domain.reputation.auto_approve import may_skip_manager
from adolf.domain.reputation.draft_checks import check_draft
from adolf.domain.reputation.items import Item, Response, ResponseSource, ResponseStatus
from adolf.domain.reputation.lifecycle import ItemStatus

Instructions = Annotated[str, Bounds(1, 2000)]

FIRST_DRAFT = (ItemStatus.ANALYZED,)
NEW_DRAFT = (ItemStatus.ANALYZED, ItemStatus.PENDING_REVIEW)


def generate_response(
    services: ReputationServices, item_id: Id, instructions: Instructions | None = None
) -> dict[str, Any]:
    return draft_answer(services, item_id, instructions, FIRST_DRAFT)


def regenerate_response(services: ReputationServices, item_id: Id, instructions: Instructions) -> dict[str, Any]:
    return draft_answer(services, item_id, instructions, NEW_DRAFT)


def draft_answer(
    services: ReputationServices, item_id: int, instructions: str | None, wanted: tuple[ItemStatus, ...]
) -> dict[str, Any]:
    with services.uow() as uow:
        item = uow.reputation_items.get(item_id)
        analysis = uow.reputation_analyses.get(item_id)
    if item is None:
        return {"status": "missing", "item_id": item_id}
    if item.status not in wanted:
        return {"status": "not_drafted", "item_id": item_id, "item_status": item.status.value}
    if analysis is not None:
        reading = Reading(analysis.sentiment, analysis.urgency, analysis.topics, analysis.model)
    else:
        reading = services.reputation_model.analyze(item)
    draft = services.reputation_model.draft(item, reading, instructions)
    reasons = check_draft(draft.text, item.platform, item.text)
    now = services.clock.now()
    if reasons:
        return _refused(services, item, draft.text, instructions, reasons)
    auto = instructions is None and may_skip_manager(
        item, reading.sentiment, item.brand in services.auto_approve_brands
    )
    target = ItemStatus.APPROVED if auto else ItemStatus.PENDING_REVIEW
    status = ResponseStatus.APPROVED if auto else ResponseStatus.DRAFT
    answer = Response(item_id, draft.text, ResponseSource.MODEL, status, now, instructions=instructions)
    with services.uow() as uow:
        if not _still(uow, item, target, now):
            return {"status": "conflict", "item_id": item_id}
        uow.reputation_responses.save(answer)
        keys = dispatch.record(uow, [dispatch.step(dispatch.SEND, item_id, now)]) if auto else []
        uow.commit()
    dispatch.flush(services, keys)
    return {
        "status": "approved" if auto else "pending_review",
        "item_id": item_id,
        "model": draft.model,
        "auto_approved": auto,
    }


def _still(uow: ReputationUnitOfWork, item: Item, target: ItemStatus, now: datetime) -> bool:
    """The item moved from the status the draft was made for to ``target`` (compare-and-set),
    or, when it is there already, is still there: False when someone moved it meanwhile."""
    if item.status is not target:
        return uow.reputation_items.move(item.id, item.status, target, now)
    current = uow.reputation_items.get(item.id)
    return current is not None and current.status is target


def _refused(
    services: ReputationServices, item: Item, text: str, instructions: str | None, reasons: tuple[str, ...]
) -> dict[str, Any]:
    now = services.clock.now()
    error = "draft refused: " + "; ".join(reasons)
    answer = Response(
        item.id, text, ResponseSource.MODEL, ResponseStatus.DRAFT, now, last_error=error, instructions=instructions
    )
    with services.uow() as uow:
        if not _still(uow, item, ItemStatus.ANALYZED, now):
            return {"status": "conflict", "item_id": item.id}
        uow.reputation_responses.save(answer)
        uow.commit()
    return {"status": "refused", "item_id": item.id, "reasons": list(reasons)}
