"""No credential reaches a log line: calls that succeed, fail, retry and renew a token are
logged at DEBUG by our client and by httpx/httpcore underneath, with NO secret configured in
the masker (a bearer token is issued at run time, so the masker cannot know it) — and none of
the tokens, keys or client secrets is in what was written."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
import structlog

from adolf.adapters.marketplaces.http.auth import NO_AUTH, OzonPerformanceAuth, wb_auth
from adolf.adapters.marketplaces.http.client import MarketplaceHttpClient, RetryPolicy
from adolf.adapters.marketplaces.http.credentials import cabinet_credentials
from adolf.adapters.marketplaces.http.errors import RejectedCall
from adolf.adapters.marketplaces.http.token_store import IssuedToken, MemoryTokenStore
from adolf.adapters.observability.logging import configure_logging

from .conftest import CountingLimiter

WB_TOKEN = "wbtok-7f3a9c1e5d"
PERF_SECRET = "perfsec-42b8e0d6c1"
PERF_ISSUED = "perfbearer-9d1c7a3e55"
ENV = {
    "ADOLF_WB_API_TOKEN__ACME": WB_TOKEN,
    "ADOLF_OZON_PERFORMANCE_CLIENT_ID__ACME": "perfid-1234",
    "ADOLF_OZON_PERFORMANCE_CLIENT_SECRET__ACME": PERF_SECRET,
}
SECRETS = (WB_TOKEN, PERF_SECRET, PERF_ISSUED)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    out = io.StringIO()
    configure_logging("json", "DEBUG", known_secrets=(), stream=out)
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        structlog.reset_defaults()


def _marketplace(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/api/client/token":
        return httpx.Response(200, json={"access_token": PERF_ISSUED, "expires_in": 1800})
    if path == "/api/advert/v2/adverts":
        return httpx.Response(200, json={"adverts": [{"id": 1}]})
    if path == "/api/advert/v1/bids":
        return httpx.Response(400, json={"detail": f"token {WB_TOKEN} may not change bids"})
    if path == "/api/client/campaign" and request.headers["Authorization"] != f"Bearer {PERF_ISSUED}":
        return httpx.Response(401, json={"error": "expired"})
    return httpx.Response(503) if request.headers.get("X-Fail") else httpx.Response(200, json={"list": []})


def test_no_credential_is_ever_written_to_the_log(captured: io.StringIO) -> None:
    credentials = cabinet_credentials("acme", ENV)
    transport = httpx.MockTransport(_marketplace)
    limiter = CountingLimiter()
    retry = RetryPolicy(attempts=2, backoff=0, jitter=0)
    with MarketplaceHttpClient("https://wb.example", "acme", wb_auth(credentials), limiter, transport=transport) as wb:
        wb.request("wb.adverts", "GET", "/api/advert/v2/adverts", params={"ids": "1"})
        with pytest.raises(RejectedCall) as rejected:
            wb.request("wb.bids", "PATCH", "/api/advert/v1/bids", json={"bids": []})
    tokens = MarketplaceHttpClient("https://perf.example", "acme", NO_AUTH, limiter, transport=transport, retry=retry)
    store = MemoryTokenStore()
    perf_auth = OzonPerformanceAuth.from_credentials(credentials, store, tokens)
    store.get_or_fetch("acme", lambda: IssuedToken("stale-bearer-000", 1800))
    perf = MarketplaceHttpClient("https://perf.example", "acme", perf_auth, limiter, transport=transport, retry=retry)
    perf.request("ozon_perf.campaigns", "GET", "/api/client/campaign")  # 401, renewed, 200
    logging.getLogger("adolf.test").error("the bids call failed: %s", rejected.value)
    structlog.get_logger().warning("bids_failed", error=str(rejected.value))

    written = captured.getvalue()
    assert "marketplace_call" in written and "ozon_perf.campaigns" in written and "HTTP Request" in written
    assert [json.loads(line)["status"] for line in written.splitlines() if "marketplace_call" in line] == [
        200,
        400,
        401,
        200,
        200,
    ]
    for secret in SECRETS:
        assert secret not in written
