"""Wildberries' feedbacks API as it is on the wire (host feedbacks-api, SPEC §6).

``GET /api/v1/feedbacks`` and ``GET /api/v1/questions`` take ``isAnswered``, ``take`` (≤ 5000
here: the quota table's batch), ``skip``, ``order`` (``dateDesc``), ``dateFrom`` (Unix
seconds, included) and answer ``{"data": {"countUnanswered", "countArchive", "feedbacks" |
"questions": [...]}, "error", "errorText", "additionalErrors"}``. A feedback row carries
``id``, ``text``, ``pros``, ``cons``, ``productValuation`` (1 … 5), ``createdDate`` (ISO 8601
with WB's Moscow offset), ``answer`` (null until answered), ``productDetails`` (``nmId``,
``productName``, ``supplierArticle``, ``brandName``) and ``userName``; a question carries
``id``, ``text``, ``createdDate``, ``answer`` and ``productDetails``.

Answers: ``POST /api/v1/feedbacks/answer {"id", "text"}`` (204), and
``PATCH /api/v1/questions {"id", "answer": {"text"}, "state": "wb"}``. Refusals come as
``{"title", "detail", …}``; WB does not document the refusal of a second answer, so the fake
and the client agree on a 400 whose detail says "already answered" (``ALREADY_ANSWERED``).

The rows become ``Item`` here (``to_item``): WB's three text fields joined (the buyer's words,
then "Достоинства: …" and "Недостатки: …" where given), the time in UTC, ``nmId`` as the
product id.
"""

from __future__ import annotations

from datetime import UTC

from pydantic import AwareDatetime, BaseModel, Field

from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import Item, ItemType

ALREADY_ANSWERED = "already answered"
PROS = "Достоинства: "
CONS = "Недостатки: "


class WbProductDetails(BaseModel):
    nmId: int = Field(ge=1)
    productName: str | None = None
    supplierArticle: str | None = None
    brandName: str | None = None


class WbAnswer(BaseModel):
    text: str = ""


class WbFeedback(BaseModel):
    id: str = Field(min_length=1)
    text: str | None = ""
    pros: str | None = ""
    cons: str | None = ""
    productValuation: int = Field(ge=1, le=5)
    createdDate: AwareDatetime
    answer: WbAnswer | None = None
    productDetails: WbProductDetails
    userName: str | None = ""


class WbQuestion(BaseModel):
    id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    createdDate: AwareDatetime
    answer: WbAnswer | None = None
    productDetails: WbProductDetails
    userName: str | None = ""  # not in WB's question shape: read where a server sends it (the fake)


def joined_text(text: str | None, pros: str | None, cons: str | None) -> str:
    """The buyer's words as one text: WB keeps the free text, pros and cons apart."""
    parts = [(text or "").strip()]
    if (pros or "").strip():
        parts.append(PROS + (pros or "").strip())
    if (cons or "").strip():
        parts.append(CONS + (cons or "").strip())
    return "\n".join(part for part in parts if part)


def feedback_item(row: WbFeedback, brand: str) -> Item:
    return Item(
        id=0,
        platform=Marketplace.WB,
        item_type=ItemType.REVIEW,
        external_id=row.id,
        brand=brand,
        product_id=str(row.productDetails.nmId),
        text=joined_text(row.text, row.pros, row.cons),
        created_at=row.createdDate.astimezone(UTC),
        rating=row.productValuation,
        author=row.userName or "",
        product_name=row.productDetails.productName or "",
    )


def question_item(row: WbQuestion, brand: str) -> Item:
    return Item(
        id=0,
        platform=Marketplace.WB,
        item_type=ItemType.QUESTION,
        external_id=row.id,
        brand=brand,
        product_id=str(row.productDetails.nmId),
        text=row.text,
        created_at=row.createdDate.astimezone(UTC),
        author=row.userName or "",
        product_name=row.productDetails.productName or "",
    )
