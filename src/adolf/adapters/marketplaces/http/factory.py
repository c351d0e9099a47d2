"""One ``MarketplaceHttpClient`` per (API host, brand), built from the environment.

What the per-marketplace clients ask for: ``clients.client(OZON_SELLER, "acme")`` is the Ozon
Seller client of brand ``acme`` — its base URL (``hosts.py``), its auth from the brand's
credentials (``credentials.py``; Ozon Performance through the shared token store), the shared
limiter with the brand as the quota's cabinet. Clients are made on first use (a brand without
credentials for a marketplace fails only when that marketplace is called, with
``MissingCredentials`` naming the variables) and kept; the brands of one host share one
connection pool. ``close()`` closes the pools.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import httpx

from .auth import NO_AUTH, Auth, OzonPerformanceAuth, ozon_seller_auth, wb_auth, ym_auth
from .client import MarketplaceHttpClient, RetryPolicy, Timeouts
from .credentials import CabinetCredentials, cabinet_credentials
from .hosts import base_urls
from .limiter import RateLimiter
from .quotas import APIS, OZON_PERFORMANCE, OZON_SELLER, WB_ADVERT, WB_FEEDBACKS, YM
from .token_store import TokenStore

_HEADER_AUTHS: dict[str, Callable[[CabinetCredentials], Auth]] = {
    WB_ADVERT: wb_auth,
    WB_FEEDBACKS: wb_auth,
    OZON_SELLER: ozon_seller_auth,
    YM: ym_auth,
}


class MarketplaceClients:
    def __init__(
        self,
        limiter: RateLimiter,
        tokens: TokenStore,
        env: Mapping[str, str],
        *,
        retry: RetryPolicy = RetryPolicy(),
        timeouts: Timeouts = Timeouts(),
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.urls = base_urls(env)
        self._env = dict(env)
        self._limiter = limiter
        self._tokens = tokens
        self._retry = retry
        self._timeouts = timeouts
        self._transport = transport
        self._sleep = sleep
        self._pools: dict[str, httpx.Client] = {}
        self._clients: dict[tuple[str, str], MarketplaceHttpClient] = {}

    def client(self, api: str, brand: str) -> MarketplaceHttpClient:
        if api not in APIS:
            raise ValueError(f"api={api!r} must be one of {', '.join(APIS)}")
        if (api, brand) not in self._clients:
            credentials = cabinet_credentials(brand, self._env)
            if api == OZON_PERFORMANCE:
                auth: Auth = OzonPerformanceAuth.from_credentials(
                    credentials, self._tokens, self._made(api, brand, NO_AUTH)
                )
            else:
                auth = _HEADER_AUTHS[api](credentials)
            self._clients[api, brand] = self._made(api, brand, auth)
        return self._clients[api, brand]

    def _made(self, api: str, brand: str, auth: Auth) -> MarketplaceHttpClient:
        if api not in self._pools:
            self._pools[api] = httpx.Client(timeout=self._timeouts.httpx(), transport=self._transport)
        return MarketplaceHttpClient(
            self.urls[api], brand, auth, self._limiter, retry=self._retry, http=self._pools[api], sleep=self._sleep
        )

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()
        self._clients.clear()

    def __enter__(self) -> MarketplaceClients:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
