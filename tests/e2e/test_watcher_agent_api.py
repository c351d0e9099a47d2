"""The parsing agents' HTTP protocol as an agent drives it (issue 10): each agent with its own
token acts only as itself; operators' tokens do not act as agents.

The app is the real one (``create_app``) with the Watcher services the agents' routes use
handed in as fakes (``tests.support.watcher_agents``), so each test can look at the tables
and the queue behind the answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adolf.application.watcher.agent_protocol import HANDLE_PANIC
from adolf.container import build_container
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.agents import AgentStatus
from adolf.domain.watcher.tasks import TaskStatus
from adolf.entrypoints.http import create_app
from adolf.settings import load_settings
from tests.support.watcher_agents import AgentFakeServices, add_agent, add_night

ADMIN, MANAGER = "adm-0123456789", "mgr-0123456789"
TOKENS = f"{ADMIN}:admin,{MANAGER}:manager"
WB = Marketplace.WB


class Fleet:
    def __init__(self, client: TestClient, services: AgentFakeServices) -> None:
        self.client = client
        self.services = services
        self.tokens: dict[str, str] = {}

    def agent(self, agent_id: str, **options: Any) -> str:
        self.tokens[agent_id] = add_agent(self.services, agent_id, **options)
        return self.tokens[agent_id]

    def post(self, path: str, as_: str | None, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """POST as agent ``as_`` (its token), or with ``as_`` as the token itself, or none."""
        token = self.tokens.get(as_, as_) if as_ else None
        sent = {**(headers or {}), **({"Authorization": f"Bearer {token}"} if token else {})}
        return self.client.post(path, headers=sent, **kwargs)

    def next(self, agent_id: str, **params: str) -> Any:
        return self.post(f"/watcher/agents/{agent_id}/tasks/next", agent_id, params=params)

    def result(self, agent_id: str, task_id: int, body: str) -> Any:
        """A result body sent as written (numbers as the agent wrote them)."""
        headers = {"Content-Type": "application/json"}
        return self.post(f"/watcher/tasks/{task_id}/result", agent_id, content=body, headers=headers)

    @property
    def tables(self) -> Any:
        return self.services.unit_of_work.watcher


@pytest.fixture
def fleet(tmp_path: Path) -> Fleet:
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", api_tokens=TOKENS, queue_backend="inline", redis_url=None
    )
    services = AgentFakeServices()
    app = create_app(settings, build_container(settings), watcher_services=lambda: services)
    return Fleet(TestClient(app), services)


# who may call what

AGENT_ROUTES = [
    ("/watcher/agents/{id}/heartbeat", {"json": {"ip": "10.0.0.1"}}, 200),
    ("/watcher/agents/{id}/tasks/next", {}, 200),
    ("/watcher/agents/{id}/panic", {"json": {"reason": "captcha"}}, 202),
]


@pytest.mark.parametrize(("path", "body", "ok"), AGENT_ROUTES)
def test_the_role_matrix_of_the_agent_routes(fleet: Fleet, path: str, body: dict[str, Any], ok: int) -> None:
    add_night(fleet.services, 1)
    fleet.agent("a1")
    fleet.agent("a2")
    own = path.replace("{id}", "a1")
    answers = {
        "own token": fleet.post(own, "a1", **body),
        "another agent's token": fleet.post(own, "a2", **body),
        "no token": fleet.post(own, None, **body),
        "an unknown token": fleet.post(own, "token-of-nobody-" + "x" * 32, **body),
        "an admin's token": fleet.post(own, ADMIN, **body),
        "a manager's token": fleet.post(own, MANAGER, **body),
    }
    codes = {who: answer.status_code for who, answer in answers.items()}
    assert codes == {
        "own token": ok,
        "another agent's token": 403,
        "no token": 401,
        "an unknown token": 401,
        "an admin's token": 403,
        "a manager's token": 403,
    }
    assert "'a2' may act only as itself, not as agent 'a1'" in answers["another agent's token"].json()["detail"]
    assert "operator's token may not act as a parsing agent" in answers["an admin's token"].json()["detail"]


def test_the_role_matrix_of_a_result(fleet: Fleet) -> None:
    [task_id] = add_night(fleet.services, 1)
    fleet.agent("a1")
    fleet.agent("a2")
    assert fleet.next("a1").json()["task"]["task_id"] == task_id
    body = '{"prices": [{"price": 1899.90, "in_stock": true}]}'
    path = f"/watcher/tasks/{task_id}/result"
    headers = {"Content-Type": "application/json"}
    codes = {
        who: fleet.post(path, token, content=body, headers=headers).status_code
        for who, token in [("no token", None), ("admin", ADMIN), ("manager", MANAGER), ("a2", "a2"), ("a1", "a1")]
    }
    assert codes == {"no token": 401, "admin": 403, "manager": 403, "a2": 409, "a1": 200}


def test_an_agents_token_opens_no_operator_route(fleet: Fleet) -> None:
    fleet.agent("a1")
    assert fleet.post("/tasks/system.ping/run", "a1").status_code == 401
    assert (
        fleet.client.get("/marketing/campaigns", headers={"Authorization": f"Bearer {fleet.tokens['a1']}"}).status_code
        == 401
    )


# the protocol


def test_an_agent_beats_pops_tasks_in_queue_order_and_reports_prices(fleet: Fleet) -> None:
    queued = add_night(fleet.services, 3)
    fleet.agent("a1", status=AgentStatus.OFFLINE, ip=None)
    beat = fleet.post(
        "/watcher/agents/a1/heartbeat", "a1", json={"ip": "10.9.8.7", "metrics": {"pages": 4, "rss_mb": 312.5}}
    )
    assert beat.status_code == 200, beat.text
    assert beat.json() | {"last_heartbeat": None} == {
        "agent_id": "a1",
        "status": "online",
        "last_heartbeat": None,
        "ip": "10.9.8.7",
        "ip_blocked": False,
        "cookies_valid": True,
    }
    popped = []
    for _ in queued:
        offer = fleet.next("a1", marketplace="wb").json()["task"]
        popped.append(offer["task_id"])
        done = fleet.result(
            "a1", offer["task_id"], '{"prices": [{"price": 1899.90, "old_price": "2499", "in_stock": true}]}'
        )
        assert done.json() == {
            "task_id": offer["task_id"],
            "status": "done",
            "retry_count": 0,
            "kept": 1,
            "refused": [],
        }
    assert popped == queued
    assert fleet.next("a1").json() == {"task": None, "reason": "no task waiting in the wb queue", "skipped": 0}
    prices = sorted((s.task_id, str(s.observation.price)) for s in fleet.tables.prices.values())
    assert prices == [(task_id, "1899.90") for task_id in queued]  # the JSON number read exactly


def test_an_offer_names_the_product_and_the_lease(fleet: Fleet) -> None:
    [task_id] = add_night(fleet.services, 1)
    fleet.agent("a1")
    offer = fleet.next("a1").json()["task"]
    assert offer == {
        "task_id": task_id,
        "competitor_product_id": 1,
        "external_id": "wb-1",
        "url": "https://wb.example/1",
        "marketplace": "wb",
        "scheduled_date": "2024-05-10",
        "lease_until": "2024-05-10T09:17:00+00:00",
        "attempt": 1,
    }


def test_a_blocked_ip_gets_no_task(fleet: Fleet) -> None:
    add_night(fleet.services, 2)
    fleet.agent("a1", ip="10.0.0.9")
    fleet.services.ip_blocks.block("10.0.0.9", reason="captcha")
    answer = fleet.next("a1").json()
    assert answer["task"] is None and "ip=10.0.0.9" in answer["reason"] and "blocked" in answer["reason"]
    assert fleet.services.parsing_queue.length(WB) == 2
    assert fleet.post("/watcher/agents/a1/heartbeat", "a1").json()["ip_blocked"] is True


def test_a_result_for_a_task_the_agent_does_not_hold_is_409_and_changes_nothing(fleet: Fleet) -> None:
    first, second = add_night(fleet.services, 2)
    fleet.agent("a1")
    fleet.agent("a2")
    assert fleet.next("a2").json()["task"]["task_id"] == first
    before = fleet.tables.snapshot()
    queue = fleet.services.parsing_queue.length(WB)
    for task_id in (first, second):  # held by another agent; still pending
        for body in ('{"prices": [{"price": "10", "in_stock": true}]}', '{"error": "timeout"}'):
            refused = fleet.result("a1", task_id, body)
            assert refused.status_code == 409 and "agent_id='a1' does not hold task" in refused.json()["detail"]
    assert fleet.tables.snapshot() == before
    assert fleet.services.parsing_queue.length(WB) == queue


def test_a_malformed_price_item_is_refused_and_counted_while_the_others_are_kept(fleet: Fleet) -> None:
    [task_id] = add_night(fleet.services, 1)
    fleet.agent("a1")
    fleet.next("a1")
    body = (
        '{"prices": [{"price": 1899.90, "in_stock": true}, {"price": "abc", "in_stock": true},'
        ' {"price": 1800, "observed_at": "yesterday"}, {"price": null, "in_stock": false}]}'
    )
    answer = fleet.result("a1", task_id, body)
    assert answer.status_code == 200, answer.text
    receipt = answer.json()
    assert (receipt["status"], receipt["kept"]) == ("done", 2)
    assert receipt["refused"] == [
        {"index": 1, "error": "prices[1]: price='abc' is not a number"},
        {"index": 2, "error": "prices[2]: observed_at='yesterday' is not an ISO 8601 date and time"},
    ]
    assert len(fleet.tables.prices) == 2
    assert fleet.services.watcher_stats.read_agent_state("a1")["refused_prices"] == "2"


def test_an_unknown_task_is_404_and_counted(fleet: Fleet) -> None:
    fleet.agent("a1")
    answer = fleet.result("a1", 77, '{"error": "no such page"}')
    assert answer.status_code == 404 and answer.json()["detail"] == "task_id=77 does not exist"
    assert fleet.services.watcher_stats.read_agent_state("a1")["unknown_tasks"] == "1"


def test_the_third_failure_marks_the_task_failed(fleet: Fleet) -> None:
    [task_id] = add_night(fleet.services, 1)
    fleet.agent("a1")
    statuses = []
    for attempt in (1, 2, 3):
        offer = fleet.next("a1").json()["task"]
        assert (offer["task_id"], offer["attempt"]) == (task_id, attempt)
        statuses.append(fleet.result("a1", task_id, f'{{"error": "blocked page {attempt}"}}').json()["status"])
    assert statuses == ["pending", "pending", "failed"]
    assert fleet.tables.tasks[task_id].status is TaskStatus.FAILED and fleet.tables.tasks[task_id].retry_count == 3
    assert fleet.next("a1").json()["task"] is None


def test_panic_queues_handle_panic_mode(fleet: Fleet) -> None:
    fleet.agent("a1")
    answer = fleet.post(
        "/watcher/agents/a1/panic", "a1", json={"reason": "captcha", "details": {"url": "https://wb.example/1"}}
    )
    assert answer.status_code == 202
    assert answer.json() == {"task_id": "task-1", "task_name": HANDLE_PANIC, "status": "queued"}
    assert fleet.services.queue.payloads(HANDLE_PANIC) == [
        {"agent_id": "a1", "reason": "captcha", "details": {"url": "https://wb.example/1"}}
    ]


# bad input at the edge


def _fields(answer: Any) -> list[tuple[Any, ...]]:
    assert answer.status_code == 422, answer.text
    return [tuple(error["loc"]) for error in answer.json()["detail"]]


def test_bad_bodies_and_parameters_are_422_naming_the_field(fleet: Fleet) -> None:
    add_night(fleet.services, 1)
    fleet.agent("a1")
    beat = "/watcher/agents/a1/heartbeat"
    assert _fields(fleet.post(beat, "a1", json={"cookies_valid": "yes"})) == [("body", "cookies_valid")]
    assert _fields(fleet.post(beat, "a1", json={"metrics": {"cpu": {"nested": 1}}})) != []
    assert _fields(fleet.post(beat, "a1", json={"colour": "red"})) == [("body", "colour")]
    wrong_ip = fleet.post(beat, "a1", json={"ip": "localhost"})
    assert wrong_ip.status_code == 422 and wrong_ip.json()["detail"] == "ip='localhost' is not an IPv4 or IPv6 address"
    assert _fields(fleet.next("a1", marketplace="amazon")) == [("query", "marketplace")]
    other = fleet.next("a1", marketplace="ozon")
    assert other.status_code == 422 and "agent a1 parses 'wb' only" in other.json()["detail"]
    assert _fields(fleet.post("/watcher/agents/a1/panic", "a1", json={"details": {}})) == [("body", "reason")]
    offer = fleet.next("a1").json()["task"]
    result = f"/watcher/tasks/{offer['task_id']}/result"
    assert _fields(fleet.result("a1", offer["task_id"], '{"prices": "cheap"}')) == [("body", "prices")]
    assert _fields(fleet.result("a1", offer["task_id"], "{}")) == [("body",)]
    assert _fields(fleet.result("a1", offer["task_id"], '{"prices": [], "error": "x"}')) == [("body", "prices")]
    not_json = fleet.result("a1", offer["task_id"], "{prices")
    assert not_json.status_code == 422 and "the body is not JSON" in not_json.json()["detail"]
    assert _fields(fleet.post("/watcher/tasks/0/result", "a1", json={"error": "x"})) == [("path", "task_id")]
    assert fleet.tables.tasks[offer["task_id"]].status is TaskStatus.IN_PROGRESS, result


def test_the_agent_routes_are_in_the_api_document(fleet: Fleet) -> None:
    document = fleet.client.get("/openapi.json", headers={"Authorization": f"Bearer {ADMIN}"}).json()
    assert {
        "/watcher/agents/{agent_id}/heartbeat",
        "/watcher/agents/{agent_id}/tasks/next",
        "/watcher/tasks/{task_id}/result",
        "/watcher/agents/{agent_id}/panic",
    } <= set(document["paths"])
    assert "409" in document["paths"]["/watcher/tasks/{task_id}/result"]["post"]["responses"]
