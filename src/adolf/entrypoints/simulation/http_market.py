"""``adolf simulate --marketplace http``: the run's jobs reach the simulated market through the
real HTTP clients and the wire-level fake, started here.

The fake (``fake_server``) runs under uvicorn in a thread of this process on a free loopback
port, and its world is the run's own simulated objects on the run's ``ManualClock``: the ads
market the setup seeds campaigns from (``container.sim_market()``), Logistic's Ozon FBO and
Reputation's reviews and questions, attached as each is prepared (``attach_ozon``,
``attach_reputation``). The report then reads the very objects the jobs reached over the wire,
so the same seed gives the report of ``--marketplace simulated``.

The container runs with ``ADOLF_MARKETPLACE=live`` and builds its clients as a deployment
does, from the environment: the fake's base URLs, credentials and YM business ids are set in
``os.environ`` for the run only and restored after it.

Quotas: the real table (``http/quotas.py``) would make a simulated day take hours of wall time
(WB's fullstats 3 calls a minute — a day of 5-minute stats collections is 290 of them —, Ozon's
analytics 1) while the run jumps from fire to fire, a simulated day in a minute or two. The run
multiplies every quota's calls by ``quota_scale`` in the same window (``--quota-scale``, default
100; 1 is the real table), for BOTH the clients' limiter and the fake's enforcement. The fake
counts its windows on the system clock (the simulated one stands still within a fire), still
answers 429 past a quota, and the clients still honour its ``Retry-After``; the limiter waits
out a window rather than fail a job (``LIMITER_MAX_WAIT``).
``bench/bid_cycle.py`` measures the bid cycle under the real quotas. The clients' backoff from
a 5xx is shortened likewise (``RETRY_BACKOFF``); their attempts are unchanged.

The seller's shipments reach the simulated Ozon directly (``CabinetOzon``): a real Ozon learns
of a supply from the seller's cabinet, not from its Seller API, which has no call for it.

One process only: the world is this process's memory, so the run is inline (``--backend``
celery or rq is refused for http).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

from dependency_injector import providers

from adolf.adapters.clocks import SystemClock
from adolf.adapters.marketplaces.fake_server import FakeWorld, build_app
from adolf.adapters.marketplaces.fake_server.world import credentials_of
from adolf.adapters.marketplaces.http.quotas import HOUR, QUOTAS, Quota
from adolf.application.ports.clock import Clock

MARKETPLACES = ("simulated", "http")
DEFAULT_QUOTA_SCALE = 100
# The limiter waits out a full window rather than fail the job: a job retried on a countdown
# would change the run's timeline.
LIMITER_MAX_WAIT = float(HOUR)
START_SECONDS = 10.0
# The clients back off from a 5xx in wall time while the simulated clock stands still within a
# fire: a planned hour of outage would cost seconds per poll for nothing. Shortened; the
# attempts are the client's own (``RetryPolicy.attempts``).
RETRY_BACKOFF = 0.01


def scaled_quotas(factor: int, quotas: Mapping[str, Quota] = QUOTAS) -> dict[str, Quota]:
    """Every quota with ``factor`` times its calls in the same window."""
    if factor < 1:
        raise ValueError(f"quota_scale={factor} must be >= 1")
    return {name: replace(quota, calls=quota.calls * factor) for name, quota in quotas.items()}


class FakeMarketplace:
    """The fake on a loopback port in a thread of this process, serving ``world``."""

    def __init__(self, world: FakeWorld) -> None:
        import uvicorn

        self.world = world
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(build_app(world), log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="adolf-fake-marketplace", daemon=True
        )

    def __enter__(self) -> FakeMarketplace:
        self._thread.start()
        deadline = time.monotonic() + START_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._socket.close()
                raise RuntimeError(f"the fake marketplace did not start on {self.url}")
            time.sleep(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=START_SECONDS)
        self._socket.close()


class CabinetOzon:
    """Logistic's Ozon FBO over the Seller API, whose shipments the seller places in the cabinet:
    the simulated Ozon's ``ship`` (``services.supply_shipments`` asks for it)."""

    def __init__(self, api: Any, simulated: Any) -> None:
        self._api = api
        self.ship = simulated.ship

    def __getattr__(self, name: str) -> Any:
        return getattr(self._api, name)


class HttpLink:
    """The running fake and the container's live clients pointed at it."""

    def __init__(self, fake: FakeMarketplace, quotas: Mapping[str, Quota]) -> None:
        self.fake = fake
        self.quotas = quotas
        self.env = fake.world.env(fake.url)

    @property
    def world(self) -> FakeWorld:
        return self.fake.world

    def connect(self, container: Any) -> None:
        """The container's marketplace clients: the live ones, on a limiter of the scaled quotas."""
        from adolf.adapters.marketplaces.http.client import RetryPolicy
        from adolf.adapters.marketplaces.http.factory import MarketplaceClients
        from adolf.adapters.marketplaces.http.limiter import memory_limiter
        from adolf.adapters.marketplaces.http.token_store import MemoryTokenStore
        from adolf.container import OZON_SELLER_MAX_RETRY_AFTER

        limiter = memory_limiter(self.quotas, max_wait=LIMITER_MAX_WAIT)
        tokens = MemoryTokenStore()
        retry = RetryPolicy(backoff=RETRY_BACKOFF, backoff_max=RETRY_BACKOFF * 8, jitter=RETRY_BACKOFF)
        live = SimpleNamespace(
            default=MarketplaceClients(limiter, tokens, self.env, retry=retry),
            ozon_seller=MarketplaceClients(
                limiter, tokens, self.env, retry=replace(retry, max_retry_after=OZON_SELLER_MAX_RETRY_AFTER)
            ),
        )
        self._live = live
        container.live_marketplace_clients.override(providers.Object(live))

    def attach_ozon(self, container: Any, simulated: Any) -> None:
        """The fake serves Logistic's simulated Ozon; the jobs reach it over the Seller API."""
        self.world.ozon_fbo = simulated
        container.ozon_fbo.reset_override()
        container.ozon_fbo.override(providers.Object(CabinetOzon(container.ozon_fbo(), simulated)))

    def attach_reputation(self, container: Any, simulated: Any) -> None:
        """The fake serves Reputation's simulated reviews; the jobs reach them over the three APIs."""
        self.world.reputation = simulated
        container.reputation_marketplace.reset_override()

    def api_calls(self) -> dict[str, int]:
        """Requests the fake answered, per API host."""
        with self.world.lock:
            return dict(sorted(self.world.requests.items()))

    def close(self) -> None:
        for clients in (self._live.default, self._live.ozon_seller):
            clients.close()


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """``values`` in ``os.environ`` for the block; what was there before, after it."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def http_marketplace(
    market: Any, clock: Clock, brands: Sequence[str], quota_scale: int = DEFAULT_QUOTA_SCALE
) -> Iterator[HttpLink]:
    """The fake over ``market`` (and, once attached, the run's Ozon and reviews) on ``clock``,
    started; the environment pointing the clients at it for the block only."""
    quotas = scaled_quotas(quota_scale)
    world = FakeWorld(
        market=market,
        clock=clock,
        credentials={brand: credentials_of(brand) for brand in brands},
        quotas=quotas,
        quota_clock=SystemClock(),
    )
    with FakeMarketplace(world) as fake:
        link = HttpLink(fake, quotas)
        try:
            with environment(link.env):
                yield link
        finally:
            if hasattr(link, "_live"):
                link.close()
