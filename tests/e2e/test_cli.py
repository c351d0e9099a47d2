"""The operator's commands on the embedded default (SQLite, inline queue)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adolf.entrypoints.cli.app import app as cli_app
from tests.e2e.conftest import Run


def _json(text: str) -> dict:
    return json.loads(text[text.index("{") :])


def test_the_installed_command_answers_help(adolf: Run) -> None:
    assert "Usage" in adolf("--help").stdout


def test_every_command_has_help() -> None:
    # in process (a start-up of `adolf` costs ~2 s a command here); the command itself is above
    runner = CliRunner()
    for args in (
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
        result = runner.invoke(cli_app, args, env={"COLUMNS": "160"})
        assert result.exit_code == 0 and "Usage" in result.output, (args, result.output)


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


@pytest.mark.parametrize(
    ("task", "payload", "message"),
    [
        ("system.cleanup_runtime_records", '{"keep_days": "soon"}', "keep_days='soon' is not a valid int"),
        ("system.cleanup_runtime_records", '{"keep_days": -5}', "keep_days=-5 must be between 1 and 3650"),
        ("system.cleanup_runtime_records", "[]", "--payload=[] must be a JSON object"),
        ("system.cleanup_runtime_records", '{"keep_days": NaN}', "NaN is not allowed"),
        ("system.cleanup_runtime_records", '{"keep_days": 1e999999}', "the number 1e999999 is out of range"),
        ("marketing.generate_report", '{"start": "9999-12-31"}', "start='9999-12-31' must be between"),
        ("marketing.apply_bid_change", '{"keyword_id": 1, "bid": 1.001, "idempotency_key": "k"}', "bid=1.001 has more"),
        ("system.cleanup_runtime_records", '{"[/x]": 1}', "unknown field [/x]=1"),
    ],
)
def test_a_bad_payload_is_refused_before_it_is_queued_in_one_line(
    adolf: Run, task: str, payload: str, message: str
) -> None:
    refused = adolf("tasks", "run", task, "-p", payload, check=False)

    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and refused.stderr.startswith("error: ") and message in refused.stderr
    assert "Traceback" not in refused.stderr and "queued" not in refused.stdout


def test_a_failed_task_is_dead_lettered_and_can_be_re_driven(adolf: Run) -> None:
    adolf("db", "upgrade")
    payload = '{"keyword_id": 404, "bid": "50", "idempotency_key": "by-hand-1"}'
    failed = adolf("tasks", "run", "marketing.apply_bid_change", "-p", payload, check=False)
    assert failed.returncode == 1
    assert "keyword_id=404 does not exist" in failed.stdout
    listing = adolf("deadletters", "list").stdout
    assert "marketing.apply_bid_change" in listing
    again = adolf("deadletters", "retry", "1", check=False)
    assert "re-driven" in again.stdout
    assert "use --force" in adolf("deadletters", "retry", "1", check=False).stderr


def test_queues_purge_needs_confirmation(adolf: Run) -> None:
    result = adolf("queues", "purge", "marketing_low", check=False)
    assert result.returncode == 2 and "--yes" in result.stderr
    assert "purged 0" in adolf("queues", "purge", "marketing_low", "--yes").stdout


@pytest.mark.parametrize(
    "args",
    [
        ("campaigns", "show", str(2**63)),
        ("campaigns", "set", "0", "--dry-run"),
        ("deadletters", "list", "--limit", "0"),
        ("deadletters", "retry", str(2**64)),
        ("alerts", "--limit", str(10**20)),
    ],
)
def test_an_id_or_limit_out_of_range_exits_2_without_a_traceback(adolf: Run, args: tuple[str, ...]) -> None:
    refused = adolf(*args, check=False)

    assert refused.returncode == 2 and "Invalid value" in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout


def test_a_dead_letter_whose_payload_no_longer_fits_is_not_re_driven_and_stays_unmarked(
    adolf: Run, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from adolf.application.ports.dead_letters import DeadLetter
    from adolf.container import build_container
    from adolf.settings import load_settings

    adolf("db", "upgrade")
    container = build_container(load_settings(database_url=f"sqlite:///{tmp_path / 'var' / 'adolf.sqlite3'}"))
    with container.uow() as uow:  # written by an older release, whose keep_days had no bounds
        letter_id = uow.dead_letters.add(
            DeadLetter(
                "t-old", "system.cleanup_runtime_records", {"keep_days": -5}, "boom", "", datetime.now(UTC), "inline"
            )
        )
        uow.commit()

    refused = adolf("deadletters", "retry", str(letter_id), check=False)

    assert refused.returncode == 2
    assert f"dead letter {letter_id} cannot be re-driven" in refused.stderr and "keep_days=-5" in refused.stderr
    with container.uow() as uow:
        assert uow.dead_letters.get(letter_id).retried_at is None  # type: ignore[union-attr]
