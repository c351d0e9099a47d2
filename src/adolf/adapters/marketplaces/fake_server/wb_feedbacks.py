"""Wildberries' feedbacks API (host feedbacks-api) over the simulated reviews and questions.

Paths, parameters and shapes as ``http/wire_wb_feedbacks`` describes them (WB's documented
ones): ``GET /api/v1/feedbacks`` and ``GET /api/v1/questions`` (``isAnswered``, ``take`` ≤ 5000,
``skip``, ``order`` ``dateDesc`` or ``dateAsc``, ``dateFrom`` in Unix seconds, included)
answering ``{"data": {…, "feedbacks" | "questions": [...]}, "error": false, …}``;
``POST /api/v1/feedbacks/answer {"id", "text"}`` → 204; ``PATCH /api/v1/questions {"id",
"answer": {"text"}, "state"}`` → 200. All four share the cabinet's 3 requests a second
(``guard``: 429 with ``Retry-After`` past it); ``Authorization: <token>`` names the brand (401
else). ``take`` over the batch → 400. One addition to WB's shape: a question carries the
simulated buyer's name as ``userName`` (WB's questions name nobody), so that answers greeting
the buyer read as they do in the simulation.

The rows are the simulated feed's, unanswered (``reputation_rows``): times in WB's Moscow
offset, ``productValuation`` for the rating, ``nmId`` for the product, the buyer's name as
``userName``; a row the feed wrote malformed stays malformed on the wire (no ``id``, a rating
of 0 or 6, a question without ``text``), and ``world.malform("wb.feedbacks")`` adds one more
(a rating of 7) to the next page. Only ``isAnswered=false`` is served: the port never asks for
answered items. A second answer is refused 400 "… already answered" (WB documents no shape
for it; the client reads it as ``ALREADY_ANSWERED``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Body, Query, Request, Response

from adolf.adapters.marketplaces.http.quotas import WB_FEEDBACKS
from adolf.adapters.marketplaces.http.wire_wb_feedbacks import ALREADY_ANSWERED
from adolf.adapters.marketplaces.simulated.reputation import SimulatedReputation
from adolf.adapters.marketplaces.simulated.reputation_feed import FeedRow
from adolf.adapters.marketplaces.simulated.timeline import MOSCOW
from adolf.application.reputation.marketplace import PublishOutcome
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import ItemType

from .common import guard, refuse
from .reputation_rows import publish, served, unanswered
from .world import FakeWorld

_KEYS = {ItemType.REVIEW: ("wb.feedbacks", "feedbacks"), ItemType.QUESTION: ("wb.questions", "questions")}


def wb_time(text: object) -> str:
    """The feed's ``…Z`` time as WB writes it, in Moscow time with its offset."""
    moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return moment.astimezone(MOSCOW).isoformat()


def _product(row: dict[str, object], brand: str) -> dict[str, object]:
    return {
        "imtId": int(str(row["productId"])) // 10,
        "nmId": int(str(row["productId"])),
        "productName": row.get("productName"),
        "supplierArticle": f"{brand.upper()}-{row['productId']}",
        "supplierName": brand,
        "brandName": brand,
        "size": "0",
    }


def feedback_row(row: dict[str, object], brand: str) -> dict[str, object]:
    wire: dict[str, object] = {
        "text": row.get("text", ""),
        "pros": "",
        "cons": "",
        "productValuation": row.get("rating"),
        "createdDate": wb_time(row["createdAt"]),
        "answer": None,
        "state": "none",
        "productDetails": _product(row, brand),
        "video": None,
        "wasViewed": False,
        "photoLinks": None,
        "userName": row.get("author", ""),
        "matchingSize": "",
        "isAbleSupplierFeedbackValuation": False,
        "supplierFeedbackValuation": 0,
        "isAbleSupplierProductValuation": False,
        "supplierProductValuation": 0,
        "isAbleReturnProductOrders": False,
        "returnProductOrdersDate": None,
        "bables": [],
        "lastOrderShkId": 0,
        "lastOrderCreatedAt": None,
        "color": "",
        "subjectId": 0,
        "subjectName": "",
        "parentFeedbackId": None,
        "childFeedbackId": None,
    }
    if "id" in row:
        wire = {"id": row["id"], **wire}
    return wire


def question_row(row: dict[str, object], brand: str) -> dict[str, object]:
    wire: dict[str, object] = {
        "createdDate": wb_time(row["createdAt"]),
        "state": "suppliersPortalSynch",
        "answer": None,
        "productDetails": _product(row, brand),
        "wasViewed": False,
        "isWarned": False,
        "userName": row.get("author", ""),  # WB's questions name no author; the simulated ones do
    }
    if "id" in row:
        wire["id"] = row["id"]
    if "text" in row:
        wire["text"] = row["text"]
    return wire


def _spoiled(item_type: ItemType, brand: str) -> dict[str, object]:
    template: dict[str, object] = {"id": "malformed", "productId": "100000001", "createdAt": "2020-01-01T00:00:00Z"}
    if item_type is ItemType.REVIEW:
        return {**feedback_row(template, brand), "productValuation": 7}
    return question_row(template, brand)  # a question without its text


def _reputation(world: FakeWorld) -> SimulatedReputation:
    if world.reputation is None:
        raise refuse(WB_FEEDBACKS, 404, "this fake marketplace serves no reviews or questions")
    return world.reputation


def router(world: FakeWorld) -> APIRouter:
    api = APIRouter()

    def listing(
        item_type: ItemType, request: Request, answered: bool, take: int, skip: int, order: str, since: int | None
    ) -> Any:
        endpoint, key = _KEYS[item_type]
        brand = guard(world, endpoint, request)
        batch = world.quotas[endpoint].batch or take
        if not 1 <= take <= batch or skip < 0:
            raise refuse(WB_FEEDBACKS, 400, f"take={take} must be 1 … {batch} and skip={skip} >= 0")
        if answered:
            raise refuse(WB_FEEDBACKS, 400, "isAnswered=true is not served by the fake")
        sim = _reputation(world)
        begin = datetime.fromtimestamp(since, UTC) if since is not None else None
        rows: list[FeedRow] = unanswered(sim, WB_FEEDBACKS, Marketplace.WB, item_type, brand, begin)
        if order == "dateAsc":
            rows.reverse()
        elif order != "dateDesc":
            raise refuse(WB_FEEDBACKS, 400, f"order={order!r} must be dateDesc or dateAsc")
        convert = feedback_row if item_type is ItemType.REVIEW else question_row
        page = [convert(row.row, brand) for row in served(sim, rows[skip : skip + take])]
        if world.take_malformed(endpoint):
            page.append(_spoiled(item_type, brand))
        data = {"countUnanswered": len(rows), "countArchive": 0, key: page}
        return {"data": data, "error": False, "errorText": "", "additionalErrors": None}

    @api.get("/api/v1/feedbacks")
    def feedbacks(
        request: Request,
        isAnswered: bool = Query(),
        take: int = Query(),
        skip: int = Query(0),
        order: str = Query("dateDesc"),
        dateFrom: int | None = Query(None),
    ) -> Any:
        return listing(ItemType.REVIEW, request, isAnswered, take, skip, order, dateFrom)

    @api.get("/api/v1/questions")
    def questions(
        request: Request,
        isAnswered: bool = Query(),
        take: int = Query(),
        skip: int = Query(0),
        order: str = Query("dateDesc"),
        dateFrom: int | None = Query(None),
    ) -> Any:
        return listing(ItemType.QUESTION, request, isAnswered, take, skip, order, dateFrom)

    def answer(item_type: ItemType, endpoint: str, request: Request, external_id: object, text: object) -> None:
        brand = guard(world, endpoint, request)
        if not isinstance(external_id, str) or not external_id or not isinstance(text, str):
            raise refuse(WB_FEEDBACKS, 400, f"id={external_id!r} and text must be strings")
        done = publish(_reputation(world), Marketplace.WB, item_type, brand, external_id, text)
        if done.outcome is PublishOutcome.ALREADY_ANSWERED:
            raise refuse(WB_FEEDBACKS, 400, f"{item_type} id={external_id} is {ALREADY_ANSWERED}")
        if done.outcome is None:
            raise refuse(WB_FEEDBACKS, done.status, done.message)

    @api.post("/api/v1/feedbacks/answer", status_code=204)
    def answer_feedback(request: Request, payload: dict[str, Any] = Body()) -> Response:
        answer(ItemType.REVIEW, "wb.feedbacks.answer", request, payload.get("id"), payload.get("text"))
        return Response(status_code=204)

    @api.patch("/api/v1/questions")
    def answer_question(request: Request, payload: dict[str, Any] = Body()) -> Any:
        reply = payload.get("answer")
        text = reply.get("text") if isinstance(reply, dict) else None
        answer(ItemType.QUESTION, "wb.questions.answer", request, payload.get("id"), text)
        return {"data": None, "error": False, "errorText": "", "additionalErrors": None}

    return api
