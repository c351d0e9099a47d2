"""Competitor bids in a result over HTTP: the answer says how many keywords went to Marketing
and names each refused entry; numbers are read as exact decimals; a task held by another
agent carries none (409, nothing stored)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient

from adolf.container import build_container
from adolf.domain.marketplace import Marketplace
from adolf.entrypoints.http import create_app
from adolf.settings import load_settings
from tests.support.watcher_agents import add_agent, add_night
from tests.support.watcher_bids import BidServices


def test_bids_in_a_result_reach_marketing_and_refusals_are_named(tmp_path: Path) -> None:
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", queue_backend="inline")
    services = BidServices()
    client = TestClient(create_app(settings, build_container(settings), watcher_services=lambda: services))
    add_night(services, 1)
    token = add_agent(services, "a1")
    other = add_agent(services, "a2")
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    offer = client.post("/watcher/agents/a1/tasks/next", headers=auth).json()["task"]
    body = '{"prices": [{"price": "99.00"}], "competitor_bids": {"k1": [145.10, "120"], "k2": ["-3"]}}'

    refused = client.post(
        f"/watcher/tasks/{offer['task_id']}/result",
        content=body,
        headers={**auth, "Authorization": f"Bearer {other}"},
    )
    assert refused.status_code == 409 and services.held() == {}

    answer = client.post(f"/watcher/tasks/{offer['task_id']}/result", content=body, headers=auth)
    assert answer.status_code == 200
    reply = answer.json()
    assert reply["status"] == "done" and reply["competitor_bids"]["kept"] == 1
    [entry] = reply["competitor_bids"]["refused"]
    assert entry["keyword"] == "k2" and "competitor_bids['k2'][0]='-3' must be >= 0" in entry["error"]
    assert services.held() == {"k1": (Decimal("145.10"), Decimal("120"))}
    assert services.unit_of_work.competitor_bids.bids[(Marketplace.WB, "k1")][0].as_tuple().exponent == -2
