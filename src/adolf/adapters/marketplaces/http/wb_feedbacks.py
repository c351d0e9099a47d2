"""Reviews and questions on Wildberries over HTTP (host feedbacks-api; shapes in
``wire_wb_feedbacks``).

**fetch** pages through ``GET /api/v1/feedbacks`` or ``/api/v1/questions`` with
``isAnswered=false``, ``order=dateDesc``, ``take`` at the endpoint's batch (5000) and ``skip``
growing by it, until a page comes back short. ``since`` goes as ``dateFrom`` in whole Unix
seconds (WB's unit), rounded down, so the rows of the second before it that come back are
dropped here: the port promises items created at or after ``since``. A malformed row is
skipped and counted, the rest of the page kept. Rows answered between two pages shift
``skip``: an item may be missed until the next poll, never duplicated into a wrong one (the
caller dedupes anyway).

**publish** posts the answer (``POST /api/v1/feedbacks/answer`` for a review, ``PATCH
/api/v1/questions`` for a question). A refusal saying the item is already answered is
``ALREADY_ANSWERED``: the answer is there. Every call of these four takes the shared 3
requests/s quota of the brand's cabinet (the limiter's ``wb.feedbacks_questions`` group).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adolf.application.ports.ads_marketplace import Fetched
from adolf.application.reputation.marketplace import PublishOutcome
from adolf.domain.reputation.items import Item, ItemType

from .errors import RejectedCall
from .quotas import QUOTAS, WB_FEEDBACKS
from .reputation_router import HttpClients
from .validation import parse_page, rows_at
from .wire_wb_feedbacks import ALREADY_ANSWERED, WbFeedback, WbQuestion, feedback_item, question_item

#: item type → (list endpoint, path, the rows' key under ``data``)
LISTS = {
    ItemType.REVIEW: ("wb.feedbacks", "/api/v1/feedbacks", "feedbacks"),
    ItemType.QUESTION: ("wb.questions", "/api/v1/questions", "questions"),
}


def already_answered(refused: RejectedCall) -> bool:
    return refused.status in (400, 409) and ALREADY_ANSWERED in refused.detail.lower()


class WbFeedbacksClient:
    def __init__(self, clients: HttpClients, *, page_size: int | None = None) -> None:
        """``page_size``: ``take`` of one call (default and most: the endpoints' batch)."""
        most = min(QUOTAS[endpoint].batch or 1 for endpoint, _, _ in LISTS.values())
        if page_size is not None and not 1 <= page_size <= most:
            raise ValueError(f"page_size={page_size} must be 1 … {most}")
        self._clients = clients
        self.page_size = page_size or most

    def fetch(self, item_type: ItemType, brand: str, since: datetime | None) -> Fetched[Item]:
        endpoint, path, key = LISTS[ItemType.parse(item_type)]
        client = self._clients.client(WB_FEEDBACKS, brand)
        params: dict[str, Any] = {"isAnswered": "false", "take": self.page_size, "order": "dateDesc"}
        if since is not None:
            params["dateFrom"] = int(since.timestamp() // 1)
        items: list[Item] = []
        skipped: list[str] = []
        skip = 0
        while True:
            payload = client.request_json(endpoint, "GET", path, params={**params, "skip": skip})
            at = ("data", key)
            if item_type is ItemType.REVIEW:
                page = parse_page(
                    endpoint, payload, WbFeedback, at, convert=lambda row: feedback_item(row, brand), id_field="id"
                )
            else:
                page = parse_page(
                    endpoint, payload, WbQuestion, at, convert=lambda row: question_item(row, brand), id_field="id"
                )
            items.extend(item for item in page.items if since is None or item.created_at >= since)
            skipped.extend(page.skipped)
            if len(rows_at(endpoint, payload, at)) < self.page_size:
                return Fetched(tuple(items), tuple(skipped))
            skip += self.page_size

    def publish(self, item_type: ItemType, brand: str, external_id: str, text: str) -> PublishOutcome:
        client = self._clients.client(WB_FEEDBACKS, brand)
        try:
            if ItemType.parse(item_type) is ItemType.REVIEW:
                client.request(
                    "wb.feedbacks.answer", "POST", "/api/v1/feedbacks/answer", json={"id": external_id, "text": text}
                )
            else:
                body = {"id": external_id, "answer": {"text": text}, "state": "wb"}
                client.request("wb.questions.answer", "PATCH", "/api/v1/questions", json=body)
        except RejectedCall as refused:
            if already_answered(refused):
                return PublishOutcome.ALREADY_ANSWERED
            raise
        return PublishOutcome.PUBLISHED
