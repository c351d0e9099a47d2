"""Each marketplace's auth headers; Ozon Performance's token fetched once, renewed once on 401."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import httpx
import pytest

from adolf.adapters.marketplaces.http.auth import (
    NO_AUTH,
    OzonPerformanceAuth,
    ozon_seller_auth,
    wb_auth,
    ym_auth,
)
from adolf.adapters.marketplaces.http.client import MarketplaceHttpClient
from adolf.adapters.marketplaces.http.credentials import cabinet_credentials
from adolf.adapters.marketplaces.http.errors import FailedCall, UnauthorisedCall
from adolf.adapters.marketplaces.http.token_store import IssuedToken, MemoryTokenStore

from .conftest import CountingLimiter, harness

ENV = {
    "ADOLF_WB_API_TOKEN__ACME": "wb-acme-token",
    "ADOLF_OZON_CLIENT_ID__ACME": "ozon-client-1",
    "ADOLF_OZON_API_KEY__ACME": "ozon-key-acme",
    "ADOLF_YM_API_KEY": "ym-key-shared",
    "ADOLF_OZON_PERFORMANCE_CLIENT_ID__ACME": "perf-client-1",
    "ADOLF_OZON_PERFORMANCE_CLIENT_SECRET__ACME": "perf-secret-acme",
}
ACME = cabinet_credentials("acme", ENV)


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        (wb_auth(ACME), {"authorization": "wb-acme-token"}),
        (ozon_seller_auth(ACME), {"client-id": "ozon-client-1", "api-key": "ozon-key-acme"}),
        (ym_auth(ACME), {"api-key": "ym-key-shared"}),
    ],
    ids=["wb", "ozon-seller", "ym"],
)
def test_each_marketplace_sends_its_own_headers(auth: object, expected: dict[str, str]) -> None:
    h = harness([httpx.Response(200, json={})], auth=auth)  # type: ignore[arg-type]
    h.client.request("wb.adverts.count", "GET", "/adv/v1/promotion/count")
    sent = h.marketplace.seen[0].headers
    assert {name: sent[name] for name in expected} == expected


@dataclass
class PerformanceApi:
    """Ozon Performance: issues tokens ``t1``, ``t2`` …; accepts only the newest (or none)."""

    issued: list[str] = field(default_factory=list)
    token_bodies: list[dict[str, object]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)  # the bearer of each API call
    accept_newest: bool = True
    token_reply: dict[str, object] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/client/token":
            self.token_bodies.append(json.loads(request.content))
            self.issued.append(f"perf-token-{len(self.issued) + 1:04d}")
            reply = self.token_reply or {"access_token": self.issued[-1], "expires_in": 1800, "token_type": "Bearer"}
            return httpx.Response(200, json=reply)
        bearer = request.headers.get("Authorization", "")
        self.calls.append(bearer)
        if self.accept_newest and self.issued and bearer == f"Bearer {self.issued[-1]}":
            return httpx.Response(200, json={"list": []})
        return httpx.Response(401, json={"error": "token is not valid"})


def _performance(api: PerformanceApi, store: MemoryTokenStore | None = None) -> MarketplaceHttpClient:
    transport = httpx.MockTransport(api)
    limiter = CountingLimiter()
    tokens = MarketplaceHttpClient("https://perf.example", "acme", NO_AUTH, limiter, transport=transport)
    auth = OzonPerformanceAuth.from_credentials(ACME, store or MemoryTokenStore(), tokens)
    return MarketplaceHttpClient("https://perf.example", "acme", auth, limiter, transport=transport)


def _campaigns(client: MarketplaceHttpClient) -> object:
    return client.request_json("ozon_perf.campaigns", "GET", "/api/client/campaign")


def test_ozon_performance_fetches_its_token_once_with_client_credentials_and_sends_it_as_bearer() -> None:
    api = PerformanceApi()
    client = _performance(api)
    for _ in range(3):
        _campaigns(client)
    assert api.issued == ["perf-token-0001"]
    assert api.token_bodies == [
        {"client_id": "perf-client-1", "client_secret": "perf-secret-acme", "grant_type": "client_credentials"}
    ]
    assert api.calls == ["Bearer perf-token-0001"] * 3


def test_a_token_refused_with_401_is_renewed_once_and_the_call_made_once_more() -> None:
    api = PerformanceApi()
    store = MemoryTokenStore()
    store.get_or_fetch("acme", lambda: IssuedToken("revoked-token-0000", 1800))  # a token Ozon no longer takes
    assert _campaigns(_performance(api, store)) == {"list": []}
    assert api.calls == ["Bearer revoked-token-0000", "Bearer perf-token-0001"]
    assert api.issued == ["perf-token-0001"]


def test_a_401_after_the_renewal_stands() -> None:
    api = PerformanceApi(accept_newest=False)
    with pytest.raises(UnauthorisedCall, match=r"^ozon_perf.campaigns: HTTP 401: token is not valid$"):
        _campaigns(_performance(api))
    assert len(api.calls) == 2 and len(api.issued) == 2


def test_a_malformed_token_reply_fails_naming_the_endpoint_and_no_value() -> None:
    api = PerformanceApi(token_reply={"access_token": "", "expires_in": "leaked-secret-value"})
    with pytest.raises(FailedCall) as failed:
        _campaigns(_performance(api))
    assert str(failed.value).startswith("ozon_perf.token: no answer: the reply is not a _TokenReply: access_token")
    assert "leaked-secret-value" not in str(failed.value)


def test_a_token_is_handed_out_until_a_minute_before_it_expires() -> None:
    now = [0.0]
    store = MemoryTokenStore(clock=lambda: now[0])
    issued = iter(["first-token", "second-token"])

    def fetch() -> IssuedToken:
        return IssuedToken(next(issued), 1800)

    assert store.get_or_fetch("acme", fetch) == "first-token"
    now[0] = 1739.0
    assert store.get_or_fetch("acme", fetch) == "first-token"
    now[0] = 1740.0
    assert store.get_or_fetch("acme", fetch) == "second-token"


def test_invalidating_a_token_already_replaced_keeps_the_new_one() -> None:
    store = MemoryTokenStore()
    store.get_or_fetch("acme", lambda: IssuedToken("new-token", 1800))
    assert store.invalidate("acme", "old-token") is False
    assert store.get_or_fetch("acme", lambda: IssuedToken("never", 1800)) == "new-token"
    assert store.invalidate("acme", "new-token") is True


def test_auth_objects_never_print_their_secrets() -> None:
    printed = repr(ACME) + repr(wb_auth(ACME)) + repr(IssuedToken("perf-token-x", 1800))
    assert not any(secret in printed for secret in ENV.values())
