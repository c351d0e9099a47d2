"""The operator's commands on the embedded default (SQLite, inline queue)."""

from __future__ import annotations

import json
import re

from tests.e2e.conftest import Run


def _json(text: str) -> dict:
    return json.loads(text[text.index("{") :])


def test_every_command_has_help(adolf: Run) -> None:
    for args in (
        ["--help"],
        ["db", "--help"],
        ["tasks", "run", "--help"],
        ["queues", "purge", "--help"],
        ["deadletters", "retry", "--help"],
        ["simulate", "--help"],
        ["rq", "worker", "--help"],
        ["config", "show", "--help"],
        ["workers", "--help"],
        ["health", "--help"],
        ["campaigns", "set", "--help"],
        ["campaigns", "list", "--help"],
        ["campaigns", "show", "--help"],
        ["alerts", "--help"],
        ["recommendations", "--help"],
    ):
        assert "Usage" in adolf(*args).stdout


def test_db_upgrade_downgrade_and_current(adolf: Run) -> None:
    assert "revision" in adolf("db", "upgrade").stdout
    head = adolf("db", "current").stdout.strip()
    assert head and head != "base (empty)"
    adolf("db", "downgrade", "base")
    assert adolf("db", "current").stdout.strip() == "base (empty)"


def test_config_show_masks_secrets(adolf: Run) -> None:
    out = adolf(
        "config",
        "show",
        env={"ADOLF_WB_API_TOKEN": "wb-token-123456", "ADOLF_DATABASE_URL": "postgresql://adolf:pa55word@db/adolf"},
    ).stdout
    assert "wb-token-123456" not in out and "pa55word" not in out
    assert "ADOLF_WB_API_TOKEN" in out


def test_an_invalid_setting_stops_the_command_naming_the_variable(adolf: Run) -> None:
    result = adolf("tasks", "list", env={"ADOLF_QUEUE_BACKEND": "kafka"}, check=False)
    assert result.returncode == 2
    assert "ADOLF_QUEUE_BACKEND='kafka'" in result.stderr


def test_tasks_list_shows_the_catalogue_with_moscow_schedules(adolf: Run) -> None:
    out = adolf("tasks", "list").stdout
    for name in ("marketing.run_bid_cycle", "marketing.collect_stats_wb", "system.ping"):
        assert name in out
    assert "7,22,37,52 * * * *" in out


def test_run_a_task_by_hand_and_look_it_up_by_id(adolf: Run) -> None:
    adolf("db", "upgrade")
    out = adolf("tasks", "run", "system.ping").stdout
    task_id = re.search(r"queued system\.ping as (\S+)", out).group(1)  # type: ignore[union-attr]
    status = _json(adolf("tasks", "status", task_id).stdout)
    assert status["state"] == "succeeded" and "pong" in status["result"]


def test_a_bad_payload_is_dead_lettered_and_can_be_re_driven(adolf: Run) -> None:
    adolf("db", "upgrade")
    failed = adolf("tasks", "run", "system.cleanup_runtime_records", "-p", '{"keep_days": "soon"}', check=False)
    assert failed.returncode == 1
    assert "keep_days='soon'" in failed.stdout
    listing = adolf("deadletters", "list").stdout
    assert "system.cleanup_runtime_records" in listing
    again = adolf("deadletters", "retry", "1", check=False)
    assert "re-driven" in again.stdout
    assert "use --force" in adolf("deadletters", "retry", "1", check=False).stderr


def test_queues_purge_needs_confirmation(adolf: Run) -> None:
    result = adolf("queues", "purge", "marketing_low", check=False)
    assert result.returncode == 2 and "--yes" in result.stderr
    assert "purged 0" in adolf("queues", "purge", "marketing_low", "--yes").stdout
