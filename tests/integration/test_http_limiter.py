"""The marketplace HTTP foundation across real processes and a real Redis (DB 7):

- two worker processes hammering one endpoint (5 calls a second) never exceed its quota in any
  window of a second, together;
- two worker processes calling the Ozon Performance API at once fetch one token and share it;
  when the API stops taking it, they renew it once (one more token request between them) and
  each call is made once more;
- nothing they log at DEBUG — our client, httpx and httpcore over a real socket — holds the
  client secret or a token.

The marketplace is a loopback HTTP server run by the test. Each test uses a key prefix of its
own in DB 7 and deletes its keys at the end (never FLUSHDB).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from redis import Redis

from adolf.adapters.marketplaces.http.limiter import QuotaWaitExceeded, redis_limiter
from adolf.adapters.marketplaces.http.token_store import IssuedToken, RedisTokenStore
from tests.support import processes
from tests.support.services import require_redis

pytestmark = [pytest.mark.redis, pytest.mark.slow]

REDIS_DB = 7
CALLS = 5  # the test quota: 5 calls …
WINDOW = 1.0  # … a second
PER_WORKER = 8
#: a worker stamps a call just before its Lua script runs in Redis; a worker stalled between the
#: two stamps its call early by the stall. The check allows that much (a limiter per process
#: instead of a shared one would put 10 calls in a second: 0.5 s apart every 5).
STALL = 0.1
CLIENT_SECRET = "perf-client-secret-" + secrets.token_hex(6)

_CHILD = r"""
import json, os, sys, time
from redis import Redis

mode, url, prefix = sys.argv[1:4]
client = Redis.from_url(url)

def barrier():
    client.rpush(prefix + "ready", os.getpid())
    client.blpop([prefix + "go"], timeout=30)

if mode == "hammer":
    import limits.storage.redis as limits_redis
    from adolf.adapters.marketplaces.http.limiter import redis_limiter
    from adolf.adapters.marketplaces.http.quotas import SECOND, WB_ADVERT, Quota, build_quotas
    from adolf.domain.marketplace import Marketplace

    class Stamps:  # the stamp the limiter gives each call it admits, as it writes it to Redis
        last = 0.0
        def time(self):
            self.last = time.time()
            return self.last

    stamps = Stamps()
    limits_redis.time = stamps
    quotas = build_quotas((Quota("test.hammer", Marketplace.WB, WB_ADVERT, "GET", "/h", 5, SECOND),))
    limiter = redis_limiter(client, prefix=prefix, quotas=quotas, max_wait=30)
    barrier()
    for _ in range(int(sys.argv[4])):
        limiter.acquire("test.hammer", "acme")
        client.rpush(prefix + "stamps", json.dumps([os.getpid(), stamps.last]))
else:
    from adolf.adapters.marketplaces.http.auth import NO_AUTH, OzonPerformanceAuth
    from adolf.adapters.marketplaces.http.client import MarketplaceHttpClient
    from adolf.adapters.marketplaces.http.credentials import cabinet_credentials
    from adolf.adapters.marketplaces.http.limiter import redis_limiter
    from adolf.adapters.marketplaces.http.token_store import RedisTokenStore
    from adolf.adapters.observability.logging import configure_logging
    import logging

    configure_logging("json", "DEBUG", known_secrets=())  # nothing known: the masker cannot help
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    base = sys.argv[4]
    limiter = redis_limiter(client, prefix=prefix)
    tokens = MarketplaceHttpClient(base, "acme", NO_AUTH, limiter)
    auth = OzonPerformanceAuth.from_credentials(
        cabinet_credentials("acme", os.environ), RedisTokenStore(client, prefix=prefix), tokens
    )
    api = MarketplaceHttpClient(base, "acme", auth, limiter)
    for _ in range(2):
        barrier()
        reply = api.request_json("ozon_perf.campaigns", "GET", "/api/client/campaign")
        client.rpush(prefix + "replies", json.dumps(reply))
"""


@pytest.fixture
def redis_prefix() -> Iterator[tuple[Redis, str]]:
    client = Redis.from_url(require_redis(REDIS_DB))
    prefix = f"adolf-test:{uuid.uuid4().hex[:12]}:"
    try:
        yield client, prefix
    finally:
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()


def _spawn(mode: str, prefix: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    url = require_redis(REDIS_DB)
    return processes.spawn(
        [sys.executable, "-c", _CHILD, mode, url, prefix, *args],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _release(client: Redis, prefix: str, workers: int) -> None:
    """Start the workers' next round together, once all of them are ready for it."""
    for _ in range(workers):
        assert client.blpop([prefix + "ready"], timeout=30), "a worker never got ready"
    client.rpush(prefix + "go", *["go"] * workers)


def _finish(procs: list[subprocess.Popen[bytes]]) -> list[str]:
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        text = out.decode() + err.decode()
        assert proc.returncode == 0, text
        outputs.append(text)
    processes.stop_tree(procs, grace=0)
    return outputs


def test_two_workers_never_exceed_an_endpoints_quota_together(redis_prefix: tuple[Redis, str]) -> None:
    client, prefix = redis_prefix
    procs = [_spawn("hammer", prefix, str(PER_WORKER)) for _ in range(2)]
    try:
        _release(client, prefix, 2)
        _finish(procs)
    finally:
        processes.stop_tree(procs, grace=0)
    rows = [json.loads(raw) for raw in client.lrange(prefix + "stamps", 0, -1)]
    assert len(rows) == 2 * PER_WORKER
    assert len({pid for pid, _ in rows}) == 2
    stamps = sorted(stamp for _, stamp in rows)
    # any CALLS + 1 calls in a row span more than the window: no window holds more than CALLS
    spans = [stamps[i + CALLS] - stamps[i] for i in range(len(stamps) - CALLS)]
    assert min(spans) > WINDOW - STALL, spans
    # and the quota is used, not starved: 16 calls at 5 a second take 3 windows, not many more
    assert stamps[-1] - stamps[0] < 3 * WINDOW + 1.5


@dataclass
class PerformanceServer:
    """Ozon Performance over loopback: issues tokens for the right client secret, answers the
    campaign list for the newest token only; ``revoke`` stops taking the current one."""

    issued: list[str] = field(default_factory=list)
    accepted: str | None = None
    calls: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def _reply(self, status: int, body: object) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path != "/api/client/token" or body.get("client_secret") != CLIENT_SECRET:
                    self._reply(401, {"error": "bad client"})
                    return
                threading.Event().wait(0.3)  # a slow token endpoint: the other worker asks meanwhile
                with server.lock:
                    token = "perf-bearer-" + secrets.token_hex(8)
                    server.issued.append(token)
                    server.accepted = token
                self._reply(200, {"access_token": token, "expires_in": 1800, "token_type": "Bearer"})

            def do_GET(self) -> None:
                bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
                with server.lock:
                    server.calls.append(bearer)
                    ok = bearer == server.accepted
                self._reply(200, {"list": [{"id": "1"}]}) if ok else self._reply(401, {"error": "token expired"})

        return Handler

    def revoke(self) -> None:
        with self.lock:
            self.accepted = None


@pytest.fixture
def performance() -> Iterator[tuple[PerformanceServer, str]]:
    state = PerformanceServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), state.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_two_workers_share_one_ozon_performance_token_and_renew_it_once_on_401(
    redis_prefix: tuple[Redis, str], performance: tuple[PerformanceServer, str]
) -> None:
    client, prefix = redis_prefix
    server, base = performance
    env = {
        "ADOLF_OZON_PERFORMANCE_CLIENT_ID__ACME": "perf-client-id",
        "ADOLF_OZON_PERFORMANCE_CLIENT_SECRET__ACME": CLIENT_SECRET,
    }
    procs = [_spawn("token", prefix, base, env=env) for _ in range(2)]
    try:
        _release(client, prefix, 2)
        while client.llen(prefix + "replies") < 2 and all(p.poll() is None for p in procs):
            client.blpop([prefix + "noop"], timeout=0.05)
        assert len(server.issued) == 1, "round 1: the two workers fetched a token each"
        assert server.calls == [server.issued[0]] * 2

        server.revoke()
        _release(client, prefix, 2)
        outputs = _finish(procs)
    finally:
        processes.stop_tree(procs, grace=0)

    assert len(server.issued) == 2, "round 2: the refused token was renewed once, for both workers"
    first, second = server.issued
    round_two = server.calls[2:]
    assert first in round_two and round_two.count(second) == 2 and set(round_two) == {first, second}
    replies = [json.loads(raw) for raw in client.lrange(prefix + "replies", 0, -1)]
    assert replies == [{"list": [{"id": "1"}]}] * 4
    logged = "".join(outputs)
    assert "marketplace_call" in logged and "ozon_perf.token" in logged and "HTTP Request" in logged
    for secret in (CLIENT_SECRET, first, second):
        assert secret not in logged


def test_quota_keys_sit_under_the_prefix_per_cabinet_and_expire_with_their_window(
    redis_prefix: tuple[Redis, str],
) -> None:
    client, prefix = redis_prefix
    limiter = redis_limiter(client, prefix=prefix, max_wait=0)
    limiter.acquire("ozon.analytics", "acme")
    with pytest.raises(QuotaWaitExceeded) as refused:
        limiter.acquire("ozon.analytics", "acme")
    assert 55 < refused.value.retry_after <= 60
    limiter.acquire("ozon.analytics", "globex")
    keys = sorted(key.decode() for key in client.scan_iter(match=prefix + "*"))
    assert keys == [
        f"{prefix}marketplace:quota:LIMITER/ozon.analytics/{brand}/1/1/minute" for brand in ("acme", "globex")
    ]
    assert all(0 < client.ttl(key) <= 60 for key in keys)


def test_the_redis_token_store_keeps_a_token_a_minute_short_and_drops_only_the_refused_one(
    redis_prefix: tuple[Redis, str],
) -> None:
    client, prefix = redis_prefix
    store = RedisTokenStore(client, prefix=prefix)
    assert store.get_or_fetch("acme", lambda: IssuedToken("token-one", 1800)) == "token-one"
    assert store.get_or_fetch("acme", lambda: IssuedToken("never-asked", 1800)) == "token-one"
    key = store.key("acme")
    assert key == f"{prefix}marketplace:ozon_performance:token:acme"
    assert 1_730_000 < client.pttl(key) <= 1_740_000
    assert store.invalidate("acme", "token-zero") is False
    assert client.get(key) == b"token-one"
    assert store.invalidate("acme", "token-one") is True
    assert client.get(key) is None
