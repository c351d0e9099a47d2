"""Clients per host and brand: the host's base URL, the brand's credentials in the host's
headers, the brand as the quota's cabinet; a brand without credentials fails when used."""

from __future__ import annotations

import httpx
import pytest

from adolf.adapters.marketplaces.http.errors import MissingCredentials
from adolf.adapters.marketplaces.http.factory import MarketplaceClients
from adolf.adapters.marketplaces.http.quotas import OZON_PERFORMANCE, OZON_SELLER, WB_FEEDBACKS, YM
from adolf.adapters.marketplaces.http.token_store import MemoryTokenStore

from .conftest import CountingLimiter

ENV = {
    "ADOLF_WB_API_TOKEN__ACME": "wb-acme",
    "ADOLF_WB_API_TOKEN__GLOBEX": "wb-globex",
    "ADOLF_OZON_CLIENT_ID": "ozon-id",
    "ADOLF_OZON_API_KEY": "ozon-key",
    "ADOLF_OZON_PERFORMANCE_CLIENT_ID__ACME": "perf-id",
    "ADOLF_OZON_PERFORMANCE_CLIENT_SECRET__ACME": "perf-secret",
    "ADOLF_WB_FEEDBACKS_URL": "http://127.0.0.1:9000",
}


def _seen() -> tuple[list[httpx.Request], httpx.MockTransport]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/api/client/token":
            return httpx.Response(200, json={"access_token": "bearer-1", "expires_in": 1800})
        return httpx.Response(200, json={})

    return seen, httpx.MockTransport(answer)


def test_each_brand_calls_its_host_with_its_own_credentials_under_its_own_quota() -> None:
    seen, transport = _seen()
    limiter = CountingLimiter()
    with MarketplaceClients(limiter, MemoryTokenStore(), ENV, transport=transport) as clients:
        clients.client(WB_FEEDBACKS, "acme").request("wb.feedbacks", "GET", "/api/v1/feedbacks")
        clients.client(WB_FEEDBACKS, "globex").request("wb.questions", "GET", "/api/v1/questions")
        clients.client(OZON_SELLER, "globex").request("ozon.clusters", "POST", "/v1/cluster/list", json={})
        clients.client(OZON_PERFORMANCE, "acme").request("ozon_perf.campaigns", "GET", "/api/client/campaign")
        assert clients.client(WB_FEEDBACKS, "acme") is clients.client(WB_FEEDBACKS, "acme")
    assert [str(r.url) for r in seen] == [
        "http://127.0.0.1:9000/api/v1/feedbacks",
        "http://127.0.0.1:9000/api/v1/questions",
        "https://api-seller.ozon.ru/v1/cluster/list",
        "https://api-performance.ozon.ru/api/client/token",
        "https://api-performance.ozon.ru/api/client/campaign",
    ]
    assert [r.headers.get("Authorization") for r in seen[:2]] == ["wb-acme", "wb-globex"]
    assert (seen[2].headers["Client-Id"], seen[2].headers["Api-Key"]) == ("ozon-id", "ozon-key")
    assert seen[4].headers["Authorization"] == "Bearer bearer-1"
    assert [cabinet for _, cabinet in limiter.taken] == ["acme", "globex", "globex", "acme", "acme"]


def test_a_brand_without_credentials_for_a_marketplace_fails_when_it_is_used() -> None:
    _, transport = _seen()
    clients = MarketplaceClients(CountingLimiter(), MemoryTokenStore(), ENV, transport=transport)
    with pytest.raises(MissingCredentials, match=r"set ADOLF_YM_API_KEY__ACME \(or ADOLF_YM_API_KEY"):
        clients.client(YM, "acme")
    with pytest.raises(ValueError, match=r"api='wb' must be one of"):
        clients.client("wb", "acme")
