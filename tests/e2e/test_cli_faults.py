"""The CLI under faults: Redis down is one line within seconds, a malformed secret setting is
one line naming the variable, and a configured secret never reaches the output, whether it
sits in a task's payload, its result, its error or a dead letter."""

from __future__ import annotations

import json
import os
import re
import socket
import time
from pathlib import Path
from typing import Any

import pytest

from adolf.application.catalogue import Catalogue, RetryPolicy, TaskSpec
from tests.e2e.conftest import Run

REPO = Path(__file__).resolve().parents[2]
SECRET = "wb-secret-0123456789"


def _echo(services: Any, text: str) -> dict[str, str]:
    return {"echo": text}


def _leak(services: Any, text: str) -> None:
    raise RuntimeError(f"the marketplace refused {text}")


CATALOGUE = Catalogue(
    [
        TaskSpec("e2e.echo", _echo, "e2e.default"),
        TaskSpec("e2e.leak", _leak, "e2e.default", retry=RetryPolicy(max_retries=0)),
    ]
)
ENV = {
    "ADOLF_WB_API_TOKEN": SECRET,
    "ADOLF_EXTRA_CATALOGUES": "tests.e2e.test_cli_faults:CATALOGUE",
    "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
}


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again: nothing listens there


@pytest.mark.parametrize("backend", ["rq", "celery"])
def test_tasks_run_with_redis_down_is_one_line_within_seconds(adolf: Run, backend: str) -> None:
    url = f"redis://:{SECRET}@127.0.0.1:{_dead_port()}/0"
    started = time.monotonic()
    result = adolf(
        "tasks",
        "run",
        "system.ping",
        env={"ADOLF_QUEUE_BACKEND": backend, "ADOLF_REDIS_URL": url, "COLUMNS": "60"},
        check=False,
        timeout=30,
    )
    took = time.monotonic() - started

    assert result.returncode == 1, result
    assert took < 5.0, f"{took:.1f} s"
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: Redis at "), result.stderr
    assert "ADOLF_REDIS_URL" in result.stderr and "unreachable" in result.stderr
    assert SECRET not in result.stderr and "Traceback" not in result.stderr
    assert "queued" not in result.stdout


def test_a_malformed_api_tokens_is_one_line_naming_the_variable_not_the_token(adolf: Run) -> None:
    result = adolf(
        "config", "show", env={"ADOLF_API_TOKENS": f"{SECRET}:admin,{SECRET}-2", "COLUMNS": "60"}, check=False
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "ADOLF_API_TOKENS" in result.stderr and "entry 2 of 2" in result.stderr
    assert "wb-secret" not in result.stderr + result.stdout and "Traceback" not in result.stderr


def test_a_mistyped_url_is_one_line_with_its_password_masked(adolf: Run) -> None:
    result = adolf(
        "config",
        "show",
        env={"ADOLF_DATABASE_URL": f"postgresql//adolf:{SECRET}@db/adolf", "COLUMNS": "60"},
        check=False,
    )
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "ADOLF_DATABASE_URL='postgresql//adolf:***@db/adolf'" in result.stderr
    assert SECRET not in result.stderr


def test_a_configured_secret_in_a_payload_result_error_or_dead_letter_is_masked(adolf: Run) -> None:
    adolf("db", "upgrade", env=ENV)
    text = f"calling WB with {SECRET} now"

    ran = adolf("tasks", "run", "e2e.echo", "-p", json.dumps({"text": text}), env=ENV)
    assert SECRET not in ran.stdout + ran.stderr
    assert "calling WB with *** now" in ran.stdout
    task_id = re.search(r"queued e2e\.echo as (\S+)", ran.stdout).group(1)  # type: ignore[union-attr]
    looked_up = adolf("tasks", "status", task_id, env=ENV)
    assert SECRET not in looked_up.stdout and json.loads(looked_up.stdout)["result"] == {
        "echo": "calling WB with *** now"
    }

    failed = adolf("tasks", "run", "e2e.leak", "-p", json.dumps({"text": text}), env=ENV, check=False)
    assert failed.returncode == 1
    assert (
        SECRET not in failed.stdout + failed.stderr and "the marketplace refused calling WB with ***" in failed.stdout
    )

    letters = adolf("deadletters", "list", env={**ENV, "COLUMNS": "400"})
    assert "e2e.leak" in letters.stdout and SECRET not in letters.stdout

    refused = adolf("tasks", "run", "e2e.echo", "-p", json.dumps({"text": text, "extra": SECRET}), env=ENV, check=False)
    assert refused.returncode == 2 and SECRET not in refused.stderr


@pytest.mark.parametrize("command", [("queues",), ("workers",), ("rq", "worker", "--burst")])
def test_any_command_meeting_a_dead_redis_says_so_in_one_line(adolf: Run, command: tuple[str, ...]) -> None:
    url = f"redis://:{SECRET}@127.0.0.1:{_dead_port()}/0"
    result = adolf(
        *command, env={"ADOLF_QUEUE_BACKEND": "rq", "ADOLF_REDIS_URL": url, "COLUMNS": "60"}, check=False, timeout=30
    )
    assert result.returncode == 1, result
    assert result.stderr.count("\n") == 1 and "unreachable" in result.stderr, result.stderr
    assert SECRET not in result.stderr and "Traceback" not in result.stderr
