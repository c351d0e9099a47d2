"""Yandex.Market's goods feedback and goods questions over the simulated reviews and questions.

Paths and shapes as ``http/wire_ym_reviews`` describes them: ``POST
/v2/businesses/{businessId}/goods-feedback`` and ``POST /v1/businesses/{businessId}/goods-questions``
(``limit`` ≤ 50 and ``page_token`` in the query → 400 past 50; ``dateTimeFrom`` excluded),
``…/goods-feedback/comments/update`` and ``…/goods-questions/update``. ``Api-Key`` names the
brand (401 else) and the path's ``businessId`` must be that brand's (``business_id(brand)``;
403 else, as YM answers a key without access to the cabinet). Quotas per cabinet from the
quota table (goods-feedback 1000 an hour, goods-questions 10 000 an hour) → 429 with
``Retry-After`` past them.

The rows are the simulated feed's unanswered ones (``reputation_rows``), their times in
Moscow's offset, the YM ids as numbers; a row the feed wrote malformed stays so on the wire (no
id, a rating of 0 or 6, a question without text), and ``world.malform("ym.feedbacks")`` adds
one more (a rating of 9) to the next page. ``page_token`` is the offset of the page in the
list as it stands. A second answer is refused 400 "… already answered".
"""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Body, Query, Request

from adolf.adapters.marketplaces.http.quotas import YM
from adolf.adapters.marketplaces.http.wire_ym_reviews import ALREADY_ANSWERED, PAGE_LIMIT
from adolf.adapters.marketplaces.simulated.reputation import SimulatedReputation
from adolf.adapters.marketplaces.simulated.timeline import MOSCOW
from adolf.application.reputation.marketplace import PublishOutcome
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import ItemType

from .common import FakeRefusal, guard, refuse
from .reputation_rows import publish, served, unanswered
from .world import FakeWorld

_KEYS = {ItemType.REVIEW: ("ym.feedbacks", "feedbacks"), ItemType.QUESTION: ("ym.questions", "questions")}


def business_id(brand: str) -> int:
    """The fake's YM business id of ``brand``: stable, distinct per brand name."""
    return 10_000_000 + zlib.crc32(brand.encode()) % 90_000_000


def ym_time(text: object) -> str:
    moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return moment.astimezone(MOSCOW).isoformat()


def feedback_row(row: dict[str, object]) -> dict[str, object]:
    wire: dict[str, object] = {
        "createdAt": ym_time(row["createdAt"]),
        "needReaction": True,
        "identifiers": {"orderId": None, "modelId": None, "offerId": row["productId"]},
        "author": row.get("author") or None,
        "description": {"advantages": None, "disadvantages": None, "comment": row.get("text") or None},
        "media": {"photos": [], "videos": []},
        "statistics": {"rating": row.get("rating"), "commentsCount": 0, "recommended": None},
    }
    if "id" in row:
        wire = {"feedbackId": int(str(row["id"])), **wire}
    return wire


def question_row(row: dict[str, object], brand: str) -> dict[str, object]:
    wire: dict[str, object] = {
        "businessId": business_id(brand),
        "offerId": row["productId"],
        "createdAt": ym_time(row["createdAt"]),
        "needAnswer": True,
        "canModify": False,
        "author": {"type": "USER", "name": row.get("author") or None},
        "votes": {"likes": 0, "dislikes": 0},
    }
    if "id" in row:
        wire["questionIdentifiers"] = {"id": int(str(row["id"]))}
    if "text" in row:
        wire["text"] = row["text"]
    return wire


def _spoiled(item_type: ItemType, brand: str) -> dict[str, object]:
    template: dict[str, object] = {"id": "1", "productId": "X-0001", "author": "", "createdAt": "2020-01-01T00:00:00Z"}
    if item_type is ItemType.REVIEW:
        row = feedback_row({**template, "text": "", "rating": 5})
        return {**row, "statistics": {"rating": 9, "commentsCount": 0}}
    return question_row(template, brand)  # a question without its text


def _reputation(world: FakeWorld) -> SimulatedReputation:
    if world.reputation is None:
        raise refuse(YM, 404, "this fake marketplace serves no reviews or questions")
    return world.reputation


def _since(body: dict[str, Any]) -> datetime | None:
    value = body.get("dateTimeFrom")
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise refuse(YM, 400, f"dateTimeFrom={value!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise refuse(YM, 400, f"dateTimeFrom={value!r} has no offset")
    return moment


def router(world: FakeWorld) -> APIRouter:
    api = APIRouter()

    def caller(endpoint: str, request: Request, business: int) -> str:
        brand = guard(world, endpoint, request)
        if business != business_id(brand):
            raise FakeRefusal(YM, 403, f"businessId={business} is not the cabinet of this Api-Key")
        return brand

    def listing(item_type: ItemType, request: Request, business: int, limit: int, token: str | None, body: Any) -> Any:
        endpoint, key = _KEYS[item_type]
        brand = caller(endpoint, request, business)
        if not 1 <= limit <= PAGE_LIMIT:
            raise refuse(YM, 400, f"limit={limit} must be 1 … {PAGE_LIMIT}")
        if not isinstance(body, dict):
            raise refuse(YM, 400, "the body must be an object")
        offset = int(token) if token and token.isdigit() else 0
        sim = _reputation(world)
        rows = unanswered(sim, YM, Marketplace.YM, item_type, brand, _since(body), after=True)
        chosen = served(sim, rows[offset : offset + limit])
        page = [feedback_row(r.row) if item_type is ItemType.REVIEW else question_row(r.row, brand) for r in chosen]
        if world.take_malformed(endpoint):
            page.append(_spoiled(item_type, brand))
        paging = {"nextPageToken": str(offset + limit)} if offset + limit < len(rows) else {}
        return {"status": "OK", "result": {key: page, "paging": paging}}

    @api.post("/v2/businesses/{businessId}/goods-feedback")
    def feedbacks(
        request: Request,
        businessId: int,
        limit: int = Query(25),
        page_token: str | None = Query(None),
        body: Any = Body(default_factory=dict),
    ) -> Any:
        return listing(ItemType.REVIEW, request, businessId, limit, page_token, body)

    @api.post("/v1/businesses/{businessId}/goods-questions")
    def questions(
        request: Request,
        businessId: int,
        limit: int = Query(25),
        page_token: str | None = Query(None),
        body: Any = Body(default_factory=dict),
    ) -> Any:
        return listing(ItemType.QUESTION, request, businessId, limit, page_token, body)

    def answer(
        item_type: ItemType, endpoint: str, request: Request, business: int, ident: object, text: object
    ) -> None:
        brand = caller(endpoint, request, business)
        if isinstance(ident, bool) or not isinstance(ident, int) or not isinstance(text, str):
            raise refuse(YM, 400, f"id={ident!r} must be a number and text a string")
        done = publish(_reputation(world), Marketplace.YM, item_type, brand, str(ident), text)
        if done.outcome is PublishOutcome.ALREADY_ANSWERED:
            raise refuse(YM, 400, f"{item_type} {ident} is {ALREADY_ANSWERED}")
        if done.outcome is None:
            raise refuse(YM, done.status, done.message)

    @api.post("/v2/businesses/{businessId}/goods-feedback/comments/update")
    def comment(request: Request, businessId: int, body: dict[str, Any] = Body()) -> Any:
        reply = body.get("comment")
        text = reply.get("text") if isinstance(reply, dict) else None
        ident = body.get("feedbackId")
        answer(ItemType.REVIEW, "ym.feedbacks.answer", request, businessId, ident, text)
        author = {"type": "BUSINESS", "name": "fake"}
        return {"status": "OK", "result": {"id": ident, "text": text, "canModify": True, "author": author}}

    @api.post("/v1/businesses/{businessId}/goods-questions/update")
    def question_answer(request: Request, businessId: int, body: dict[str, Any] = Body()) -> Any:
        parent = body.get("parentEntityId")
        if body.get("operationType") != "CREATE" or not isinstance(parent, dict) or parent.get("type") != "QUESTION":
            raise refuse(YM, 400, "only operationType CREATE on a parentEntityId of type QUESTION is served")
        answer(ItemType.QUESTION, "ym.questions.answer", request, businessId, parent.get("id"), body.get("text"))
        return {"status": "OK", "result": {"entityId": {"id": parent.get("id"), "type": "ANSWER"}}}

    return api
