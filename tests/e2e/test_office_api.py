"""The Office board over HTTP: who may see it, the page's session cookie, the snapshot and its stream."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from fastapi.testclient import TestClient

from adolf.adapters.sqlalchemy import migrate
from adolf.application.office import OfficeReporter
from adolf.application.watcher.office import EMPLOYEES
from adolf.container import Container, build_container
from adolf.entrypoints.http import create_app
from adolf.entrypoints.http_office import COOKIE, SESSION_SECONDS, Sessions
from adolf.settings import load_settings

TOKENS = "adm-0123456789:admin,dir-0123456789:director,snr-0123456789:senior,mgr-0123456789:manager:all"


@pytest.fixture
def container(tmp_path: Path) -> Container:
    settings = load_settings(
        database_url=f"sqlite:///{tmp_path / 'office.sqlite3'}",
        api_tokens=TOKENS,
        queue_backend="inline",
        redis_url=None,
    )
    built = build_container(settings)
    migrate.upgrade(built.engine())
    return built


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container.settings(), container)) as test_client:
        yield test_client


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("token", ["adm-0123456789", "dir-0123456789", "snr-0123456789"])
def test_admin_director_and_senior_see_the_board(client: TestClient, token: str) -> None:
    answer = client.get("/office/board", headers=auth(token))
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    board = answer.json()
    assert [e["agent_id"] for e in board["employees"]][:3] == list(e.agent_id for e in EMPLOYEES.values())
    assert {e["status"] for e in board["employees"]} == {"offline"}  # nobody reported yet
    assert board["system"]["workers"] == [{"name": "inline (this process)", "state": "up"}]


def test_a_manager_is_refused_and_no_token_or_an_unknown_one_is_not_let_in(client: TestClient) -> None:
    refused = client.get("/office/board", headers=auth("mgr-0123456789"))
    assert refused.status_code == 403 and "manager" in refused.json()["detail"]
    assert client.get("/office/board").status_code == 401
    assert client.get("/office/board", headers=auth("an-agent-token")).status_code == 401
    assert client.get("/office/stream").status_code == 401
    assert client.post("/office/session", headers=auth("mgr-0123456789")).status_code == 403
    assert client.post("/office/session").status_code == 401


def test_the_page_is_answered_with_the_status_of_its_viewer_and_a_nonce_for_its_own_script(client: TestClient) -> None:
    anonymous = client.get("/office")
    assert anonymous.status_code == 401 and 'id="login-form"' in anonymous.text
    assert client.get("/office", headers=auth("mgr-0123456789")).status_code == 403
    page = client.get("/office", headers=auth("adm-0123456789"))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in page.text and "{{nonce}}" not in page.text
    assert "default-src 'none'" in policy and "https://" not in page.text  # nothing from elsewhere
    assert client.get("/office").headers["content-security-policy"] != policy  # a nonce per answer


def test_the_login_form_trades_the_token_for_a_cookie_that_holds_no_token(client: TestClient) -> None:
    login = client.post("/office/session", headers=auth("snr-0123456789"))
    assert login.status_code == 204
    cookie = login.headers["set-cookie"]
    for attribute in ("HttpOnly", "Path=/office", "SameSite=strict", f"Max-Age={SESSION_SECONDS}"):
        assert attribute in cookie
    assert "snr-0123456789" not in cookie
    assert client.get("/office/board").status_code == 200  # the cookie alone
    assert client.get("/office").status_code == 200
    assert client.delete("/office/session").status_code == 204
    assert client.get("/office/board").status_code == 401


def test_a_forged_or_expired_session_is_refused(client: TestClient) -> None:
    client.cookies.set(COOKIE, f"{int(time.time()) + 3600}.{'0' * 64}", path="/office")
    forged = client.get("/office/board")
    assert forged.status_code == 401 and "log in again" in forged.json()["detail"]
    sessions = Sessions({"adm-0123456789": "admin", "mgr-0123456789": "manager"}, seconds=60)
    issued = sessions.issue("adm-0123456789", now=1000.0)
    assert sessions.check(issued, now=1059.0) is not None and sessions.check(issued, now=1060.0) is None
    assert sessions.check(issued.replace(".", ".x", 1), now=1000.0) is None
    later = issued.replace("1060.", "9999.", 1)  # a moved expiry no longer matches its HMAC
    assert sessions.check(later, now=1000.0) is None
    assert Sessions({"adm-0123456789": "admin"}).check(issued, now=1000.0) is not None
    assert Sessions({"other-0123456789": "admin"}).check(issued, now=1000.0) is None  # the token was removed


def test_a_token_or_a_cookie_of_any_bytes_is_a_401_not_a_500(client: TestClient) -> None:
    assert client.get("/office/board", headers={"Authorization": b"Bearer \xc3\xa9t\xe9"}).status_code == 401
    assert client.get("/office/board", headers={"Cookie": f"{COOKIE}=1.\xe9".encode("latin-1")}).status_code == 401
    assert client.get("/office/board", headers={"Cookie": f"{COOKIE}=\u0661\u0662.00".encode()}).status_code == 401


def test_the_board_shows_what_an_employee_reported(client: TestClient, container: Container) -> None:
    reporter = OfficeReporter(EMPLOYEES["night_agent"], container.status_board(), container.clock())
    reporter.heartbeat({"queue_size": 7})
    reporter.report_working("parsing the night")
    board = client.get("/office/board", headers=auth("dir-0123456789")).json()
    night = next(e for e in board["employees"] if e["agent_id"] == "watcher_night_agent")
    assert (night["status"], night["activity"], night["metrics"]) == (
        "working",
        "parsing the night",
        {"queue_size": "7"},
    )
    assert board["summary"]["working"] == 1 and board["summary"]["offline"] == 5


def events(client: TestClient, count: int, **headers: str) -> list[tuple[str, Any]]:
    """The first ``count`` events of ``/office/stream``: (event name, parsed data)."""
    found: list[tuple[str, Any]] = []
    with client.stream("GET", "/office/stream", headers=headers) as stream:
        assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
        name = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                found.append((name, json.loads(line.removeprefix("data: "))))
                if len(found) == count:
                    break
    return found


def test_the_stream_pushes_the_snapshot_again_with_what_changed(client: TestClient, container: Container) -> None:
    reporter = OfficeReporter(EMPLOYEES["price_monitor"], container.status_board(), container.clock())
    reporter.report_idle()
    pushed: list[str] = []
    with client.stream("GET", "/office/stream", headers=auth("adm-0123456789")) as stream:
        for line in stream.iter_lines():
            if not line.startswith("data: "):
                continue
            monitor = json.loads(line.removeprefix("data: "))["employees"][0]
            pushed.append(monitor["status"])
            if len(pushed) == 1:
                reporter.report_working("watching prices")
            if monitor["status"] == "working" or len(pushed) > 5:
                break
    assert pushed[0] == "idle" and pushed[-1] == "working"


class DownBoard:
    def get(self, key: str) -> dict[str, str]:
        raise ConnectionError("Redis is down")

    def put(self, key: str, values: Any, ttl: int | None = None) -> None:
        raise ConnectionError("Redis is down")

    def incr(self, key: str, amount: int = 1, ttl: int | None = None) -> int:
        raise ConnectionError("Redis is down")


def test_a_store_down_is_a_503_for_the_snapshot_and_a_problem_event_for_the_stream(
    client: TestClient, container: Container
) -> None:
    with container.status_board.override(providers.Object(DownBoard())):
        down = client.get("/office/board", headers=auth("adm-0123456789"))
        assert down.status_code == 503 and "ConnectionError" in down.json()["detail"]
        (name, data), *_ = events(client, 1, Authorization="Bearer adm-0123456789")
    assert name == "problem" and "ConnectionError" in data["detail"]
