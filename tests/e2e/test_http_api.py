"""The HTTP API as a client drives it: manual runs for admin/director, status for all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/tasks/x/status"),
        ("post", "/tasks/system.ping/run"),
        ("get", "/reputation/items"),
        ("post", "/watcher/agents/a1/heartbeat"),
        ("get", "/office/board"),
    ],
)
def test_a_token_that_is_not_ascii_is_401_on_every_router_never_500(client: TestClient, method: str, path: str) -> None:
    # a header may carry any byte; the token comparison must refuse it, not raise
    headers = {"Authorization": "Bearer адм-0123456789".encode()}
    answer = client.request(method.upper(), path, headers=headers)
    assert answer.status_code == 401, (path, answer.status_code, answer.text[:200])


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
    assert 'adolf_queue_length{backend="inline",queue="marketing_high"} 0.0' in metrics
    assert "adolf_dead_letters 0.0" in metrics


def _seed_campaign(client: TestClient) -> int:
    from decimal import Decimal

    from adolf.domain.marketing.bid_context import StrategyType
    from adolf.domain.marketing.campaign import Campaign, CampaignStatus
    from adolf.domain.marketplace import Marketplace

    container = client.app.state.container  # type: ignore[attr-defined]
    with container.uow() as uow:
        [stored] = uow.campaigns.add_many(
            [
                (
                    Campaign(
                        0,
                        Marketplace.WB,
                        "w1",
                        "Spring",
                        "acme",
                        CampaignStatus.ACTIVE,
                        StrategyType.MANUAL,
                        Decimal("10"),
                        Decimal("500"),
                    ),
                    [],
                )
            ]
        )
        uow.commit()
    return stored.id


def test_a_senior_sets_a_campaigns_strategy_with_exact_decimals(client: TestClient) -> None:
    cid = _seed_campaign(client)
    changed = client.patch(
        f"/marketing/campaigns/{cid}",
        headers=auth("snr-0123456789"),
        content='{"strategy": "target_drr", "target_drr": 15.35, "safety": {"max_drr": 25}}',
    )
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


# --- input never gets a 500 ------------------------------------------------------------------

ADMIN = auth("adm-0123456789")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"keep_days": -5}', "system.cleanup_runtime_records: keep_days=-5 must be between 1 and 3650"),
        ('{"keep_days": 1e20}', "keep_days=1e+20 is not a valid int"),
        ("[]", "the body=[] must be a JSON object"),
        ('{"keep_days": NaN}', "NaN is not allowed"),
        ('{"keep_days": Infinity}', "Infinity is not allowed"),
        ('{"keep_days": 1e999999}', "the number 1e999999 is out of range"),
        ("[" * 60_000, "the body is nested more than 32 levels deep"),  # 100 000 of them: 413
        ('{"keep_days": ' + "[" * 40 + "]" * 40 + "}", "the body is nested more than 32 levels deep"),
        ("{oops", "the body is not JSON"),
    ],
)
def test_a_bad_run_payload_is_refused_with_422_before_anything_runs(
    client: TestClient, body: str, message: str
) -> None:
    refused = client.post("/tasks/system.cleanup_runtime_records/run", content=body, headers=ADMIN)

    assert refused.status_code == 422 and message in refused.json()["detail"]
    assert client.app.state.container.task_queue().executed == []  # type: ignore[attr-defined]


def test_a_body_over_the_limit_is_refused_with_413_with_or_without_a_length(client: TestClient) -> None:
    big = '{"keep_days": "' + "7" * 70_000 + '"}'
    assert client.post("/tasks/system.cleanup_runtime_records/run", content=big, headers=ADMIN).status_code == 413
    assert client.post("/tasks/system.ping/run", content="[" * 100_000, headers=ADMIN).status_code == 413

    def chunks():  # no Content-Length: the body streams in
        for _ in range(70):
            yield b" " * 1000

    streamed = client.post("/tasks/system.ping/run", content=chunks(), headers=ADMIN)
    assert streamed.status_code == 413 and "larger than 65536 bytes" in streamed.json()["detail"]
    assert client.app.state.container.task_queue().executed == []  # type: ignore[attr-defined]
    assert client.post("/tasks/system.ping/run", content=" " * 1000 + "{}", headers=ADMIN).status_code == 202


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"min_bid": 0.001}', "min_bid=0.001 has more than 2 decimal places (refused, not rounded)"),
        ('{"min_bid": "0.001"}', "min_bid=0.001 has more than 2 decimal places"),
        ('{"max_bid": 1e20}', "max_bid=1E+20 is beyond 9999999999.99"),
        ('{"daily_budget": 99999999999999999999999}', "daily_budget=99999999999999999999999 is beyond"),
        ('{"max_bid": NaN}', "NaN is not allowed"),
        ('{"max_bid": 1e999999}', "the number 1e999999 is out of range"),
        ("[" * 60_000, "nested more than 32 levels deep"),
        ('{"safety": [1]}', "safety=[1] must be an object of thresholds"),
    ],
)
def test_a_bad_campaign_change_is_422_naming_the_field_and_writes_nothing(
    client: TestClient, body: str, message: str
) -> None:
    cid = _seed_campaign(client)
    refused = client.patch(f"/marketing/campaigns/{cid}", content=body, headers=ADMIN)

    assert refused.status_code == 422 and message in refused.json()["detail"]
    [stored] = client.get("/marketing/campaigns", headers=ADMIN).json()
    assert (stored["min_bid"], stored["max_bid"], stored["daily_budget"]) == ("10.00", "500.00", None)


def test_an_id_beyond_64_bits_is_422_not_a_database_error(client: TestClient) -> None:
    assert client.patch(f"/marketing/campaigns/{2**63}", json={"dry_run": True}, headers=ADMIN).status_code == 422
    assert client.patch("/marketing/campaigns/0", json={"dry_run": True}, headers=ADMIN).status_code == 422
    assert client.get(f"/tasks/{'x' * 201}/status", headers=ADMIN).status_code == 422


# --- the OpenAPI document --------------------------------------------------------------------


def test_the_openapi_document_and_docs_need_a_token_by_default(client: TestClient) -> None:
    assert client.get("/openapi.json").status_code == 401
    assert client.get("/docs").status_code == 401
    assert client.get("/openapi.json", headers=auth("mgr-0123456789")).json()["info"]["title"] == "ADOLF"
    page = client.get("/docs", headers=auth("mgr-0123456789"))
    assert page.status_code == 200 and '"/marketing/campaigns/{campaign_id}"' in page.text


def test_public_docs_are_a_setting(tmp_path: Path) -> None:
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", api_tokens=TOKENS, redis_url=None, api_public_docs=True
    )
    public = TestClient(create_app(settings, build_container(settings)))
    assert public.get("/openapi.json").status_code == 200 and public.get("/docs").status_code == 200
    assert public.get("/tasks/x/status").status_code == 401  # the API itself still needs a token


def test_every_request_body_and_error_answer_is_documented(client: TestClient) -> None:
    spec = client.get("/openapi.json", headers=ADMIN).json()
    operations = {(path, method): op for path, ops in spec["paths"].items() for method, op in ops.items()}
    expected = {
        ("/tasks/{name}/run", "post"): {"202", "401", "403", "404", "413", "422", "503"},
        ("/{module}/tasks/{task}/run", "post"): {"202", "401", "403", "404", "413", "422", "503"},
        ("/tasks/{task_id}/status", "get"): {"200", "401", "422", "503"},
        ("/{module}/tasks/{task_id}/status", "get"): {"200", "401", "422", "503"},
        ("/marketing/campaigns", "get"): {"200", "401", "422", "503"},
        ("/marketing/campaigns/{campaign_id}", "patch"): {"200", "401", "403", "404", "413", "422", "503"},
        ("/health", "get"): {"200", "503"},
        ("/metrics", "get"): {"200", "503"},
        # the parsing agents' protocol (http_watcher_agents; tested in test_watcher_agent_api)
        ("/watcher/agents/{agent_id}/heartbeat", "post"): {"200", "401", "403", "404", "413", "422", "503"},
        ("/watcher/agents/{agent_id}/tasks/next", "post"): {"200", "401", "403", "404", "422", "503"},
        ("/watcher/tasks/{task_id}/result", "post"): {"200", "401", "403", "404", "409", "413", "422", "503"},
        ("/watcher/agents/{agent_id}/panic", "post"): {"202", "401", "403", "404", "413", "422", "503"},
        # the managers' Reputation routes (http_reputation; tested in test_reputation_api)
        ("/reputation/items", "get"): {"200", "401", "403", "422", "503"},
        ("/reputation/items/{item_id}/approve", "post"): {"200", "202", "401", "403", "404", "409", "422", "503"},
        ("/reputation/items/{item_id}/edit", "post"): {"200", "202", "401", "403", "404", "409", "413", "422", "503"},
        ("/reputation/items/{item_id}/regenerate", "post"): {"202", "401", "403", "404", "409", "413", "422", "503"},
        ("/reputation/items/{item_id}/skip", "post"): {"200", "401", "403", "404", "409", "422", "503"},
        # the Office board (http_office; tested in test_office_api)
        ("/office/board", "get"): {"200", "401", "403", "503"},
        ("/office/stream", "get"): {"200", "401", "403"},
        ("/office/session", "post"): {"204", "401", "403"},
        ("/office/session", "delete"): {"204"},
    }
    assert set(operations) == set(expected)
    for key, codes in expected.items():
        assert set(operations[key]["responses"]) == codes, key
    bodiless = {  # a query parameter or the path only
        ("/watcher/agents/{agent_id}/tasks/next", "post"),
        ("/reputation/items/{item_id}/approve", "post"),
        ("/reputation/items/{item_id}/skip", "post"),
        ("/office/session", "post"),  # the token comes as the bearer header
    }
    for key in [k for k in expected if k[1] in ("post", "patch") and k not in bodiless]:
        assert "application/json" in operations[key]["requestBody"]["content"], key
    patch_body = operations[("/marketing/campaigns/{campaign_id}", "patch")]["requestBody"]["content"]
    properties = patch_body["application/json"]["schema"]["properties"]
    assert {"strategy", "min_bid", "max_bid", "target_drr", "kill_switch", "safety"} <= set(properties)
    assert "max_drr" in properties["safety"]["properties"]


# --- a store being down is 503 ---------------------------------------------------------------


def test_redis_down_answers_503_on_run_and_status(tmp_path: Path) -> None:
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}",
        api_tokens=TOKENS,
        queue_backend="rq",
        redis_url="redis://127.0.0.1:1/0",  # nothing listens on port 1
    )
    container = build_container(settings)
    migrate.upgrade(container.engine())
    down = TestClient(create_app(settings, container), raise_server_exceptions=False)

    run = down.post("/tasks/system.ping/run", headers=ADMIN)
    assert run.status_code == 503 and "unavailable" in run.json()["detail"]
    assert down.get("/tasks/some-id/status", headers=ADMIN).status_code == 503
    assert down.get("/health").status_code == 503
    assert down.post("/tasks/system.ping/run", content="[]", headers=ADMIN).status_code == 422  # input first


def _celery_backend_gave_up() -> Exception:
    from redis.exceptions import ConnectionError as RedisConnectionError

    try:
        try:
            raise RedisConnectionError("Error 111 connecting to redis://:secret@10.0.0.5:6379.")
        except RedisConnectionError as exc:
            raise RuntimeError("Retry limit exceeded while trying to reconnect to the Celery result store") from exc
    except RuntimeError as wrapped:
        return wrapped


@pytest.mark.parametrize("error", ["redis", "kombu", "builtin", "wrapped by celery"])
def test_a_broker_failure_of_any_client_library_is_503(client: TestClient, error: str) -> None:
    from dependency_injector import providers
    from kombu.exceptions import OperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError

    message = "Error 111 connecting to redis://:secret@10.0.0.5:6379. Connection refused."
    raised = {
        "redis": RedisConnectionError(message),
        "kombu": OperationalError(message),
        "builtin": ConnectionRefusedError(message),
        "wrapped by celery": _celery_backend_gave_up(),
    }[error]

    class DownQueue:
        def enqueue(self, name: str, payload: object = None, **_: object) -> str:
            raise raised

        def status(self, task_id: str) -> object:
            raise raised

    container = client.app.state.container  # type: ignore[attr-defined]
    down = TestClient(client.app, raise_server_exceptions=False)
    with container.task_queue.override(providers.Object(DownQueue())):
        answer = down.post("/tasks/system.ping/run", headers=ADMIN)
        assert answer.status_code == 503 and "secret" not in answer.text
        assert down.get("/tasks/x/status", headers=ADMIN).status_code == 503


def test_a_bug_is_still_a_500_without_details(client: TestClient) -> None:
    from dependency_injector import providers

    class BrokenQueue:
        def status(self, task_id: str) -> object:
            raise RuntimeError("a bug, not an outage: /etc/secret")

    down = TestClient(client.app, raise_server_exceptions=False)
    with client.app.state.container.task_queue.override(providers.Object(BrokenQueue())):  # type: ignore[attr-defined]
        answer = down.get("/tasks/x/status", headers=ADMIN)
    assert answer.status_code == 500 and answer.json() == {"detail": "internal error"}


def test_the_database_down_answers_503(tmp_path: Path) -> None:
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'missing' / 'dir' / 'api.sqlite3'}", api_tokens=TOKENS, redis_url=None
    )
    down = TestClient(create_app(settings, build_container(settings)), raise_server_exceptions=False)
    assert down.get("/marketing/campaigns", headers=ADMIN).status_code == 503


# --- whatever the body, never a 500 ----------------------------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["0.001", "1e20", "-5", "none", "target_drr", "2026-13-01", "9999-12-31"])
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
_keys = st.sampled_from(
    [
        "keep_days",
        "year",
        "month",
        "day",
        "min_bid",
        "max_bid",
        "daily_budget",
        "target_drr",
        "target_position",
        "strategy",
        "kill_switch",
        "safety",
        "max_drr",
    ]
) | st.text(max_size=6)
_bodies = (
    st.dictionaries(_keys, _values, max_size=4).map(json.dumps)
    | _values.map(json.dumps)
    | st.sampled_from(["NaN", '{"max_bid": Infinity}', '{"min_bid": 1e999999}', "[" * 5000, "{", ""])
    | st.text(max_size=40)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_bodies, task=st.sampled_from(["system.cleanup_runtime_records", "marketing.aggregate_monthly_stats"]))
def test_no_body_gets_a_500(client: TestClient, body: str, task: str) -> None:
    cid = getattr(client, "_fuzz_campaign", None) or _seed_campaign(client)
    client._fuzz_campaign = cid  # type: ignore[attr-defined]
    ran = client.post(f"/tasks/{task}/run", content=body, headers=ADMIN)
    changed = client.patch(f"/marketing/campaigns/{cid}", content=body, headers=ADMIN)

    assert ran.status_code in (202, 422), (body, ran.text)
    assert changed.status_code in (200, 422), (body, changed.text)


@pytest.mark.parametrize(
    ("token", "expected"),
    [("adm-0123456789", 202), ("dir-0123456789", 202), ("snr-0123456789", 403), ("mgr-0123456789", 403)],
)
def test_logistics_manual_run_is_for_admins_and_directors(client: TestClient, token: str, expected: int) -> None:
    answer = client.post("/logistic/tasks/auto_cancel_expired/run", headers=auth(token), json={"max_age_hours": 48})
    assert answer.status_code == expected, answer.text
    if expected == 202:
        body = answer.json()
        assert body["task_name"] == "logistic.auto_cancel_expired" and body["status"] == "queued"
        status = client.get(f"/logistic/tasks/{body['task_id']}/status", headers=auth("mgr-0123456789")).json()
        assert status["status"] == "succeeded", status


def test_a_task_off_the_manual_run_allow_list_is_404_and_not_run(client: TestClient) -> None:
    # cleanup_stock_history runs on its schedule only (the seed's manual-run list leaves it out).
    refused = client.post("/logistic/tasks/cleanup_stock_history/run", headers=auth("adm-0123456789"))
    assert refused.status_code == 404 and "logistic.cleanup_stock_history" in refused.json()["detail"]
    assert client.post("/logistic/tasks/nope/run", headers=auth("adm-0123456789")).status_code == 404
