"""Yandex.Market's goods feedback and goods questions as they are on the wire (SPEC §6).

Lists are ``POST`` with the page in the query (``limit`` ≤ ``PAGE_LIMIT``, ``page_token``) and
the filter in the body; they answer ``{"status": "OK", "result": {"feedbacks" | "questions":
[...], "paging": {"nextPageToken"}}}``, no ``nextPageToken`` on the last page.

- ``POST /v2/businesses/{businessId}/goods-feedback`` with ``{"dateTimeFrom",
  "reactionStatus": "NEED_REACTION"}`` (``dateTimeFrom`` is excluded, as YM documents it). A
  feedback: ``feedbackId``, ``createdAt`` (ISO 8601 with an offset), ``needReaction``,
  ``identifiers`` (``orderId``, ``modelId``, ``offerId``), ``author``, ``description``
  (``advantages``, ``disadvantages``, ``comment``), ``statistics`` (``rating`` 1 … 5,
  ``commentsCount``, ``recommended``). Answer: ``…/goods-feedback/comments/update
  {"feedbackId", "comment": {"text"}}``.
- ``POST /v1/businesses/{businessId}/goods-questions`` with ``{"dateTimeFrom", "answered":
  false}``. A question: ``questionIdentifiers.id``, ``offerId``, ``text``, ``createdAt``,
  ``needAnswer``, ``author`` (``type``, ``name``). Answer: ``…/goods-questions/update
  {"operationType": "CREATE", "parentEntityId": {"id", "type": "QUESTION"}, "text"}``.

Where YM's reference gives no field for what the port needs, the shape is a faithful design:
``offerId`` in a feedback's ``identifiers`` and on a question (the seller's own article, the
port's ``product_id``); YM sends no product name. A second answer is refused 400 with a
message saying "already answered" (``ALREADY_ANSWERED``), read as the port's
``ALREADY_ANSWERED``.
"""

from __future__ import annotations

from datetime import UTC

from pydantic import AwareDatetime, BaseModel, Field

from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import Item, ItemType

PAGE_LIMIT = 50
ALREADY_ANSWERED = "already answered"
PROS = "Достоинства: "
CONS = "Недостатки: "


class YmPaging(BaseModel):
    nextPageToken: str | None = None


class YmFeedbackIdentifiers(BaseModel):
    orderId: int | None = None
    modelId: int | None = None
    offerId: str = Field(min_length=1)


class YmFeedbackDescription(BaseModel):
    advantages: str | None = None
    disadvantages: str | None = None
    comment: str | None = None


class YmFeedbackStatistics(BaseModel):
    rating: int = Field(ge=1, le=5)
    commentsCount: int = Field(0, ge=0)
    recommended: bool | None = None


class YmFeedback(BaseModel):
    feedbackId: int = Field(ge=1)
    createdAt: AwareDatetime
    needReaction: bool = True
    identifiers: YmFeedbackIdentifiers
    author: str | None = None
    description: YmFeedbackDescription | None = None
    statistics: YmFeedbackStatistics


class YmQuestionIdentifiers(BaseModel):
    id: int = Field(ge=1)


class YmQuestionAuthor(BaseModel):
    type: str | None = None
    name: str | None = None


class YmQuestion(BaseModel):
    questionIdentifiers: YmQuestionIdentifiers
    offerId: str = Field(min_length=1)
    text: str = Field(min_length=1)
    createdAt: AwareDatetime
    needAnswer: bool = True
    author: YmQuestionAuthor | None = None


def review_text(description: YmFeedbackDescription | None) -> str:
    """The buyer's words as one text: YM keeps the comment, pros and cons apart."""
    if description is None:
        return ""
    parts = [(description.comment or "").strip()]
    if (description.advantages or "").strip():
        parts.append(PROS + (description.advantages or "").strip())
    if (description.disadvantages or "").strip():
        parts.append(CONS + (description.disadvantages or "").strip())
    return "\n".join(part for part in parts if part)


def feedback_item(row: YmFeedback, brand: str) -> Item:
    return Item(
        id=0,
        platform=Marketplace.YM,
        item_type=ItemType.REVIEW,
        external_id=str(row.feedbackId),
        brand=brand,
        product_id=row.identifiers.offerId,
        text=review_text(row.description),
        created_at=row.createdAt.astimezone(UTC),
        rating=row.statistics.rating,
        author=row.author or "",
    )


def question_item(row: YmQuestion, brand: str) -> Item:
    return Item(
        id=0,
        platform=Marketplace.YM,
        item_type=ItemType.QUESTION,
        external_id=str(row.questionIdentifiers.id),
        brand=brand,
        product_id=row.offerId,
        text=row.text,
        created_at=row.createdAt.astimezone(UTC),
        author=(row.author.name if row.author else None) or "",
    )
