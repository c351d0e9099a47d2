"""``reputation.analyze_item(item_id)`` (event, 3 × 60 s; SPEC §3, seed 002 ``analyze_item``):
sentiment, topics and urgency through the language-model port, then ``generate_response``.

Only an item still ``new`` is analysed: the analysis is saved and the item moves
``new → analyzed`` (compare-and-set) in one transaction that also records the
``generate_response`` step (the outbox), queued after the commit. A redelivered job, or one
racing another delivery, finds the item past ``new`` and does nothing but send its own step if
a dead attempt left it unsent. The model is asked outside the transaction (it may take
seconds); ``LanguageModelError`` fails the job for the runtime to retry.
"""

from __future__ import annotations

from typing import Any

from adolf.application.bounds import Id
from adolf.application.reputation import dispatch
from adolf.application.reputation.ports import ReputationServices
from adolf.domain.reputation.items import Analysis
from adolf.domain.reputation.lifecycle import ItemStatus


def analyze_item(services: ReputationServices, item_id: Id) -> dict[str, Any]:
    now = services.clock.now()
    step = dispatch.step(dispatch.GENERATE, item_id, now)
    with services.uow() as uow:
        item = uow.reputation_items.get(item_id)
    if item is None:
        return {"status": "missing", "item_id": item_id}
    if item.status is not ItemStatus.NEW:
        dispatch.flush(services, [step.key])
        return {"status": "already_analyzed", "item_id": item_id, "item_status": item.status.value}
    reading = services.reputation_model.analyze(item)
    now = services.clock.now()
    analysis = Analysis(item_id, reading.sentiment, reading.urgency, reading.model, now, reading.topics)
    with services.uow() as uow:
        if not uow.reputation_items.move(item_id, ItemStatus.NEW, ItemStatus.ANALYZED, now):
            return {"status": "already_analyzed", "item_id": item_id}
        uow.reputation_analyses.save(analysis)
        keys = dispatch.record(uow, [step])
        uow.commit()
    flushed = dispatch.flush(services, keys)
    return {
        "status": "analyzed",
        "item_id": item_id,
        "sentiment": analysis.sentiment.value,
        "urgency": analysis.urgency.value,
        "topics": list(analysis.topics),
        "generate_enqueued": flushed.enqueued,
    }
