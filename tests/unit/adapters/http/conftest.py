"""A scripted marketplace over ``httpx.MockTransport`` (the HTTP layer's own fake: the real
marketplace is out of reach) and a limiter that counts what it was asked for."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest

from adolf.adapters.marketplaces.http.auth import Auth, HeaderAuth
from adolf.adapters.marketplaces.http.client import MarketplaceHttpClient, RetryPolicy

Reply = httpx.Response | Exception
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@dataclass
class ScriptedMarketplace:
    """Answers each request with the next reply of ``script`` (the last one repeats); an
    exception is raised as the transport's. Keeps every request it saw."""

    script: list[Reply]
    seen: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        reply = self.script[min(len(self.seen), len(self.script)) - 1]
        if isinstance(reply, Exception):
            raise reply
        return reply


@dataclass
class CountingLimiter:
    taken: list[tuple[str, str]] = field(default_factory=list)

    def acquire(self, endpoint: str, cabinet: str, max_wait: float | None = None) -> float:
        self.taken.append((endpoint, cabinet))
        return 0.0


@dataclass
class Harness:
    marketplace: ScriptedMarketplace
    limiter: CountingLimiter
    slept: list[float]
    client: MarketplaceHttpClient


def harness(
    script: Iterable[Reply] | Callable[[httpx.Request], httpx.Response],
    auth: Auth | None = None,
    retry: RetryPolicy | None = None,
) -> Harness:
    marketplace = script if isinstance(script, ScriptedMarketplace) else None
    handler: Callable[[httpx.Request], httpx.Response]
    if marketplace is None and callable(script):
        handler = script
        marketplace = ScriptedMarketplace([])
    else:
        marketplace = marketplace or ScriptedMarketplace(list(script))  # type: ignore[arg-type]
        handler = marketplace
    limiter = CountingLimiter()
    slept: list[float] = []
    client = MarketplaceHttpClient(
        "https://advert-api.example",
        "acme",
        auth or HeaderAuth({"Authorization": "wb-token-0123456789"}),
        limiter,
        retry=retry or RetryPolicy(),
        transport=httpx.MockTransport(handler),
        sleep=slept.append,
        now=lambda: NOW,
    )
    return Harness(marketplace, limiter, slept, client)


@pytest.fixture
def make() -> Callable[..., Harness]:
    return harness
