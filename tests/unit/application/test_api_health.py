"""``marketing.check_api_health``: ok under 2000 ms, slow from 2000 ms, error with a counter."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from adolf.application.marketing import api_health
from adolf.domain.marketplace import Marketplace
from tests.support.fakes import FakeServices


@pytest.fixture
def timed(services: FakeServices, monkeypatch: pytest.MonkeyPatch) -> FakeServices:
    """Pings 'take' fake time: each marketplace's ping advances the fake perf counter."""
    monkeypatch.setattr(api_health, "time", SimpleNamespace(perf_counter=services.clock.perf_counter))
    for mp in Marketplace:
        services.market(mp).sleeper = services.clock.advance
    return services


def test_each_marketplace_is_marked_ok_slow_or_error(timed: FakeServices) -> None:
    timed.market(Marketplace.WB).ping_seconds = 1.999
    timed.market(Marketplace.OZON).ping_seconds = 2.0
    timed.market(Marketplace.YM).fail("ping")

    report = api_health.check_api_health(timed)

    assert {mp: v["status"] for mp, v in report.items()} == {"wb": "ok", "ozon": "slow", "ym": "error"}
    assert (report["wb"]["latency_ms"], report["ozon"]["latency_ms"]) == (1999, 2000)
    board = timed.status_board
    assert board.get("marketing:api_status:ozon")["status"] == "slow"
    assert board.ttls["marketing:api_status:wb"] == api_health.STATUS_TTL
    assert "fake" in board.get("marketing:api_status:ym")["error"]


def test_every_error_increments_the_marketplaces_error_counter(timed: FakeServices) -> None:
    timed.market(Marketplace.WB).fail("ping")

    first = api_health.check_api_health(timed)
    second = api_health.check_api_health(timed)
    timed.market(Marketplace.WB).heal()
    third = api_health.check_api_health(timed)

    assert (first["wb"]["errors"], second["wb"]["errors"]) == (1, 2)
    assert third["wb"]["status"] == "ok" and "errors" not in third["wb"]
    assert timed.status_board.counters["marketing:api_errors:wb"] == 2
    assert timed.status_board.ttls["marketing:api_errors:wb"] == 86400
