"""The advertising clients' contract rig: the wire-level fake over a simulated market, reached in
process through starlette's ``TestClient``, on a manual clock that a client's sleeps advance,
with every request kept. Each marketplace's test subclasses ``AdsRig`` with its ``client()``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from hypothesis import strategies as st
from starlette.testclient import TestClient

from adolf.adapters.clocks import ManualClock
from adolf.adapters.marketplaces.fake_server import FakeWorld, build_app, build_world
from adolf.adapters.marketplaces.http.auth import Auth
from adolf.adapters.marketplaces.http.client import MarketplaceHttpClient, RetryPolicy
from adolf.application.ports.ads_marketplace import BidChange

from .conftest import CountingLimiter

FAST_RETRY = RetryPolicy(attempts=3, backoff=0.01, backoff_max=0.01, jitter=0)


@dataclass
class AdsRig:
    world: FakeWorld
    clock: ManualClock
    http: TestClient
    sent: list[httpx.Request]
    slept: list[float]
    limiter: CountingLimiter

    def http_client(self, auth: Auth) -> MarketplaceHttpClient:
        """Brand ``acme``'s client over the fake, sleeping on the rig's clock."""
        return MarketplaceHttpClient(
            "http://testserver",
            "acme",
            auth,
            self.limiter,
            retry=FAST_RETRY,
            http=self.http,
            sleep=self._sleep,
            now=self.clock.now,
        )

    def _sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(seconds)

    def to(self, path: str) -> list[httpx.Request]:
        return [request for request in self.sent if request.url.path == path]


def fake_ads(
    now: datetime, campaigns: int, keywords: int
) -> tuple[FakeWorld, ManualClock, TestClient, list[httpx.Request]]:
    """A fake with only the advertising market (no FBO, no reviews), and the list its requests go to."""
    clock = ManualClock(now)
    world = build_world(clock, campaigns=campaigns, keywords=keywords, fbo_articles=None, reputation=False)
    sent: list[httpx.Request] = []
    http = TestClient(build_app(world))
    http.event_hooks["request"].append(sent.append)
    return world, clock, http, sent


def body(request: httpx.Request) -> object:
    return json.loads(request.content)


def any_bids_land_as_sent(data: st.DataObject, simulated: Any, client: Any, campaign_id: str, keywords: int) -> None:
    """Draw a bid to the kopeck in ``[minimum, 10 × minimum]`` for each of the campaign's keywords,
    send them through ``client``: all applied, and the market and the client read them back as sent."""
    listed = simulated.list_keywords(campaign_id).items
    changes = []
    for keyword in listed:
        assert keyword.min_bid is not None
        bid = data.draw(st.decimals(min_value=keyword.min_bid, max_value=keyword.min_bid * 10, places=2))
        changes.append(BidChange(keyword.external_id, bid))
    result = client.update_bids(campaign_id, changes, "key")
    assert result.rejected == () and len(result.applied) == keywords
    assert [k.bid for k in simulated.list_keywords(campaign_id).items] == [c.bid for c in changes]
    assert [k.bid for k in client.list_keywords(campaign_id).items] == [c.bid for c in changes]
