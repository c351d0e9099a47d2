"""``adolf simulate --marketplace http``'s wiring (``simulation/http_market.py``): the quota scale
both sides keep, the fake started on a loopback port and stopped, the environment set for the
run only, and the fake's windows counted on the system clock while its answers keep the
simulated one."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime

import httpx
import pytest

from adolf.adapters.clocks import ManualClock
from adolf.adapters.marketplaces.fake_server import build_world
from adolf.adapters.marketplaces.http.quotas import QUOTAS, WB_ADVERT, YM
from adolf.entrypoints.simulation.http_market import environment, http_marketplace, scaled_quotas

NOW = datetime(2026, 1, 12, 9, tzinfo=UTC)


def test_a_scaled_table_multiplies_every_quotas_calls_in_the_same_window() -> None:
    scaled = scaled_quotas(100)
    assert scaled.keys() == QUOTAS.keys()
    for name, quota in QUOTAS.items():
        assert (scaled[name].calls, scaled[name].per, scaled[name].group) == (quota.calls * 100, quota.per, quota.group)
    assert scaled_quotas(1) == QUOTAS
    with pytest.raises(ValueError, match="quota_scale=0"):
        scaled_quotas(0)


def test_the_environment_is_set_for_the_block_and_restored_after_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOLF_WB_ADVERT_URL", "https://advert-api.wildberries.ru")
    monkeypatch.delenv("ADOLF_YM_URL", raising=False)
    with pytest.raises(RuntimeError), environment({"ADOLF_WB_ADVERT_URL": "http://x", "ADOLF_YM_URL": "http://y"}):
        assert (os.environ["ADOLF_WB_ADVERT_URL"], os.environ["ADOLF_YM_URL"]) == ("http://x", "http://y")
        raise RuntimeError("the run failed")
    assert os.environ["ADOLF_WB_ADVERT_URL"] == "https://advert-api.wildberries.ru"
    assert "ADOLF_YM_URL" not in os.environ


def test_the_fake_serves_the_runs_market_on_its_clock_and_refuses_past_the_scaled_quota() -> None:
    clock = ManualClock(NOW)
    market = build_world(clock, campaigns=3, keywords=2, fbo_articles=None, reputation=False).market
    threads = threading.active_count()
    with http_marketplace(market, clock, ("acme",), quota_scale=2) as link:
        assert link.world.market is market and link.world.clock is clock
        url = os.environ["ADOLF_WB_ADVERT_URL"]
        assert url == link.fake.url and url.startswith("http://127.0.0.1:")
        assert os.environ["ADOLF_YM_BUSINESS_ID__ACME"].isdigit()
        headers = {"Authorization": link.env["ADOLF_WB_API_TOKEN__ACME"]}
        quota = link.quotas["wb.fullstats"]
        assert quota.calls == QUOTAS["wb.fullstats"].calls * 2
        day = clock.now().date().isoformat()
        params = {"ids": "1", "beginDate": day, "endDate": day}
        with httpx.Client(base_url=url) as http:
            answers = [http.get("/adv/v3/fullstats", params=params, headers=headers) for _ in range(quota.calls + 1)]
            # the simulated clock never moved: the fake counted on the system clock, and refused
            assert [a.status_code for a in answers[:-1]] == [200] * quota.calls
            assert answers[-1].status_code == 429 and int(answers[-1].headers["Retry-After"]) >= 1
        assert clock.now() == NOW
        assert link.api_calls()[WB_ADVERT] >= quota.calls + 1 and YM not in link.api_calls()
    assert os.environ.get("ADOLF_WB_ADVERT_URL") != url
    assert threading.active_count() == threads
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/adv/v1/promotion/count", headers=headers, timeout=1)
