"""The CLI read through a pipe: what a script or `| grep` gets.

Through typer's CliRunner (stdout is a pipe there, never a terminal) on an empty, migrated
SQLite database, and once through the installed command with its stdout a real pipe:

- tables are whole at COLUMNS=80: every task name of the catalogue is in `adolf tasks list`;
- every listing command takes --json and prints JSON alone on stdout — the listings are found
  by walking the typer app, so a new command either takes --json (and is run here) or is named
  below as one that lists nothing (and says why);
- an unknown id or module exits 2 with a line on stderr naming it, and nothing on stdout;
- a listing that finds nothing says on stderr which database it read (and that `adolf
  simulate` wrote another one, when it did); `adolf --database URL` reads another one;
- `adolf simulate --json` prints the report alone (the log's path and any note on stderr)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from adolf.application.tasks_catalogue import build_catalogue
from adolf.entrypoints.cli import context, simulate
from adolf.entrypoints.cli.app import app as cli_app
from tests.e2e.conftest import Run

#: Commands that list nothing, each with the reason it has no --json.
NOT_LISTINGS = {
    "api": "serves HTTP until stopped",
    "version": "one word",
    "health": "prints JSON always",
    "tasks status": "prints JSON always",
    "db upgrade": "changes the schema",
    "db downgrade": "changes the schema",
    "db current": "one revision id",
    "tasks run": "queues a task (its result is printed as JSON)",
    "queues purge": "deletes jobs",
    "deadletters retry": "re-drives a letter",
    "campaigns set": "changes a campaign",
    "rq worker": "serves queues until stopped",
    "rq scheduler": "fires schedules until stopped",
    "marketplace serve": "serves HTTP until stopped",
}
#: Listings that need more than this test's empty database or budget; tested where named.
ELSEWHERE = {"simulate": "test_simulate_json_prints_the_report_alone (the run itself: tests/e2e/test_simulate.py)"}
#: The arguments and options a command taking an id needs besides the id.
ID_EXTRAS: dict[str, list[str]] = {
    "reputation edit": ["--text", "Спасибо за отзыв!"],
    "reputation regenerate": ["--instructions", "shorter"],
    "campaigns set": ["--dry-run"],
}
MISSING_ID = "987654"


# typer builds its commands on a click of its own (typer._click): they are told apart by what
# they have, not by click's classes.
Command = Any


def _commands(command: Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Command]]:
    """Every command of the app by its words ("tasks list"), a group that runs without a
    sub-command (``adolf queues``) included."""
    if hasattr(command, "commands"):
        if path and command.invoke_without_command:
            yield " ".join(path), command
        for name, sub in command.commands.items():
            yield from _commands(sub, (*path, name))
    else:
        yield " ".join(path), command


COMMANDS = dict(_commands(typer.main.get_command(cli_app)))


def _takes_json(command: Command) -> bool:
    return any("--json" in getattr(p, "opts", ()) for p in command.params)


def _required_arguments(command: Command) -> list[Any]:
    return [p for p in command.params if p.param_type_name == "argument" and p.required]


LISTINGS = sorted(
    name
    for name, command in COMMANDS.items()
    if _takes_json(command) and not _required_arguments(command) and name not in ELSEWHERE
)
BY_ID = sorted(
    name
    for name, command in COMMANDS.items()
    if any(p.type_descriptor.annotation is int for p in _required_arguments(command))
)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty, migrated SQLite database in ``tmp_path`` (the working directory); yields its URL."""
    url = f"sqlite:///{tmp_path / 'adolf.sqlite3'}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADOLF_DATABASE_URL", url)
    monkeypatch.setenv("ADOLF_QUEUE_BACKEND", "inline")
    monkeypatch.setenv("COLUMNS", "80")
    context.settings.cache_clear()
    context.container.cache_clear()
    upgraded = invoke("db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    yield url
    invoke("version")  # no --database: the override of a test is dropped
    context.container().engine().dispose()
    context.settings.cache_clear()
    context.container.cache_clear()


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli_app, list(args), env={"COLUMNS": "80"})


def test_every_command_is_a_listing_with_json_or_says_why_not() -> None:
    unclassified = [
        name
        for name, command in COMMANDS.items()
        if not _takes_json(command) and name not in NOT_LISTINGS and name not in ELSEWHERE
    ]
    assert not unclassified, f"give these --json, or name them in NOT_LISTINGS with why: {unclassified}"
    assert {"tasks list", "campaigns list", "alerts", "queues", "deadletters list", "watcher agents"} <= set(LISTINGS)


@pytest.mark.parametrize("name", LISTINGS)
def test_a_listing_with_json_prints_json_alone(cli: str, name: str) -> None:
    result = invoke(*name.split(), "--json")
    assert result.exit_code in (0, 1), result.output  # `workers` exits 1 when none is up (inline: one is)
    assert result.stdout.strip(), f"{name} --json printed nothing"
    json.loads(result.stdout)  # the whole of stdout: one JSON document, nothing around it


@pytest.mark.parametrize("name", BY_ID)
def test_an_unknown_id_exits_2_naming_it_with_nothing_on_stdout(cli: str, name: str) -> None:
    result = invoke(*name.split(), MISSING_ID, *ID_EXTRAS.get(name, []))
    assert result.exit_code == 2, result.output
    assert MISSING_ID in result.stderr and "error:" in result.stderr
    assert not result.stdout.strip()


def test_the_commands_that_always_print_json_print_json_alone(cli: str) -> None:
    health = invoke("health")
    assert health.exit_code == 0 and json.loads(health.stdout)["database"] == "ok"
    queued = invoke("tasks", "run", "system.ping")
    task_id = queued.stdout.split(" as ")[1].split()[0]
    status = invoke("tasks", "status", task_id)
    assert status.exit_code == 0 and json.loads(status.stdout)["task_id"] == task_id


def test_tasks_list_keeps_every_task_name_whole_at_80_columns(cli: str) -> None:
    result = invoke("tasks", "list")
    assert result.exit_code == 0
    names = [spec.name for spec in build_catalogue()]
    missing = [name for name in names if name not in result.stdout]
    assert not missing, f"cut in a pipe at COLUMNS=80: {missing}"
    assert "…" not in result.stdout


def test_the_installed_command_keeps_task_names_whole_in_a_real_pipe(adolf: Run) -> None:
    out = adolf("tasks", "list", env={"COLUMNS": "80"}).stdout
    assert "watcher.generate_daily_tasks" in out and "logistic.generate_supply_tasks" in out
    assert "\x1b[" not in out  # no colour codes in a pipe


@pytest.mark.parametrize("module", sorted({spec.module for spec in build_catalogue()}))
def test_tasks_list_by_module_lists_that_modules_tasks(cli: str, module: str) -> None:
    result = invoke("tasks", "list", "--module", module, "--json")
    listed = json.loads(result.stdout)
    expected = sorted(spec.name for spec in build_catalogue() if spec.module == module)
    assert sorted(row["task"] for row in listed) == expected and expected


@pytest.mark.parametrize("command", [("tasks", "list"), ("alerts",)])
def test_an_unknown_module_exits_2_naming_it_and_the_modules(cli: str, command: tuple[str, ...]) -> None:
    result = invoke(*command, "--module", "payroll")
    assert result.exit_code == 2
    assert "'payroll'" in result.stderr and "watcher" in result.stderr and "marketing" in result.stderr
    assert not result.stdout.strip()


def test_an_unknown_task_id_exits_2_naming_it(cli: str) -> None:
    result = invoke("tasks", "status", "no-such-task")
    assert result.exit_code == 2
    assert "'no-such-task'" in result.stderr and "inline" in result.stderr
    assert not result.stdout.strip()


def test_an_empty_listing_names_the_database_it_read(cli: str) -> None:
    result = invoke("campaigns", "list", "--json")
    assert json.loads(result.stdout) == []
    assert f"no campaigns in {cli}" in result.stderr and "ADOLF_DATABASE_URL" in result.stderr
    assert "adolf simulate" not in result.stderr  # no simulation database here to point at


def test_an_empty_listing_points_at_the_simulations_database_when_there_is_one(cli: str) -> None:
    Path("var").mkdir()
    Path("var/simulation.sqlite3").touch()
    result = invoke("campaigns", "list")
    assert f"no campaigns in {cli}" in result.stderr
    assert "`adolf simulate` wrote sqlite:///var/simulation.sqlite3" in result.stderr
    assert "0 campaign(s)" in result.stdout


def test_the_database_option_reads_another_database(cli: str, tmp_path: Path) -> None:
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    assert invoke("--database", other, "db", "upgrade").exit_code == 0
    result = invoke("--database", other, "campaigns", "list", "--json")
    assert json.loads(result.stdout) == [] and f"no campaigns in {other}" in result.stderr
    back = invoke("campaigns", "list", "--json")  # without it: ADOLF_DATABASE_URL again
    assert f"no campaigns in {cli}" in back.stderr


def test_a_database_never_migrated_is_one_line_naming_it(adolf: Run, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'never.sqlite3'}"
    result = adolf("--database", url, "tasks", "status", "x", check=False)
    assert result.returncode == 1 and not result.stdout
    assert result.stderr.count("\n") == 1, result.stderr
    assert url in result.stderr and "adolf db upgrade" in result.stderr and "Traceback" not in result.stderr


def test_simulate_json_prints_the_report_alone(cli: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command's own output around the run (the run is test_simulate's): the report on
    stdout, the log's path nowhere, the campaigns seeded per marketplace explained on stderr."""
    seen: dict[str, Any] = {}

    def run(options: Any, quiet: bool) -> dict[str, Any]:
        seen.update(options=options, quiet=quiet)
        return {"period": {"start": "2026-01-12", "end": "2026-01-12"}, "backend": "inline", "dead_letters": 0}

    monkeypatch.setattr(simulate, "_run", run)
    monkeypatch.setattr("adolf.adapters.observability.logging.configure_logging", lambda *a, **k: None)
    try:
        result = invoke("simulate", "--json", "--campaigns", "10", "--days", "1")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["backend"] == "inline"
        assert seen["quiet"] is True  # no progress bar under --json
        assert "log:" not in result.output
        assert "--campaigns 10" in result.stderr and "4 each, 12 in all" in result.stderr
        table = invoke("simulate", "--campaigns", "9", "--days", "1", "--modules", "watcher")
        assert "log: var/simulation.log" in table.stderr and "log:" not in table.stdout
        assert "in all" not in table.stderr  # 9 is three each; Watcher alone seeds none anyway
        assert seen["quiet"] is False
    finally:
        import logging

        adolf = logging.getLogger("adolf")
        for handler in [h for h in adolf.handlers if h.get_name() == simulate.SIM_LOG_HANDLER]:
            adolf.removeHandler(handler)
            handler.close()
