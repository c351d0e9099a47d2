"""The fake Ozon Seller API: FBO stock, sales analytics and clusters; reviews and questions.

Served from the world's ``SimulatedOzonFbo`` (one seller account, whichever brand asks) and
``SimulatedReputation`` (platform ozon, the calling brand's feed). Every handler first checks
``Client-Id`` + ``Api-Key`` and takes the endpoint's quota for the brand (``common.guard``:
401, 429 with ``Retry-After``); errors use Ozon's shape ``{"code", "message", "details"}``.

FBO (``/v1/cluster/list``, ``/v1/analytics/stocks``, ``/v1/analytics/data``): the simulated
FBO already answers in Ozon's field names and units (``simulated/fbo_rows.py``); here its
refusals become HTTP — more than 100 SKUs or a ``limit`` over 1000 → 400, a second analytics
call within its minute → 429 with ``Retry-After``.

Reviews and questions: the feed's rows (one shape for every platform) are rewritten into the
Seller API's documented rows — a review ``{id, sku, text, rating, published_at, status
(UNPROCESSED | PROCESSED), comments_amount, order_status, is_rating_participant,
photos_amount, videos_amount}``, a question ``{id, sku, text, author_name, published_at, status
(NEW | PROCESSED), answers_count, product_url, question_link}`` — keeping the feed's own
malformed rows as they are (a missing id or text, a rating out of range). Pages run newest
first (``sort_dir`` for reviews) and continue after ``last_id`` by the item's time and id, so an
item answered between two pages does not shift the next. Reviews come ``limit`` (20 … 100) a
page, questions 100. ``/v2/review/list`` keeps v1's documented request and reply (the path is
SPEC §6's). ``/v1/question/info {question_id}`` gives one question (its SKU is what an answer
needs).

The simulated reputation's faults hold on the wire: within an Ozon outage every list, info
and answer call is a 503, and a planted publish failure a 502 (the client's retries meet them
as a real 5xx); list calls are counted in its counters as its own fetch counts them.

An answer goes to ``SimulatedReputation.publish``: a second answer to an item is refused 409
``{"code": 6}`` (gRPC ``ALREADY_EXISTS``; Ozon documents no example, a faithful design); a
blank or too long text, an unknown id, or a question's SKU that is not its own → 400/404.

``world.malform(endpoint)`` spoils one row of the endpoint's next reply: a stock row's count
goes negative, a sales row's units become text, a review's rating becomes text, a question
loses its SKU, a cluster its name.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from adolf.adapters.marketplaces.http.quotas import OZON_SELLER
from adolf.adapters.marketplaces.simulated.ozon_fbo import SimulatedOzonFbo
from adolf.adapters.marketplaces.simulated.reputation import ENDPOINTS, SimulatedReputation
from adolf.adapters.marketplaces.simulated.reputation_feed import FeedRow
from adolf.application.logistic.ozon_fbo import QuotaExceeded
from adolf.application.ports.ads_marketplace import MarketplaceError, MarketplaceRejected
from adolf.application.reputation.marketplace import PublishOutcome
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import ItemType

from .common import FakeRefusal, check_batch, guard, refuse
from .reputation_rows import served
from .world import FakeWorld

QUESTIONS_PAGE = 100
REVIEWS_LIMITS = (20, 100)
_INSTANT = timedelta(microseconds=1)
_ALREADY_EXISTS = 6  # gRPC code
_UNAVAILABLE = 14


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise refuse(OZON_SELLER, 400, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise refuse(OZON_SELLER, 400, f"the body is {type(body).__name__}, not an object")
    return body


def _error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, "details": []}, status)


def _fbo(world: FakeWorld) -> SimulatedOzonFbo:
    if world.ozon_fbo is None:
        raise refuse(OZON_SELLER, 404, "this fake world has no Ozon FBO")
    return world.ozon_fbo


def _reputation(world: FakeWorld) -> SimulatedReputation:
    if world.reputation is None:
        raise refuse(OZON_SELLER, 404, "this fake world has no reviews or questions")
    return world.reputation


def _simulated(call: Any, *args: Any) -> Any:
    """The simulated object's answer, its refusals as HTTP."""
    try:
        return call(*args)
    except QuotaExceeded as error:
        raise FakeRefusal(OZON_SELLER, 429, str(error), retry_after=max(1, math.ceil(error.retry_after))) from None
    except MarketplaceRejected as error:
        status = 404 if " 404 " in str(error) else 400
        raise refuse(OZON_SELLER, status, str(error)) from None


def router(world: FakeWorld) -> APIRouter:
    api = APIRouter()

    # -- FBO ------------------------------------------------------------------------------------

    @api.post("/v1/cluster/list")
    async def cluster_list(request: Request) -> dict[str, Any]:
        guard(world, "ozon.clusters", request)
        body = await _body(request)
        with world.lock:
            reply: dict[str, Any] = _simulated(_fbo(world).post_cluster_list, body)
        clusters = reply["clusters"]
        if clusters and world.take_malformed("ozon.clusters"):
            clusters[0] = {**clusters[0], "name": ""}
        return reply

    @api.post("/v1/analytics/stocks")
    async def analytics_stocks(request: Request) -> dict[str, Any]:
        guard(world, "ozon.stocks", request)
        body = await _body(request)
        skus = body.get("skus")
        if isinstance(skus, list):
            check_batch(world, "ozon.stocks", skus)
        with world.lock:
            reply: dict[str, Any] = _simulated(_fbo(world).post_analytics_stocks, body)
        items = reply["items"]
        if items and world.take_malformed("ozon.stocks"):
            items[0] = {**items[0], "available_stock_count": -7}
        return reply

    @api.post("/v1/analytics/data")
    async def analytics_data(request: Request) -> dict[str, Any]:
        guard(world, "ozon.analytics", request)
        body = await _body(request)
        limit = body.get("limit")
        batch = world.quotas["ozon.analytics"].batch
        if isinstance(limit, int) and batch is not None and limit > batch:
            raise refuse(OZON_SELLER, 400, f"limit={limit} must be at most {batch}")
        with world.lock:
            reply: dict[str, Any] = _simulated(_fbo(world).post_analytics_data, body)
        data = reply["result"]["data"]
        if data and world.take_malformed("ozon.analytics"):
            data[0] = {**data[0], "metrics": ["many", *data[0]["metrics"][1:]]}
        return reply

    # -- reviews ----------------------------------------------------------------------------------

    @api.post("/v2/review/list")
    async def review_list(request: Request) -> dict[str, Any]:
        brand = guard(world, "ozon.reviews", request)
        body = await _body(request)
        limit = body.get("limit", REVIEWS_LIMITS[1])
        if isinstance(limit, bool) or not isinstance(limit, int) or not REVIEWS_LIMITS[0] <= limit <= REVIEWS_LIMITS[1]:
            raise refuse(OZON_SELLER, 400, f"limit={limit!r} must be {REVIEWS_LIMITS[0]} … {REVIEWS_LIMITS[1]}")
        status = _choice(body.get("status", "ALL"), ("ALL", "UNPROCESSED", "PROCESSED"), "status")
        newest_first = _choice(body.get("sort_dir", "DESC"), ("ASC", "DESC"), "sort_dir") == "DESC"
        with world.lock:
            page, more = _page(world, brand, ItemType.REVIEW, status, None, newest_first, body.get("last_id"), limit)
            answered = _reputation(world).state.answered(Marketplace.OZON, ItemType.REVIEW, brand)
        rows = [_review(row, row.external_id in answered) for row in page]
        whole = [row for row in rows if "id" in row]  # a row the feed broke already would hide it
        if whole and world.take_malformed("ozon.reviews"):
            whole[0]["rating"] = "five"
        return {"reviews": rows, "has_next": more, "last_id": page[-1].external_id if page else ""}

    @api.post("/v1/review/comment/create")
    async def review_comment(request: Request) -> Any:
        brand = guard(world, "ozon.reviews.answer", request)
        body = await _body(request)
        review_id, text = body.get("review_id"), body.get("text")
        if not isinstance(review_id, str) or not review_id or not isinstance(text, str):
            raise refuse(OZON_SELLER, 400, "review_id and text are required strings")
        return _answer(world, ItemType.REVIEW, brand, review_id, text, "comment_id")

    # -- questions --------------------------------------------------------------------------------

    @api.post("/v1/question/list")
    async def question_list(request: Request) -> dict[str, Any]:
        brand = guard(world, "ozon.questions", request)
        body = await _body(request)
        wanted = body.get("filter") or {}
        if not isinstance(wanted, dict):
            raise refuse(OZON_SELLER, 400, f"filter={wanted!r} is not an object")
        status = _choice(wanted.get("status", "ALL"), ("ALL", "NEW", "VIEWED", "UNPROCESSED", "PROCESSED"), "status")
        since = _moment(wanted.get("date_from"), "filter.date_from")
        with world.lock:
            page, more = _page(
                world, brand, ItemType.QUESTION, status, since, True, body.get("last_id"), QUESTIONS_PAGE
            )
            answered = _reputation(world).state.answered(Marketplace.OZON, ItemType.QUESTION, brand)
        rows = [_question(row, row.external_id in answered) for row in page]
        whole = [row for row in rows if "id" in row and "text" in row]
        if whole and world.take_malformed("ozon.questions"):
            del whole[0]["sku"]
        return {"questions": rows, "last_id": page[-1].external_id if page and more else ""}

    @api.post("/v1/question/info")
    async def question_info(request: Request) -> dict[str, Any]:
        brand = guard(world, "ozon.questions.info", request)
        body = await _body(request)
        outage = _reputation(world).faults.outage(Marketplace.OZON, world.clock.now())
        if outage is not None:
            raise FakeRefusal(
                OZON_SELLER, 503, f"service unavailable until {outage.end.isoformat()} (simulated outage)"
            )
        with world.lock:
            row = _written(world, ItemType.QUESTION, brand, body.get("question_id"))
            answered = _reputation(world).state.answered(Marketplace.OZON, ItemType.QUESTION, brand)
        return _question(row, row.external_id in answered)

    @api.post("/v1/question/answer/create")
    async def question_answer(request: Request) -> Any:
        brand = guard(world, "ozon.questions.answer", request)
        body = await _body(request)
        question_id, sku, text = body.get("question_id"), body.get("sku"), body.get("text")
        if not isinstance(question_id, str) or not isinstance(text, str) or isinstance(sku, bool):
            raise refuse(OZON_SELLER, 400, "question_id, sku and text are required")
        with world.lock:
            row = _written(world, ItemType.QUESTION, brand, question_id)
        if str(sku) != str(row.row.get("productId")):
            raise refuse(OZON_SELLER, 400, f"sku={sku!r} is not the SKU of question {question_id}")
        return _answer(world, ItemType.QUESTION, brand, question_id, text, "answer_id")

    return api


def _choice(value: object, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise refuse(OZON_SELLER, 400, f"{name}={value!r} must be one of {', '.join(allowed)}")
    return str(value)


def _moment(value: object, name: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise refuse(OZON_SELLER, 400, f"{name}={value!r} is not an RFC 3339 time") from None
    if moment.tzinfo is None:
        raise refuse(OZON_SELLER, 400, f"{name}={value!r} has no time zone")
    return moment


def _page(
    world: FakeWorld,
    brand: str,
    item_type: ItemType,
    status: str,
    since: datetime | None,
    newest_first: bool,
    last_id: object,
    size: int,
) -> tuple[list[FeedRow], bool]:
    """One page of the brand's items and whether more follow."""
    reputation = _reputation(world)
    now = world.clock.now()
    _listing(reputation, item_type, now)
    start = reputation.origin if since is None else max(since, reputation.origin)
    answered = reputation.state.answered(Marketplace.OZON, item_type, brand)
    rows = reputation.items(Marketplace.OZON, item_type, brand, start, now + _INSTANT)
    if status in ("UNPROCESSED", "NEW", "VIEWED"):
        rows = [r for r in rows if r.external_id not in answered]
    elif status == "PROCESSED":
        rows = [r for r in rows if r.external_id in answered]
    rows.sort(key=lambda r: (r.created_at, r.external_id), reverse=newest_first)
    if isinstance(last_id, str) and last_id:
        after = reputation.feed.locate(Marketplace.OZON, item_type, brand, last_id)
        if after is None:
            raise refuse(OZON_SELLER, 400, f"last_id={last_id!r} is not an id of this list")
        mark = (after.created_at, after.external_id)
        if newest_first:
            rows = [r for r in rows if (r.created_at, r.external_id) < mark]
        else:
            rows = [r for r in rows if (r.created_at, r.external_id) > mark]
    return served(reputation, rows[:size]), len(rows) > size


def _listing(reputation: SimulatedReputation, item_type: ItemType, now: datetime) -> None:
    """Count the list call as the simulated port counts its own (its report reads them) and
    answer 503 within one of its outages, as it does."""
    name = f"calls {Marketplace.OZON} {ENDPOINTS[(Marketplace.OZON, item_type)][0]}"
    outage = reputation.faults.outage(Marketplace.OZON, now)
    if outage is not None:
        reputation.state.count(name, "outage_refusals")
        raise FakeRefusal(OZON_SELLER, 503, f"service unavailable until {outage.end.isoformat()} (simulated outage)")
    reputation.state.call(name, now, None)


def _written(world: FakeWorld, item_type: ItemType, brand: str, ident: object) -> FeedRow:
    reputation = _reputation(world)
    row = None
    if isinstance(ident, str) and ident:
        row = reputation.feed.locate(Marketplace.OZON, item_type, brand, ident)
    if row is None or row.created_at > world.clock.now():
        raise refuse(OZON_SELLER, 404, f"{item_type} id={ident!r} not found")
    return row


def _review(feed: FeedRow, answered: bool) -> dict[str, Any]:
    row = feed.row
    review: dict[str, Any] = {k: row[k] for k in ("id", "text", "rating") if k in row}
    review.update(
        sku=int(str(row["productId"])),
        published_at=row["createdAt"],
        status="PROCESSED" if answered else "UNPROCESSED",
        comments_amount=int(answered),
        order_status="DELIVERED",
        is_rating_participant=True,
        photos_amount=0,
        videos_amount=0,
    )
    return review


def _question(feed: FeedRow, answered: bool) -> dict[str, Any]:
    row = feed.row
    question: dict[str, Any] = {k: row[k] for k in ("id", "text") if k in row}
    sku = int(str(row["productId"]))
    question.update(
        sku=sku,
        author_name=row.get("author") or "",
        published_at=row["createdAt"],
        status="PROCESSED" if answered else "NEW",
        answers_count=int(answered),
        product_url=f"https://www.ozon.ru/product/{sku}/",
        question_link=f"https://www.ozon.ru/product/{sku}/questions/?qid={feed.external_id}",
    )
    return question


def _answer(world: FakeWorld, item_type: ItemType, brand: str, ident: str, text: str, key: str) -> Any:
    reputation = _reputation(world)
    try:
        outcome = _simulated(reputation.publish, Marketplace.OZON, item_type, brand, ident, text)
    except MarketplaceError as error:  # the simulation's outage (503) or planted failure (502)
        return _error(502 if " 502 " in str(error) else 503, _UNAVAILABLE, str(error))
    if outcome is PublishOutcome.ALREADY_ANSWERED:
        return _error(409, _ALREADY_EXISTS, f"{item_type} {ident} already has an answer")
    return {key: str(uuid.uuid5(uuid.NAMESPACE_URL, f"{item_type}/{ident}"))}


__all__ = ["router"]
