"""The HTTP API as a client drives it: manual runs for admin/director, status for all."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from adolf.adapters.sqlalchemy import migrate
from adolf.container import build_container
from adolf.entrypoints.http import create_app
from adolf.settings import load_settings

TOKENS = "adm-0123456789:admin,dir-0123456789:director,mgr-0123456789:manager,snr-0123456789:senior"


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", api_tokens=TOKENS, queue_backend="inline", redis_url=None
    )
    container = build_container(settings)
    migrate.upgrade(container.engine())
    return TestClient(create_app(settings, container))


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_an_admin_runs_a_task_and_reads_its_status(client: TestClient) -> None:
    queued = client.post("/tasks/system.ping/run", headers=auth("adm-0123456789"))
    assert queued.status_code == 202
    body = queued.json()
    assert body["task_name"] == "system.ping" and body["status"] == "queued"
    status = client.get(f"/tasks/{body['task_id']}/status", headers=auth("mgr-0123456789")).json()
    assert status["status"] == "succeeded" and "pong" in status["result"]


def test_the_module_paths_of_the_design_work_for_every_module(client: TestClient) -> None:
    queued = client.post("/system/tasks/health_check/run", headers=auth("dir-0123456789")).json()
    assert queued["task_name"] == "system.health_check"
    status = client.get(f"/system/tasks/{queued['task_id']}/status", headers=auth("dir-0123456789")).json()
    assert status["status"] == "succeeded"


def test_a_manager_may_not_run_tasks(client: TestClient) -> None:
    refused = client.post("/tasks/system.ping/run", headers=auth("mgr-0123456789"))
    assert refused.status_code == 403
    assert "manager" in refused.json()["detail"]


def test_no_token_or_an_unknown_one_is_refused(client: TestClient) -> None:
    assert client.post("/tasks/system.ping/run").status_code == 401
    assert client.get("/tasks/x/status", headers=auth("guess")).status_code == 401


def test_an_unknown_task_and_a_bad_payload_are_refused_naming_them(client: TestClient) -> None:
    missing = client.post("/tasks/system.nope/run", headers=auth("adm-0123456789"))
    assert missing.status_code == 404 and "system.nope" in missing.json()["detail"]
    bad = client.post(
        "/tasks/system.cleanup_runtime_records/run", headers=auth("adm-0123456789"), json={"keep_days": "soon"}
    )
    assert bad.status_code == 422 and "keep_days='soon'" in bad.json()["detail"]


def test_health_and_metrics_need_no_token(client: TestClient) -> None:
    assert client.get("/health").json() == {"database": "ok", "redis": "not used"}
    metrics = client.get("/metrics").text
    assert 'adolf_queue_waiting_jobs{queue="marketing_high"} 0.0' in metrics
    assert "adolf_dead_letters 0.0" in metrics


def _seed_campaign(client: TestClient) -> int:
    from decimal import Decimal

    from adolf.domain.marketing.bid_context import StrategyType
    from adolf.domain.marketing.campaign import Campaign, CampaignStatus
    from adolf.domain.marketplace import Marketplace

    container = client.app.state.container  # type: ignore[attr-defined]
    with container.uow() as uow:
        [stored] = uow.campaigns.add_many([(Campaign(
            0, Marketplace.WB, "w1", "Spring", "acme", CampaignStatus.ACTIVE, StrategyType.MANUAL,
            Decimal("10"), Decimal("500")), [])])
        uow.commit()
    return stored.id


def test_a_senior_sets_a_campaigns_strategy_with_exact_decimals(client: TestClient) -> None:
    cid = _seed_campaign(client)
    changed = client.patch(f"/marketing/campaigns/{cid}", headers=auth("snr-0123456789"),
                           content='{"strategy": "target_drr", "target_drr": 15.35, "safety": {"max_drr": 25}}')
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["strategy"], body["target_drr"], body["safety"]["max_drr"]) == ("target_drr", "15.35", "25")
    listed = client.get("/marketing/campaigns", params={"marketplace": "wb"}, headers=auth("mgr-0123456789")).json()
    assert [(c["id"], c["target_drr"], c["min_bid"]) for c in listed] == [(cid, "15.35", "10.00")]


def test_a_refused_campaign_change_names_the_field_and_a_manager_may_not_change(client: TestClient) -> None:
    cid = _seed_campaign(client)
    admin = auth("adm-0123456789")
    refused = client.patch(f"/marketing/campaigns/{cid}", json={"strategy": "target_cpo"}, headers=admin)
    assert refused.status_code == 422 and "strategy=target_cpo needs target_cpo" in refused.json()["detail"]
    bad = client.patch(f"/marketing/campaigns/{cid}", json={"safety": {"speed": "1"}}, headers=admin)
    assert bad.status_code == 422 and "'speed' is not a safety threshold" in bad.json()["detail"]
    assert client.patch("/marketing/campaigns/999", json={"dry_run": True}, headers=admin).status_code == 404
    assert client.patch(f"/marketing/campaigns/{cid}", content="{oops", headers=admin).status_code == 422
    manager = client.patch(f"/marketing/campaigns/{cid}", json={"dry_run": True}, headers=auth("mgr-0123456789"))
    assert manager.status_code == 403
    assert client.get("/marketing/campaigns", headers=admin).json()[0]["dry_run"] is False
