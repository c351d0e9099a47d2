"""``HttpReputationMarketplace``: the Reputation port over the per-platform HTTP clients.

Each marketplace has its own client with the port's two methods less the platform
(``PlatformReputation``: WB ``WbFeedbacksClient``, Ozon ``OzonReputationHttp``, YM
``YmReviewsClient``); this
router picks one by the call's platform. A platform without a client is refused as such
(``MarketplaceRejected`` naming it and the platforms served): asking again will not help, so
the runtime never retries it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from adolf.application.ports.ads_marketplace import Fetched, MarketplaceRejected
from adolf.application.reputation.marketplace import PublishOutcome
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import Item, ItemType, platform_of

from .client import MarketplaceHttpClient


class HttpClients(Protocol):
    """Where a platform client gets its HTTP client per (API host, brand): ``MarketplaceClients``."""

    def client(self, api: str, brand: str) -> MarketplaceHttpClient: ...


class PlatformReputation(Protocol):
    def fetch(self, item_type: ItemType, brand: str, since: datetime | None) -> Fetched[Item]: ...

    def publish(self, item_type: ItemType, brand: str, external_id: str, text: str) -> PublishOutcome: ...


class HttpReputationMarketplace:
    def __init__(self, clients: Mapping[Marketplace, PlatformReputation]) -> None:
        self._clients = {platform_of(platform): client for platform, client in clients.items()}

    def _client(self, platform: Marketplace) -> PlatformReputation:
        client = self._clients.get(platform)
        if client is None:
            served = ", ".join(sorted(self._clients)) or "none"
            raise MarketplaceRejected(f"platform={str(platform)!r} has no Reputation HTTP client (served: {served})")
        return client

    def fetch(self, platform: Marketplace, item_type: ItemType, brand: str, since: datetime | None) -> Fetched[Item]:
        return self._client(platform).fetch(item_type, brand, since)

    def publish(
        self, platform: Marketplace, item_type: ItemType, brand: str, external_id: str, text: str
    ) -> PublishOutcome:
        return self._client(platform).publish(item_type, brand, external_id, text)
