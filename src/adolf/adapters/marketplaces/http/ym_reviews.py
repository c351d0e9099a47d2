"""Reviews and questions on Yandex.Market over HTTP (shapes in ``wire_ym_reviews``).

Every call names the brand's cabinet twice: its ``Api-Key`` and its ``businessId`` in the path
(``business_ids``: brand → YM business id; a brand without one is refused, naming it).
``business_ids_from_env`` reads them as the credentials are read: ``ADOLF_YM_BUSINESS_ID__<BRAND>``,
else ``ADOLF_YM_BUSINESS_ID`` for every brand (not a secret: YM shows it in the cabinet's URL).

**fetch** pages through ``goods-feedback`` (``reactionStatus: NEED_REACTION``) or
``goods-questions`` (``answered: false``), ``limit`` 50 (YM's most) and ``page_token`` from
each reply's ``paging.nextPageToken`` until there is none. YM's ``dateTimeFrom`` excludes the
moment it names, so ``since`` goes as the whole second before it, and the rows of that second
are dropped here: the port promises items created at or after ``since``. A malformed row is
skipped and counted, the rest of the page kept.

**publish** posts the answer (a feedback's comment, or a question's answer with
``operationType: CREATE``); YM's ids are numbers, so an id that is not one is refused before
any call. A refusal saying the item is already answered is ``ALREADY_ANSWERED``. Quotas (the
limiter): goods-feedback 1000 requests an hour, goods-questions 10 000 an hour per cabinet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from adolf.application.ports.ads_marketplace import Fetched, MarketplaceRejected
from adolf.application.reputation.marketplace import PublishOutcome
from adolf.domain.reputation.items import Item, ItemType

from .credentials import brand_suffix
from .errors import FailedCall, RejectedCall
from .quotas import YM
from .reputation_router import HttpClients
from .validation import parse_model, parse_page
from .wire_ym_reviews import (
    ALREADY_ANSWERED,
    PAGE_LIMIT,
    YmFeedback,
    YmPaging,
    YmQuestion,
    feedback_item,
    question_item,
)

#: item type → (list endpoint, path under the business, the rows' key under ``result``)
LISTS = {
    ItemType.REVIEW: ("ym.feedbacks", "/v2/businesses/{id}/goods-feedback", "feedbacks"),
    ItemType.QUESTION: ("ym.questions", "/v1/businesses/{id}/goods-questions", "questions"),
}
_FILTERS: dict[ItemType, dict[str, Any]] = {
    ItemType.REVIEW: {"reactionStatus": "NEED_REACTION"},
    ItemType.QUESTION: {"answered": False},
}


BUSINESS_ID_VARIABLE = "ADOLF_YM_BUSINESS_ID"


def business_ids_from_env(brands: Iterable[str], env: Mapping[str, str]) -> dict[str, int]:
    """Each brand's YM business id from the environment; brands with none are left out (their
    calls are refused then). A value that is not a whole number >= 1 is refused, naming it."""
    found: dict[str, int] = {}
    for brand in brands:
        name = f"{BUSINESS_ID_VARIABLE}__{brand_suffix(brand)}"
        value = env.get(name, "").strip() or env.get(BUSINESS_ID_VARIABLE, "").strip()
        if not value:
            continue
        if not value.isascii() or not value.isdigit() or int(value) < 1:
            raise ValueError(f"{name}={value!r} must be a Yandex.Market business id (a whole number >= 1)")
        found[brand] = int(value)
    return found


def date_time_from(since: datetime) -> str:
    """``since`` as YM's excluded lower bound: the whole second before it, so it is included."""
    return (since - timedelta(seconds=1)).replace(microsecond=0).isoformat()


def already_answered(refused: RejectedCall) -> bool:
    return refused.status in (400, 409) and ALREADY_ANSWERED in refused.detail.lower()


class YmReviewsClient:
    def __init__(self, clients: HttpClients, business_ids: Mapping[str, int], *, page_size: int = PAGE_LIMIT) -> None:
        if not 1 <= page_size <= PAGE_LIMIT:
            raise ValueError(f"page_size={page_size} must be 1 … {PAGE_LIMIT}")
        for brand, business in business_ids.items():
            if isinstance(business, bool) or not isinstance(business, int) or business < 1:
                raise ValueError(f"business_ids[{brand!r}]={business!r} must be a whole number >= 1")
        self._clients = clients
        self._businesses = dict(business_ids)
        self.page_size = page_size

    def business_of(self, brand: str) -> int:
        business = self._businesses.get(brand)
        if business is None:
            raise MarketplaceRejected(
                f"brand={brand!r} has no Yandex.Market businessId (known: {sorted(self._businesses)})"
            )
        return business

    def fetch(self, item_type: ItemType, brand: str, since: datetime | None) -> Fetched[Item]:
        item_type = ItemType.parse(item_type)
        endpoint, path, key = LISTS[item_type]
        path = path.format(id=self.business_of(brand))
        client = self._clients.client(YM, brand)
        body: dict[str, Any] = dict(_FILTERS[item_type])
        if since is not None:
            body["dateTimeFrom"] = date_time_from(since)
        items: list[Item] = []
        skipped: list[str] = []
        token: str | None = None
        seen: set[str] = set()
        while True:
            params: dict[str, Any] = {"limit": self.page_size, **({"page_token": token} if token else {})}
            payload = client.request_json(endpoint, "POST", path, params=params, json=body)
            at = ("result", key)
            if item_type is ItemType.REVIEW:
                page = parse_page(
                    endpoint,
                    payload,
                    YmFeedback,
                    at,
                    convert=lambda row: feedback_item(row, brand),
                    id_field="feedbackId",
                )
            else:
                page = parse_page(endpoint, payload, YmQuestion, at, convert=lambda row: question_item(row, brand))
            items.extend(item for item in page.items if since is None or item.created_at >= since)
            skipped.extend(page.skipped)
            paging = parse_model(endpoint, payload["result"].get("paging") or {}, YmPaging)
            if not paging.nextPageToken or (not page.items and not page.skipped):
                return Fetched(tuple(items), tuple(skipped))
            if paging.nextPageToken in seen:  # a server going round in circles would never end the fetch
                raise FailedCall(endpoint, None, f"nextPageToken={paging.nextPageToken!r} came back a second time")
            seen.add(paging.nextPageToken)
            token = paging.nextPageToken

    def publish(self, item_type: ItemType, brand: str, external_id: str, text: str) -> PublishOutcome:
        item_type = ItemType.parse(item_type)
        if not external_id.isascii() or not external_id.isdigit():
            raise MarketplaceRejected(f"external_id={external_id!r} is not a Yandex.Market id (a number)")
        business = self.business_of(brand)
        client = self._clients.client(YM, brand)
        ident = int(external_id)
        try:
            if item_type is ItemType.REVIEW:
                client.request(
                    "ym.feedbacks.answer",
                    "POST",
                    f"/v2/businesses/{business}/goods-feedback/comments/update",
                    json={"feedbackId": ident, "comment": {"text": text}},
                )
            else:
                body = {"operationType": "CREATE", "parentEntityId": {"id": ident, "type": "QUESTION"}, "text": text}
                client.request(
                    "ym.questions.answer", "POST", f"/v1/businesses/{business}/goods-questions/update", json=body
                )
        except RejectedCall as refused:
            if already_answered(refused):
                return PublishOutcome.ALREADY_ANSWERED
            raise
        return PublishOutcome.PUBLISHED
