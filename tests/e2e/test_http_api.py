"""The HTTP API as a client drives it: manual runs for admin/director, status for all."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from adolf.adapters.sqlalchemy import migrate
from adolf.container import build_container
from adolf.entrypoints.http import create_app
from adolf.settings import load_settings

TOKENS = "adm-0123456789:admin,dir-0123456789:director,mgr-0123456789:manager"


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
