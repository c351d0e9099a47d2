"""The fake marketplace in process with the simulated reviews and questions, and the real
HTTP clients pointed at it: what the Reputation contract tests (WB, YM, the router) share.

The world's clock is a ``ManualClock`` that the clients' sleeps advance, so a 429's
``Retry-After`` is waited out on it, in no wall time. The clients' own limiter only counts
(the fake's quota is what these tests meet); every request is recorded as sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from starlette.testclient import TestClient

from adolf.adapters.clocks import ManualClock
from adolf.adapters.marketplaces.fake_server import ROUTERS, FakeWorld, build_app, build_world, wb_feedbacks, ym
from adolf.adapters.marketplaces.http.auth import ozon_seller_auth, wb_auth, ym_auth
from adolf.adapters.marketplaces.http.client import MarketplaceHttpClient, RetryPolicy
from adolf.adapters.marketplaces.http.credentials import CabinetCredentials
from adolf.adapters.marketplaces.http.quotas import OZON_SELLER, WB_FEEDBACKS, YM, Quota
from adolf.adapters.marketplaces.simulated.reputation import ReputationFaults, SimulatedReputation
from tests.unit.adapters.http.conftest import CountingLimiter

#: a Thursday evening in Moscow: the feed (from the Moscow midnight) holds most of a day
NOW = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
START = datetime(2026, 12, 2, 21, 0, tzinfo=UTC)
_AUTHS = {WB_FEEDBACKS: wb_auth, YM: ym_auth, OZON_SELLER: ozon_seller_auth}


@dataclass
class Rig:
    world: FakeWorld
    clock: ManualClock
    sim: SimulatedReputation
    http: TestClient
    sent: list[httpx.Request]
    slept: list[float]
    limiter: CountingLimiter
    credentials: dict[str, dict[str, str]]

    def client(self, api: str, brand: str) -> MarketplaceHttpClient:
        """``MarketplaceClients.client``'s part: the brand's auth for the host, over the fake."""
        auth = _AUTHS[api](CabinetCredentials(brand, self.credentials[brand]))
        return MarketplaceHttpClient(
            "http://testserver",
            brand,
            auth,
            self.limiter,
            retry=RetryPolicy(attempts=3, backoff=0.01, backoff_max=0.01, jitter=0),
            http=self.http,
            sleep=self._sleep,
        )

    def _sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(seconds)

    def requests(self, path: str) -> list[httpx.Request]:
        return [request for request in self.sent if request.url.path.endswith(path)]


def rig(
    *,
    seed: int = 11,
    brands: tuple[str, ...] = ("acme",),
    malformed_rate: float = 0.1,
    faults: ReputationFaults | None = None,
    enforce_quotas: bool = True,
    quotas: Mapping[str, Quota] | None = None,
) -> Rig:
    clock = ManualClock(NOW)
    world = build_world(
        clock,
        seed=seed,
        brands=brands,
        campaigns=1,
        keywords=1,
        fbo_articles=None,
        enforce_quotas=enforce_quotas,
        quotas=quotas,
    )
    world.reputation = SimulatedReputation(seed, clock, start=START, malformed_rate=malformed_rate, faults=faults)
    app = build_app(world)
    for module in (wb_feedbacks, ym):
        if module.__name__ not in ROUTERS:
            app.include_router(module.router(world))
    sent: list[httpx.Request] = []
    http = TestClient(app)
    http.event_hooks["request"] = [sent.append]
    credentials = {brand: dict(values) for brand, values in world.credentials.items()}
    return Rig(world, clock, world.reputation, http, sent, [], CountingLimiter(), credentials)


def reference(seed: int = 11, malformed_rate: float = 0.1) -> SimulatedReputation:
    """The same feed in-process: what the simulated port answers, to compare the wire's with."""
    return SimulatedReputation(seed, ManualClock(NOW), start=START, malformed_rate=malformed_rate)
