"""What a manager reads about an item, the same over HTTP (``http_reputation``) and from the CLI
(``cli/reputation``): the item, what the model read in it, and its answer (the draft waiting,
or what was approved, published or refused).

``cards`` lists items in one status (``pending_review``: the queue a manager works through),
oldest first, optionally of some brands and one platform; ``card_json`` is a card as JSON
(times ISO 8601 UTC, enums as their values). Reading only: the moves are
``application.reputation.manager_actions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from adolf.application.reputation.manager_actions import ReviewCard
from adolf.application.reputation.ports import ReputationServices
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import Analysis, Response
from adolf.domain.reputation.lifecycle import ItemStatus

MAX_LISTED = 500  # a page a person reads; the queue is worked oldest first


def cards(
    services: ReputationServices,
    status: ItemStatus | None = ItemStatus.PENDING_REVIEW,
    brands: Sequence[str] | None = None,
    platform: Marketplace | None = None,
    limit: int = 100,
) -> list[ReviewCard]:
    """Items in ``status`` (None: any), of ``brands`` (None: every brand), on ``platform``
    (None: every one), oldest first, at most ``limit``."""
    with services.uow() as uow:
        items = uow.reputation_items.listing(status, brands, platform, limit=limit)
        answers = uow.reputation_responses.get_many([item.id for item in items])
        return [ReviewCard(item, uow.reputation_analyses.get(item.id), answers.get(item.id)) for item in items]


def card(services: ReputationServices, item_id: int) -> ReviewCard | None:
    with services.uow() as uow:
        item = uow.reputation_items.get(item_id)
        if item is None:
            return None
        return ReviewCard(item, uow.reputation_analyses.get(item_id), uow.reputation_responses.get(item_id))


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def analysis_json(analysis: Analysis | None) -> dict[str, Any] | None:
    if analysis is None:
        return None
    return {
        "sentiment": analysis.sentiment.value,
        "urgency": analysis.urgency.value,
        "topics": list(analysis.topics),
        "model": analysis.model,
        "analyzed_at": _time(analysis.analyzed_at),
    }


def answer_json(response: Response | None) -> dict[str, Any] | None:
    if response is None:
        return None
    return {
        "text": response.text,
        "source": response.source.value,
        "status": response.status.value,
        "attempts": response.attempts,
        "last_error": response.last_error,
        "instructions": response.instructions,
        "created_at": _time(response.created_at),
        "published_at": _time(response.published_at),
    }


def card_json(found: ReviewCard) -> dict[str, Any]:
    item = found.item
    return {
        "id": item.id,
        "platform": item.platform.value,
        "item_type": item.item_type.value,
        "brand": item.brand,
        "external_id": item.external_id,
        "product_id": item.product_id,
        "product_name": item.product_name,
        "rating": item.rating,
        "author": item.author,
        "text": item.text,
        "created_at": _time(item.created_at),
        "status": item.status.value,
        "analysis": analysis_json(found.analysis),
        "answer": answer_json(found.response),
    }
