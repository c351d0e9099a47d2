"""Port: reviews and questions on the marketplaces, and the answers to them (SPEC §6).

One cabinet per brand: every call names the brand whose credentials it uses. The real adapters
page through the endpoints with their batch sizes (WB feedbacks/questions ≤ 5000 a page with a
3 requests/s quota shared by both; Ozon review list ≤ 100; YM goods-feedback 1000 requests an
hour, questions 10 000 an hour) and convert the marketplaces' shapes into ``Item`` rows
(``id`` 0, status ``new``). A malformed item is skipped and counted (``Fetched.skipped``), the
rest of the page kept.

Errors: ``MarketplaceError`` (timeout, 5xx, quota: may pass — counts as a failure for the
circuit breaker and is retried), ``MarketplaceRejected`` (refused as such: never retried).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from adolf.application.ports.ads_marketplace import Fetched
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import Item, ItemType


class PublishOutcome(StrEnum):
    PUBLISHED = "published"
    #: The marketplace already holds an answer to this item (ours, sent by an earlier attempt
    #: whose reply was lost, or a person's from the cabinet): the answer is there, a success.
    ALREADY_ANSWERED = "already_answered"


class ReputationMarketplace(Protocol):
    def fetch(self, platform: Marketplace, item_type: ItemType, brand: str, since: datetime | None) -> Fetched[Item]:
        """Items of ``brand`` of that type not yet answered on the marketplace, created at or
        after ``since`` (all still unanswered when None), newest first. The same item may come
        back on the next poll while it is unanswered: the caller dedupes."""

    def publish(
        self, platform: Marketplace, item_type: ItemType, brand: str, external_id: str, text: str
    ) -> PublishOutcome:
        """Post ``text`` as the answer to the item."""
