"""compose.yaml is for deployers (no Docker engine runs here): it is checked by parsing.

What each check holds compose.yaml to:

- every command and health check built from our image runs a program the image has: ``adolf``
  and its sub-commands and options as the CLI really defines them, ``celery -A <module>`` with
  an importable module and a sub-command of Celery or of a plugin the image installs,
  ``rq <command>``, ``rq-dashboard``, ``python``;
- the image is built here (its build context has the Dockerfile) and the images pulled are
  pinned to a major version;
- the fleets are apart: a service that runs Celery is in the profile ``celery`` alone, one that
  runs RQ in ``rq`` alone, the rest (PostgreSQL, Redis, the migration) in none; ``.env`` makes
  ``celery`` the default; nothing depends on a service its profile may leave out;
- PostgreSQL, Redis, the APIs, the dashboards and every worker have a health check, each worker
  its own (a Celery worker pings its own node name); every dependency waits on a condition;
- every ``ADOLF_*`` variable a service sets is in README's configuration table, and every other
  variable compose.yaml reads is in README's compose section.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import tomllib
from collections.abc import Iterator
from functools import cache
from importlib.metadata import PackageNotFoundError, distribution, entry_points
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from adolf.application.tasks_catalogue import build_catalogue
from adolf.entrypoints.cli import app

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose.yaml"
CELERY_APP = "adolf.entrypoints.celery_app"
# Programs of the base image (python:3.11-slim) that health checks may use.
BASE_PROGRAMS = {"python", "sh", "grep"}


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def _services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = _compose()["services"]
    return services


def _ours(service: dict[str, Any]) -> bool:
    """Built from this repository's Dockerfile (the rest are PostgreSQL's and Redis's images)."""
    return "build" in service


def _profiles(service: dict[str, Any]) -> set[str]:
    return set(service.get("profiles") or ())


def _env(service: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in (service.get("environment") or {}).items()}


# --- what the image installs ---------------------------------------------------------------


def _dockerfile_extras() -> set[str]:
    found = re.findall(r"pip install \"\.\[([a-z0-9,\-]+)\]\"", (ROOT / "Dockerfile").read_text())
    assert len(found) == 1, 'the Dockerfile installs the package once, as pip install ".[extras]"'
    return set(found[0].split(","))


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


@cache
def _image_distributions() -> frozenset[str]:
    """Every distribution ``pip install ".[<the Dockerfile's extras>]"`` brings: the extras'
    requirements from pyproject.toml, then each one's own requirements as installed here (the
    dev extra installs them all, so their metadata is at hand)."""
    extras = _pyproject()["project"]["optional-dependencies"]
    wanted: list[Requirement] = []
    seen_extras: set[str] = set()
    todo = list(_dockerfile_extras())
    while todo:
        extra = todo.pop()
        if extra in seen_extras:
            continue
        seen_extras.add(extra)
        for line in extras[extra]:
            requirement = Requirement(line)
            if canonicalize_name(requirement.name) == "adolf":
                todo += list(requirement.extras)
            else:
                wanted.append(requirement)
    found: set[str] = {"adolf"}
    seen: set[tuple[str, frozenset[str]]] = set()
    while wanted:
        requirement = wanted.pop()
        name = canonicalize_name(requirement.name)
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        found.add(name)
        try:
            requires = distribution(name).requires or []
        except PackageNotFoundError:
            pytest.fail(f"{name} (which the image installs) is not installed here: pip install -e '.[dev]'")
        for line in requires:
            dependency = Requirement(line)
            marker = dependency.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in (requirement.extras or {""})):
                wanted.append(dependency)
    return frozenset(found)


def _dist_of(entry_point: Any) -> str:
    return canonicalize_name(entry_point.dist.name)


@cache
def _image_programs() -> frozenset[str]:
    """Console scripts of the image's distributions, the project's own, and the base image's."""
    programs = set(BASE_PROGRAMS) | set(_pyproject()["project"]["scripts"])
    image = _image_distributions()
    programs |= {ep.name for ep in entry_points(group="console_scripts") if _dist_of(ep) in image}
    return frozenset(programs)


# --- resolving one command line ------------------------------------------------------------


def _check_adolf(argv: list[str]) -> None:
    """``adolf a b --opt x``: each word a real sub-command, each option one the command has."""
    command: Any = typer.main.get_command(app)
    rest = argv[1:]
    while getattr(command, "commands", None):  # a group (typer has its own click: no isinstance)
        assert rest, f"{shlex.join(argv)}: no sub-command given"
        sub = command.commands.get(rest[0])
        assert sub is not None, f"{shlex.join(argv)}: `{rest[0]}` is no sub-command of {command.name}"
        command, rest = sub, rest[1:]
    _check_options(rest, command)


def _check_celery(argv: list[str]) -> None:
    """``celery -A <module> <command> …``: the module importable, the command Celery's own or a
    plugin's that the image installs (Flower)."""
    from celery.bin.celery import celery

    assert argv[1] == "-A", f"{shlex.join(argv)}: the app is named with -A"
    assert argv[2] == CELERY_APP, f"{shlex.join(argv)}: the app is {CELERY_APP}"
    assert importlib.util.find_spec(argv[2]) is not None, f"{argv[2]} is not importable"
    plugins = {ep.name: _dist_of(ep) for ep in entry_points(group="celery.commands")}
    name = argv[3]
    assert name in celery.commands or name in plugins, f"{shlex.join(argv)}: celery has no `{name}`"
    if name in plugins:
        assert plugins[name] in _image_distributions(), f"`celery {name}` comes from {plugins[name]}, not in the image"


def _check_options(argv: list[str], command: Any) -> None:
    options = {name for param in command.params for name in getattr(param, "opts", [])}
    for token in argv:
        if token.startswith("-"):
            assert token.split("=", 1)[0] in options, f"{shlex.join(argv)}: {token} is no option of it"


def _check_rq(argv: list[str]) -> None:
    from rq.cli.cli import main

    assert argv[1] in main.commands, f"{shlex.join(argv)}: rq has no `{argv[1]}`"
    _check_options(argv[2:], main.commands[argv[1]])


def _check_python(argv: list[str]) -> None:
    assert argv[1] == "-c", f"{shlex.join(argv)}: python runs inline code here"
    try:
        compile(argv[2], "<healthcheck>", "exec")
    except SyntaxError as exc:
        raise AssertionError(f"{shlex.join(argv)}: {exc}") from None


def _check_rq_dashboard(argv: list[str]) -> None:
    from rq_dashboard.cli import run

    _check_options(argv[1:], run)


CHECKS = {
    "adolf": _check_adolf,
    "celery": _check_celery,
    "rq": _check_rq,
    "rq-dashboard": _check_rq_dashboard,
    "python": _check_python,
}


def _check_argv(argv: list[str]) -> None:
    assert argv[0] in _image_programs(), f"{shlex.join(argv)}: the image has no `{argv[0]}`"
    if argv[0] in CHECKS:
        CHECKS[argv[0]](argv)


def _health_commands(service: dict[str, Any]) -> Iterator[list[str]]:
    """The programs a health check runs: its argv (CMD), or each stage of its shell pipeline
    (CMD-SHELL, with compose's ``$$`` as the shell's ``$``)."""
    test = service["healthcheck"]["test"]
    if test[0] == "CMD":
        yield test[1:]
        return
    assert test[0] == "CMD-SHELL", test
    for stage in test[1].replace("$$", "$").split("|"):
        yield shlex.split(stage)


def _runs(service: dict[str, Any]) -> str | None:
    """The queue backend a service works with: ``celery``, ``rq`` or None."""
    command = service.get("command") or []
    words = set(command[:3]) | set(_env(service).get("ADOLF_QUEUE_BACKEND", "").split())
    if "celery" in words:
        return "celery"
    if words & {"rq", "rq-dashboard"}:
        return "rq"
    return None


def _celery_workers() -> dict[str, list[str]]:
    prefix = ["celery", "-A", CELERY_APP, "worker"]
    return {name: s["command"] for name, s in _services().items() if (s.get("command") or [])[:4] == prefix}


def _rq_workers() -> dict[str, list[str]]:
    return {
        name: s["command"]
        for name, s in _services().items()
        if (s.get("command") or [])[:3] == ["adolf", "rq", "worker"]
    }


# --- the tests -----------------------------------------------------------------------------


def test_every_command_of_our_image_is_a_program_and_a_command_the_image_has() -> None:
    ours = {name: s for name, s in _services().items() if _ours(s)}
    assert len(ours) >= 10
    for name, service in ours.items():
        try:
            _check_argv(service["command"])
            if "healthcheck" in service:
                for argv in _health_commands(service):
                    _check_argv(argv)
        except AssertionError as exc:
            raise AssertionError(f"service {name}: {exc}") from None


def test_the_resolution_refuses_what_the_image_does_not_have() -> None:
    """The checks above can fail: an unknown sub-command, option, program or Celery app is refused."""
    for argv in (
        ["adolf", "rq", "wrker"],
        ["adolf", "api", "--hots", "0.0.0.0"],
        ["adolf", "db"],
        ["celery", "-A", "adolf.entrypoints.no_such_app", "worker"],
        ["celery", "-A", CELERY_APP, "no-such-command"],
        ["rq", "no-such-command"],
        ["rq-dashboard", "--no-such-option"],
        ["rq", "info", "--no-such-option"],
        ["python", "-c", "import urllib.request; urlopen("],
        ["supervisord", "-n"],
    ):
        with pytest.raises(AssertionError):
            _check_argv(argv)


def test_the_image_is_built_here_and_pulled_images_are_pinned() -> None:
    for name, service in _services().items():
        if _ours(service):
            context = ROOT / (service["build"] if isinstance(service["build"], str) else service["build"]["context"])
            assert (context / "Dockerfile").is_file(), name
            assert service["image"].startswith("${ADOLF_IMAGE:-adolf:"), name
        else:
            image, _, tag = service["image"].partition(":")
            assert image in ("postgres", "redis") and tag.isdigit(), f"{name}: {service['image']} (pin a major version)"
    assert {"flower", "rq-dashboard"} <= _image_distributions()


def test_each_fleet_is_in_its_own_profile_and_celery_is_the_default() -> None:
    services = _services()
    for name, service in services.items():
        expected = {"celery": {"celery"}, "rq": {"rq"}, None: set()}[_runs(service)]
        assert _profiles(service) == expected, f"{name} runs {_runs(service)}: profiles {sorted(expected)}"
    for active, other in (({"celery"}, "rq"), ({"rq"}, "celery")):
        up = {name for name, s in services.items() if not _profiles(s) or _profiles(s) & active}
        assert not [name for name in up if _runs(services[name]) == other], active
        # each fleet is whole: workers, a scheduler, the API and a dashboard
        commands = [" ".join(services[name].get("command") or []) for name in up]
        assert any(" worker" in c for c in commands) and any(c.endswith((" beat", "rq scheduler")) for c in commands)
        assert any(c.startswith("adolf api") for c in commands), active
        assert any("flower" in c or c.startswith("rq-dashboard") for c in commands), active
    dotenv = dict(
        line.split("=", 1) for line in (ROOT / ".env").read_text().splitlines() if line and not line.startswith("#")
    )
    assert dotenv["COMPOSE_PROFILES"] == "celery"


def test_nothing_depends_on_a_service_its_profile_may_leave_out() -> None:
    services = _services()
    for name, service in services.items():
        for target in service.get("depends_on") or {}:
            assert target in services, f"{name} depends on an unknown {target}"
            theirs = _profiles(services[target])
            assert not theirs or _profiles(service) <= theirs, f"{name} depends on {target} of profiles {theirs}"


def test_stores_apis_dashboards_and_workers_have_health_checks_and_dependencies_wait_for_them() -> None:
    services = _services()
    needed = {"postgres", "redis"} | set(_celery_workers()) | set(_rq_workers())
    needed |= {name for name, s in services.items() if (s.get("command") or [])[:2] == ["adolf", "api"]}
    needed |= {
        name
        for name, s in services.items()
        if _runs(s) and ("flower" in s["command"] or s["command"][0] == "rq-dashboard")
    }
    assert len(needed) >= 14
    for name in needed:
        assert "healthcheck" in services[name], f"{name} has no health check"
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: depends_on as a list waits for nothing"
        for target, how in depends.items():
            condition = how["condition"]
            if target == "migrate":
                assert condition == "service_completed_successfully", name
            else:
                assert condition == "service_healthy" and "healthcheck" in services[target], f"{name} -> {target}"
        if _ours(service) and name != "migrate":
            assert "redis" in depends, f"{name} starts before Redis answers"
            if "flower" not in service["command"] and service["command"][0] != "rq-dashboard":
                assert {"postgres", "migrate"} <= set(depends), f"{name} starts before the schema is migrated"
    assert set(services["migrate"]["depends_on"]) == {"postgres"}


def test_each_worker_health_check_asks_for_that_worker() -> None:
    services = _services()
    for name, command in _celery_workers().items():
        node = command[command.index("-n") + 1]
        assert node.endswith("@%h"), f"{name}: a node name per host, {node}"
        test = services[name]["healthcheck"]["test"]
        assert test[0] == "CMD-SHELL" and f"inspect ping -d {node.removesuffix('%h')}$$HOSTNAME" in test[1], name
    assert _rq_workers()
    for name in _rq_workers():
        test = services[name]["healthcheck"]["test"]
        # RQ names a worker at random; Redis keeps its host, which is the container's
        assert "rq info" in test[1] and "--only-workers" in test[1] and "$$HOSTNAME" in test[1], name


def test_the_workers_of_each_fleet_serve_every_queue_of_the_catalogue() -> None:
    served: set[str] = set()
    for command in _celery_workers().values():
        served.update(command[command.index("-Q") + 1].split(","))
    assert served == set(build_catalogue().queues())
    for command in _rq_workers().values():
        assert "-q" not in command and "--queue" not in command  # no queue named: every queue


def test_compose_runs_the_documented_commands_against_postgres_and_redis() -> None:
    services = _services()
    for name, service in services.items():
        if not _ours(service):
            continue
        env = _env(service)
        assert env["ADOLF_DATABASE_URL"].startswith("postgresql+psycopg2://adolf:${POSTGRES_PASSWORD"), name
        assert env["ADOLF_REDIS_URL"] == "redis://redis:6379/0", name
        if _runs(service) and service["command"][0] == "adolf":
            assert env["ADOLF_QUEUE_BACKEND"] == _runs(service), name
    assert services["beat"]["command"] == ["celery", "-A", CELERY_APP, "beat"]
    assert services["migrate"]["command"] == ["adolf", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"


def test_no_secret_is_written_into_compose() -> None:
    text = COMPOSE.read_text()
    for service in _services().values():
        for key, value in _env(service).items():
            if any(word in key for word in ("TOKEN", "KEY", "PASSWORD", "SECRET", "CLIENT_ID")):
                assert value.startswith("${"), key
    assert "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?" in text


def _readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(f"\n{title}\n")
    level = title.split(" ", 1)[0]
    end = re.search(rf"\n#{{1,{len(level)}}} ", text[start + 1 :])
    return text[start : start + 1 + end.start()] if end else text[start:]


def test_every_variable_compose_uses_is_documented() -> None:
    table = {
        name
        for line in _readme_section("## Configuration").splitlines()
        if line.startswith("| `")
        for name in re.findall(r"`(ADOLF_[A-Z0-9_]+)", line.split(" | ")[0])
    }
    assert {"ADOLF_DATABASE_URL", "ADOLF_REDIS_URL", "ADOLF_QUEUE_BACKEND"} <= table
    used = {key for service in _services().values() if _ours(service) for key in _env(service)}
    assert used - table == set(), "ADOLF_* variables compose sets that README's configuration table lacks"
    read = set(re.findall(r"\$\{([A-Z0-9_]+)", COMPOSE.read_text()))
    deploy = _readme_section("### compose.yaml")
    undocumented = {name for name in read - table if f"`{name}`" not in deploy}
    assert undocumented == set(), "variables compose.yaml reads that README's compose section lacks"
