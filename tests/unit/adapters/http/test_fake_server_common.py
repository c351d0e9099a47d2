"""The fake marketplace's shared gate: 401 for a wrong credential, 429 past a quota with
Retry-After, each API's error shape."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.testclient import TestClient

from adolf.adapters.clocks import ManualClock
from adolf.adapters.marketplaces.fake_server import build_app, build_world

START = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def test_wrong_token_is_401_in_wb_shape() -> None:
    world = build_world(ManualClock(START), fbo_articles=None, reputation=False)
    with TestClient(build_app(world)) as http:
        reply = http.get("/adv/v1/promotion/count", headers={"Authorization": "nope"})
    assert reply.status_code == 401
    assert reply.json()["status"] == 401 and "unauthorized" in reply.json()["detail"]


def test_past_the_quota_is_429_with_retry_after_until_the_window_moves() -> None:
    clock = ManualClock(START)
    world = build_world(clock, fbo_articles=None, reputation=False)
    token = {"Authorization": world.credentials["acme"]["wb_api_token"]}
    with TestClient(build_app(world)) as http:
        statuses = [http.get("/adv/v1/promotion/count", headers=token).status_code for _ in range(6)]
        refused = http.get("/adv/v1/promotion/count", headers=token)
        clock.advance(1.0)
        again = http.get("/adv/v1/promotion/count", headers=token)
    assert statuses == [200] * 5 + [429]
    assert refused.headers["Retry-After"] == "1" and refused.headers["X-Ratelimit-Retry"] == "1"
    assert again.status_code == 200
