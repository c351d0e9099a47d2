"""What the fake marketplace serves from, and whom it lets in.

``FakeWorld`` bundles the simulated objects (the ads market that plays WB, Ozon and YM; the
Ozon FBO; the reputation feed), the credentials it accepts per brand (the same fields and
environment variables as the real clients read, ``credentials.py``), the quota table it
enforces, the clock its quota windows run on (``quota_clock``, else ``clock``: a simulated clock
that jumps from fire to fire counts every call of a fire at one instant, so ``adolf simulate
--marketplace http`` counts them on the system clock while the answers keep the simulated
one), the requests it answered per API host (``requests``), and the malformed rows asked for
on demand (``world.malform("wb.adverts")``: the endpoint's next page carries one row a client
must skip). ``env(base_url)`` is the environment that points ``MarketplaceClients`` at it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from adolf.adapters.marketplaces.http.credentials import FIELDS, brand_suffix, variable
from adolf.adapters.marketplaces.http.hosts import base_url_variable
from adolf.adapters.marketplaces.http.quotas import APIS, QUOTAS, Quota
from adolf.adapters.marketplaces.http.ym_reviews import BUSINESS_ID_VARIABLE
from adolf.adapters.marketplaces.simulated import SimulatedMarket, build_simulated_market
from adolf.adapters.marketplaces.simulated.ozon_fbo import SimulatedOzonFbo
from adolf.adapters.marketplaces.simulated.reputation import SimulatedReputation
from adolf.application.ports.clock import Clock

from .quota_windows import QuotaWindows


def credentials_of(brand: str) -> dict[str, str]:
    """The fake's credentials of ``brand``: every field, recognisably fake, distinct per brand."""
    return {name: f"fake-{name.replace('_', '-')}-{brand}" for name in FIELDS}


@dataclass
class FakeWorld:
    market: SimulatedMarket
    clock: Clock
    credentials: dict[str, dict[str, str]]  # brand → credential field → value
    ozon_fbo: SimulatedOzonFbo | None = None
    reputation: SimulatedReputation | None = None
    quotas: Mapping[str, Quota] = field(default_factory=lambda: dict(QUOTAS))
    enforce_quotas: bool = True
    bearer_tokens: dict[str, str] = field(default_factory=dict)  # issued token → brand (Ozon Performance)
    malformed: Counter[str] = field(default_factory=Counter)  # endpoint → malformed rows still to serve
    windows: QuotaWindows = field(default_factory=QuotaWindows)
    lock: threading.RLock = field(default_factory=threading.RLock)
    quota_clock: Clock | None = None  # what the quota windows count on; None: ``clock``
    requests: Counter[str] = field(default_factory=Counter)  # API host → requests that reached a handler

    def take_quota(self, quota: Quota, brand: str) -> int | None:
        """One call of ``quota`` for ``brand``, counted for its API host; None if within the
        quota (or quotas are not enforced), else the whole seconds to wait."""
        with self.lock:
            self.requests[quota.api] += 1
            if not self.enforce_quotas:
                return None
            return self.windows.take(quota, brand, (self.quota_clock or self.clock).now())

    def brand_with(self, credential: str, value: str | None) -> str | None:
        """The brand whose ``credential`` field is ``value``, else None."""
        if not value:
            return None
        for brand, values in self.credentials.items():
            if values.get(credential) == value:
                return brand
        return None

    def malform(self, endpoint: str, rows: int = 1) -> None:
        """The endpoint's next replies carry ``rows`` malformed rows in all (one per reply)."""
        with self.lock:
            self.malformed[endpoint] += rows

    def take_malformed(self, endpoint: str) -> bool:
        """True once per row asked for by ``malform``: the router then spoils one row."""
        with self.lock:
            if self.malformed[endpoint] <= 0:
                return False
            self.malformed[endpoint] -= 1
            return True

    def env(self, base_url: str, apis: Sequence[str] = APIS) -> dict[str, str]:
        """Every host's base URL, every brand's credentials and YM business id, as the clients
        read them."""
        from .ym import business_id

        env = {base_url_variable(api): base_url.rstrip("/") for api in apis}
        for brand, values in self.credentials.items():
            env.update({variable(name, brand): value for name, value in values.items()})
            env[f"{BUSINESS_ID_VARIABLE}__{brand_suffix(brand)}"] = str(business_id(brand))
        return env


def build_world(
    clock: Clock,
    *,
    seed: int = 7,
    brands: Sequence[str] = ("acme",),
    campaigns: int = 20,
    keywords: int = 30,
    fbo_articles: int | None = 50,
    reputation: bool = True,
    quotas: Mapping[str, Quota] | None = None,
    enforce_quotas: bool = True,
) -> FakeWorld:
    """A world of fresh in-memory simulated objects on ``clock``, accepting ``brands``."""
    if not brands:
        raise ValueError("brands=() must name at least one brand")
    return FakeWorld(
        market=build_simulated_market(seed, campaigns, keywords, clock),
        clock=clock,
        credentials={brand: credentials_of(brand) for brand in brands},
        ozon_fbo=SimulatedOzonFbo(seed, fbo_articles, clock) if fbo_articles else None,
        reputation=SimulatedReputation(seed, clock) if reputation else None,
        quotas=dict(quotas if quotas is not None else QUOTAS),
        enforce_quotas=enforce_quotas,
    )
