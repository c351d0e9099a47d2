"""`adolf marketplace serve` as a real process on a free loopback port: the environment it
prints points the real clients at it, and a real call over the socket is answered."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from adolf.adapters.marketplaces.http.factory import MarketplaceClients
from adolf.adapters.marketplaces.http.limiter import memory_limiter
from adolf.adapters.marketplaces.http.token_store import MemoryTokenStore
from adolf.adapters.marketplaces.http.wb_advert import WbAdsMarketplace
from adolf.application.ports.ads_marketplace import MarketplaceError
from tests.support.processes import spawn, stop_tree
from tests.support.tcp_proxy import free_port

ADOLF = str(Path(sys.executable).with_name("adolf"))


def _printed_env(proc: subprocess.Popen[str], deadline: float) -> dict[str, str]:
    assert proc.stdout is not None
    env: dict[str, str] = {}
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("ADOLF_"):
            name, _, value = line.strip().partition("=")
            env[name] = value
        if "ADOLF_YM_URL" in env and "ADOLF_WB_API_TOKEN__ACME" in env:
            return env
    raise AssertionError(f"the server printed no environment; it exited with {proc.poll()}")


def test_serve_prints_the_environment_and_answers_a_real_client_over_loopback() -> None:
    port = free_port()
    proc = spawn(
        [ADOLF, "marketplace", "serve", "--port", str(port), "--seed", "7", "--campaigns", "3", "--keywords", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        env = _printed_env(proc, time.monotonic() + 8)
        assert env["ADOLF_WB_ADVERT_URL"] == f"http://127.0.0.1:{port}"
        with MarketplaceClients(memory_limiter(), MemoryTokenStore(), env) as clients:
            wb = WbAdsMarketplace.for_brand(clients, "acme")
            deadline = time.monotonic() + 8
            while True:  # the URLs are printed just before uvicorn binds the port
                try:
                    campaigns = wb.list_campaigns()
                    break
                except MarketplaceError:  # refused: not listening yet
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
        assert [c.external_id for c in campaigns.items] == ["10000001", "10000002", "10000003"]
    finally:
        stop_tree([proc], grace=3)
