"""The Office board in a real browser: headless Chromium (Debian's ``chromium``, driven by
Playwright) against the API served by uvicorn in a process of its own, over Redis DB 4 (this
module's; only it is flushed). The employees report from this process, through the
application's reporter, to the same Redis, as the workers do.

The page logs in with the form, lists every employee, shows an idle one turn ``working``
without a reload (the page keeps a marker the test set, which a reload would drop), and shows
``offline`` an employee whose hash is gone and one whose last heartbeat is too old. The
screenshot goes to the test's tmp_path, never into the repository.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect, sync_playwright
from redis import Redis

from adolf.adapters.clocks import ManualClock, SystemClock
from adolf.adapters.redis.status_board import RedisStatusBoard
from adolf.adapters.sqlalchemy import migrate
from adolf.adapters.sqlalchemy.engine import build_engine
from adolf.application.office import OfficeReporter, office_key
from adolf.application.office_board import STALE_AFTER, registry
from adolf.application.ports.clock import Clock
from tests.support import processes
from tests.support.services import require_program, require_redis
from tests.support.tcp_proxy import free_port

REDIS_DB = 4
ADMIN, MANAGER = "adm-office-0123456789", "mgr-office-0123456789"
SEEN = 5_000  # ms: what "within a few seconds" allows the page (it is pushed every second)
LOAD = 15_000  # ms: the first answers of a cold API process on a busy CI machine
pytestmark = [pytest.mark.redis, pytest.mark.timeout(120)]


@dataclass
class Api:
    url: str
    redis: Redis
    log: Path

    def reporter(self, agent_id: str, clock: Clock | None = None) -> OfficeReporter:
        employee = next(e for e in registry() if e.agent_id == agent_id)
        return OfficeReporter(employee, RedisStatusBoard(self.redis), clock or SystemClock())


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    redis_url = require_redis(REDIS_DB)
    redis = Redis.from_url(redis_url)
    redis.flushdb()
    database = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    engine = build_engine(database)
    migrate.upgrade(engine)
    engine.dispose()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOLF_")}
    env |= {
        "ADOLF_DATABASE_URL": database,
        "ADOLF_REDIS_URL": redis_url,
        "ADOLF_QUEUE_BACKEND": "inline",
        "ADOLF_API_TOKENS": f"{ADMIN}:admin,{MANAGER}:manager:all",
    }
    log = tmp_path / "uvicorn.log"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "adolf.entrypoints.http:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with log.open("w") as out:
        server = processes.spawn(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, server, log)
        yield Api(url, redis, log)
    finally:
        processes.stop_tree([server], grace=5)
        redis.flushdb()
        redis.close()


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"uvicorn exited {server.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the API did not answer in {seconds} s:\n{log.read_text()}")


@pytest.fixture
def chromium() -> str:
    return require_program("chromium", "apt-get install chromium; .ci/run installs it")


@pytest.fixture
def page(chromium: str) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            yield browser.new_page()
        finally:
            browser.close()


def status_of(page: Page, agent_id: str) -> Locator:
    return page.locator(f'.employee[data-agent="{agent_id}"] .status')


def test_the_board_lists_the_employees_and_follows_them_live(
    chromium: str, api: Api, page: Page, tmp_path: Path
) -> None:
    """``chromium`` first: without it nothing is started."""
    api.reporter("reputation_wb").heartbeat({"reviews_today": 3})
    api.reporter("reputation_ozon").heartbeat()
    api.reporter("watcher_competitor_scan").heartbeat()

    answer = page.goto(f"{api.url}/office")
    assert answer is not None and answer.status == 401  # the page, asking for a token
    page.fill("#token", MANAGER)
    page.click("button[type=submit]")
    expect(page.locator("#login-error")).to_contain_text("role 'manager' may not see the Office board", timeout=LOAD)
    page.fill("#token", ADMIN)
    page.click("button[type=submit]")

    expect(page.locator(".employee")).to_have_count(len(registry()), timeout=LOAD)
    expect(page.locator(".employee .name")).to_have_text([e.name for e in registry()])
    expect(status_of(page, "reputation_wb")).to_have_text("idle")
    expect(page.locator('.employee[data-agent="reputation_wb"] .metrics')).to_contain_text("reviews_today3")
    expect(status_of(page, "watcher_night_agent")).to_have_text("offline")  # never reported
    expect(page.locator("#link")).to_have_text("live", timeout=LOAD)
    page.evaluate("window.stillTheSamePage = true")

    api.reporter("reputation_wb").report_idle({"queue_size": 2})
    api.reporter("reputation_wb").report_working("answering WB reviews")
    expect(status_of(page, "reputation_wb")).to_have_text("working", timeout=SEEN)
    expect(page.locator('.employee[data-agent="reputation_wb"] .activity')).to_have_text("answering WB reviews")

    api.redis.delete(office_key("reputation_ozon"))  # its process is gone: the TTL ran out
    stopped = ManualClock(SystemClock().now() - STALE_AFTER - timedelta(seconds=30))
    api.reporter("watcher_competitor_scan", stopped).heartbeat()  # its last heartbeat, long ago
    expect(status_of(page, "reputation_ozon")).to_have_text("offline", timeout=SEEN)
    expect(status_of(page, "watcher_competitor_scan")).to_have_text("offline", timeout=SEEN)
    scan_heartbeat = page.locator('.employee[data-agent="watcher_competitor_scan"] .heartbeat')
    expect(scan_heartbeat).to_contain_text("last heartbeat: 3 min ago")
    expect(status_of(page, "reputation_wb")).to_have_text("working")

    assert page.evaluate("window.stillTheSamePage") is True  # no reload happened
    expect(page.locator("#dead-letters")).to_have_text("0")
    expect(page.locator("#workers-up")).to_have_text("1")  # the API's own inline runner
    page.screenshot(path=str(tmp_path / "office.png"), full_page=True)
    assert (tmp_path / "office.png").stat().st_size > 0
    assert ADMIN not in api.log.read_text()  # the token is never logged (uvicorn logs every request)
