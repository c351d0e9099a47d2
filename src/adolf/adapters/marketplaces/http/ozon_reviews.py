"""``OzonReputationHttp``: Ozon's part of Reputation's ``ReputationMarketplace`` over the Seller API.

One object for every brand: each call goes through the brand's Ozon Seller client
(``client_of(brand)``, e.g. ``MarketplaceClients.client(OZON_SELLER, brand)``), so its quota and
credentials are the brand's cabinet's. It speaks for Ozon only: ``fetch(item_type, brand,
since)`` and ``publish(item_type, brand, external_id, text)``, the port's methods without the
platform, for a router that dispatches by platform to compose.

**Fetch** pages newest first through the unanswered items:

- reviews: ``POST /v2/review/list {limit: 100, sort_dir: DESC, status: UNPROCESSED, last_id}``
  → ``{reviews, has_next, last_id}`` — the next page from the reply's ``last_id`` while
  ``has_next``; it stops at the first page that reaches items older than ``since``;
- questions: ``POST /v1/question/list {filter: {status: UNPROCESSED, date_from: since},
  last_id}`` → ``{questions, last_id}`` — the next page while ``last_id`` is not empty.

At most ``max_pages`` pages a fetch (the newest). A malformed row is skipped and counted, the
rest of the page kept (``validation.parse_page``); items are returned newest first, only those
created at or after ``since``.

**Publish**:

- a review: ``POST /v1/review/comment/create {review_id, text, mark_review_as_processed: true}``
  (marked processed, so it leaves the unanswered list) → ``PUBLISHED``;
- a question: Ozon's answer names the question's SKU, which the port does not carry, so it is
  read first with ``POST /v1/question/info {question_id}``; a question that already has an
  answer (``answers_count`` > 0) is ``ALREADY_ANSWERED`` without posting a second, else
  ``POST /v1/question/answer/create {question_id, sku, text}`` → ``PUBLISHED``.

Ozon's refusal of a second answer is a gRPC ``ALREADY_EXISTS`` (HTTP 409, ``{"code": 6,
"message", "details"}``; a faithful reading of the gateway's mapping, the Seller API documents
no example): either write answers ``ALREADY_ANSWERED`` then — the answer is there, a success.
Every other refusal is the port's ``MarketplaceRejected``; transient failures its
``MarketplaceError``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from adolf.application.ports.ads_marketplace import Fetched
from adolf.application.reputation.marketplace import PublishOutcome
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import Item, ItemType

from .client import MarketplaceHttpClient
from .errors import RejectedCall
from .factory import MarketplaceClients
from .quotas import OZON_SELLER
from .validation import parse_model, parse_page
from .wire_ozon_seller import QuestionWire, ReviewWire, to_question, to_review

REVIEWS = "ozon.reviews"
REVIEW_ANSWER = "ozon.reviews.answer"
QUESTIONS = "ozon.questions"
QUESTION_INFO = "ozon.questions.info"
QUESTION_ANSWER = "ozon.questions.answer"
PAGE = 100  # reviews a page: Ozon takes 20 … 100
MAX_PAGES = 50
ALREADY_EXISTS = 409


class _QuestionInfo(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1)
    sku: int = Field(gt=0)
    answers_count: int = Field(default=0, ge=0)


def _since(since: datetime | None) -> datetime | None:
    if since is not None and (since.tzinfo is None or since.utcoffset() is None):
        raise ValueError(f"since={since!r} must be time-zone aware")
    return since


class OzonReputationHttp:
    """Ozon's reviews and questions of every brand over HTTP (module doc)."""

    platform = Marketplace.OZON

    def __init__(self, client_of: Callable[[str], MarketplaceHttpClient], *, max_pages: int = MAX_PAGES) -> None:
        if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
            raise ValueError(f"max_pages={max_pages!r} must be a whole number >= 1")
        self._client_of = client_of
        self.max_pages = max_pages

    @classmethod
    def from_clients(cls, clients: MarketplaceClients, *, max_pages: int = MAX_PAGES) -> OzonReputationHttp:
        return cls(lambda brand: clients.client(OZON_SELLER, brand), max_pages=max_pages)

    # -- fetch ----------------------------------------------------------------------------------

    def fetch(self, item_type: ItemType, brand: str, since: datetime | None) -> Fetched[Item]:
        since = _since(since)
        item_type = ItemType.parse(item_type)
        client = self._client_of(brand)
        pages = (
            self._reviews(client, brand, since)
            if item_type is ItemType.REVIEW
            else self._questions(client, brand, since)
        )
        items: dict[str, Item] = {}
        skipped: list[str] = []
        for page in pages:
            for item in page.items:
                if since is None or item.created_at >= since:
                    items.setdefault(item.external_id, item)  # an item may shift onto the next page
            skipped.extend(page.skipped)
        newest_first = sorted(items.values(), key=lambda i: (i.created_at, i.external_id), reverse=True)
        return Fetched(tuple(newest_first), tuple(skipped))

    def _reviews(self, client: MarketplaceHttpClient, brand: str, since: datetime | None) -> list[Fetched[Item]]:
        pages: list[Fetched[Item]] = []
        last_id = ""
        while len(pages) < self.max_pages:
            body = {"limit": PAGE, "sort_dir": "DESC", "status": "UNPROCESSED", "last_id": last_id}
            reply = client.request_json(REVIEWS, "POST", "/v2/review/list", json=body)
            page = parse_page(
                REVIEWS, reply, ReviewWire, ("reviews",), convert=lambda r: to_review(r, brand), id_field="id"
            )
            pages.append(page)
            reached_since = since is not None and any(i.created_at < since for i in page.items)
            following = _text(reply, "last_id")
            if reached_since or not _flag(reply, "has_next") or not following or following == last_id:
                break
            last_id = following
        return pages

    def _questions(self, client: MarketplaceHttpClient, brand: str, since: datetime | None) -> list[Fetched[Item]]:
        pages: list[Fetched[Item]] = []
        wanted: dict[str, Any] = {"status": "UNPROCESSED"}
        if since is not None:
            wanted["date_from"] = since.isoformat()
        last_id = ""
        while len(pages) < self.max_pages:
            body = {"filter": wanted, "last_id": last_id}
            reply = client.request_json(QUESTIONS, "POST", "/v1/question/list", json=body)
            page = parse_page(
                QUESTIONS, reply, QuestionWire, ("questions",), convert=lambda r: to_question(r, brand), id_field="id"
            )
            pages.append(page)
            following = _text(reply, "last_id")
            if (not page.items and not page.skipped) or not following or following == last_id:
                break
            last_id = following
        return pages

    # -- publish --------------------------------------------------------------------------------

    def publish(self, item_type: ItemType, brand: str, external_id: str, text: str) -> PublishOutcome:
        item_type = ItemType.parse(item_type)
        client = self._client_of(brand)
        try:
            if item_type is ItemType.REVIEW:
                client.request_json(
                    REVIEW_ANSWER,
                    "POST",
                    "/v1/review/comment/create",
                    json={"review_id": external_id, "text": text, "mark_review_as_processed": True},
                )
                return PublishOutcome.PUBLISHED
            reply = client.request_json(QUESTION_INFO, "POST", "/v1/question/info", json={"question_id": external_id})
            question = parse_model(QUESTION_INFO, reply, _QuestionInfo)
            if question.answers_count > 0:
                return PublishOutcome.ALREADY_ANSWERED
            client.request_json(
                QUESTION_ANSWER,
                "POST",
                "/v1/question/answer/create",
                json={"question_id": external_id, "sku": question.sku, "text": text},
            )
            return PublishOutcome.PUBLISHED
        except RejectedCall as refused:
            if refused.status == ALREADY_EXISTS:
                return PublishOutcome.ALREADY_ANSWERED
            raise


def _text(reply: object, key: str) -> str:
    value = reply.get(key) if isinstance(reply, dict) else None
    return value if isinstance(value, str) else ""


def _flag(reply: object, key: str) -> bool:
    return isinstance(reply, dict) and reply.get(key) is True


__all__ = ["OzonReputationHttp"]
