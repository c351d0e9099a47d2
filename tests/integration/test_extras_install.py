"""Each extra works alone: installed by itself into a fresh virtual environment (no system
site-packages, nothing of the others), it runs ``adolf --help`` and ``adolf tasks list``, and the
adapters it brings are the ones the container builds when the settings choose them.

``core`` also runs a one-day simulation of Marketing, Logistic and Reputation on the embedded default (SQLite, the inline
queue, the simulated marketplace) and refuses what it has not (``--backend celery``,
``ADOLF_QUEUE_BACKEND=rq``, PostgreSQL) on one line naming the extra, without a traceback.

The wheel is built once; uv makes each environment from its cache in seconds, several at a
time. uv reads no pip configuration: the package sources pip is configured with here (its
find-links and extra indexes) are handed to it, so both install from the same places.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.services import require_program

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/0"  # never connected to: building a client opens nothing
POSTGRES_URL = "postgresql+psycopg2://adolf:secret@127.0.0.1:1/adolf"  # the same
# Top-level imports of the optional packages, and which extras bring each one.
OPTIONAL = {
    "redis": {"redis", "celery", "rq", "marketplaces", "flower", "rq-dashboard"},
    "psycopg2": {"postgres"},
    "celery": {"celery", "flower"},
    "rq": {"rq", "rq-dashboard"},
    "fastapi": {"api"},
    "uvicorn": {"api"},
    "anthropic": {"llm"},
    "tenacity": {"marketplaces"},
    "limits": {"marketplaces"},
    "flower": {"flower"},
    "rq_dashboard": {"rq-dashboard"},
}


@dataclass
class Extra:
    name: str
    env: dict[str, str] = field(default_factory=dict)
    # Python run in the extra's environment: the settings choose its adapter, the container builds it.
    probe: str = ""
    commands: list[list[str]] = field(default_factory=list)


EXTRAS = [
    Extra(
        "core",
        probe=(
            "from adolf.container import build_container; from adolf.settings import load_settings;"
            "c = build_container(load_settings());"
            "assert type(c.task_queue()).__name__ == 'InlineTaskQueue';"
            "assert type(c.lock()).__name__ == 'LocalLock';"
            "assert type(c.status_board()).__name__ == 'InMemoryStatusBoard';"
            "assert c.health().redis() == 'not used'"
        ),
    ),
    Extra(
        "redis",
        env={"ADOLF_REDIS_URL": REDIS_URL},
        probe=(
            "from adolf.container import build_container; from adolf.settings import load_settings;"
            "c = build_container(load_settings());"
            "assert type(c.lock()).__name__ == 'RedisLock';"
            "assert type(c.status_board()).__name__ == 'RedisStatusBoard';"
            "assert type(c.circuit_breaker()).__name__ == 'RedisCircuitBreaker'"
        ),
    ),
    Extra(
        "postgres",
        probe=(
            "from adolf.container import build_container; from adolf.settings import load_settings;"
            f"c = build_container(load_settings(database_url={POSTGRES_URL!r}));"
            "assert c.engine().dialect.dbapi.__name__ == 'psycopg2'"
        ),
    ),
    Extra(
        "celery",
        env={"ADOLF_REDIS_URL": REDIS_URL},
        probe=(
            "import adolf.entrypoints.celery_app as entry;"
            "assert entry.app.main == 'adolf';"
            "assert type(entry.container.task_queue()).__name__ == 'CeleryTaskQueue'"
        ),
        commands=[["celery", "-A", "adolf.entrypoints.celery_app", "inspect", "--help"]],
    ),
    Extra(
        "rq",
        env={"ADOLF_REDIS_URL": REDIS_URL},
        probe=(
            "import adolf.entrypoints.rq_worker;"
            "from adolf.container import build_container; from adolf.settings import load_settings;"
            "c = build_container(load_settings(queue_backend='rq'));"
            "assert type(c.task_queue()).__name__ == 'RqTaskQueue'"
        ),
        commands=[["adolf", "rq", "worker", "--help"], ["rq", "info", "--help"]],
    ),
    Extra(
        "api",
        probe=(
            "from adolf.entrypoints.http import create_app;"
            "paths = set(create_app().openapi()['paths']);"
            "assert {'/health', '/metrics', '/tasks/{name}/run'} <= paths, paths"
        ),
        commands=[["adolf", "api", "--help"]],
    ),
    Extra(
        "llm",
        env={"ADOLF_ANTHROPIC_API_KEY": "sk-ant-test-not-a-key"},
        probe=(
            "from adolf.container import build_container; from adolf.settings import load_settings;"
            "c = build_container(load_settings());"
            "assert type(c.language_model()).__name__ == 'AnthropicAdviser';"
            "assert type(c.reputation_model()).__name__ == 'AnthropicReputationModel'"
        ),
    ),
    Extra(
        "marketplaces",
        env={"ADOLF_MARKETPLACE": "live", "ADOLF_BRANDS": "acme", "ADOLF_WB_API_TOKEN": "wb-test-token"},
        probe=(
            "from adolf.container import build_container; from adolf.settings import load_settings;"
            "c = build_container(load_settings());"
            "assert type(c.marketplaces()).__name__ == 'LiveAdsMarketplaces';"
            "assert type(c.reputation_marketplace()).__name__ == 'HttpReputationMarketplace'"
        ),
    ),
    Extra(
        "flower",
        env={"ADOLF_REDIS_URL": REDIS_URL},
        probe="import flower, adolf.entrypoints.celery_app",
        commands=[["celery", "-A", "adolf.entrypoints.celery_app", "flower", "--help"]],
    ),
    Extra(
        "rq-dashboard",
        probe="import rq_dashboard, adolf.entrypoints.rq_worker",
        commands=[["rq-dashboard", "--help"]],
    ),
]


def _uv() -> str:
    try:
        from uv import find_uv_bin
    except ImportError:
        return require_program("uv", "pip install -e '.[dev]'")
    return str(find_uv_bin())


def _pip_sources() -> list[str]:
    """pip's configured find-links and extra indexes (scripts/setup.sh installs through them),
    as uv options; with extra indexes uv is told to choose across them as pip does."""
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, check=False
    ).stdout
    options: list[str] = []
    seen: set[str] = set()
    for line in listed.splitlines():
        key, _, value = line.partition("=")
        name = key.rsplit(".", 1)[-1]
        for source in value.strip().strip("'\"").split():
            if name in ("find-links", "extra-index-url") and (name, source) not in seen:
                seen.add((name, source))
                options += [f"--{name}", source]
    if any(option == "--extra-index-url" for option in options):
        options += ["--index-strategy", "unsafe-best-match"]
    return options


def _run(argv: list[str], env: dict[str, str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def _ok(result: subprocess.CompletedProcess[str], what: str) -> str:
    assert result.returncode == 0, f"{what}: exit {result.returncode}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def _env(venv: Path, home: Path, extra: dict[str, str]) -> dict[str, str]:
    """Nothing of this process's environment but the basics: no ADOLF_* setting leaks in."""
    return {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "COLUMNS": "250",
        "ADOLF_LOG_LEVEL": "WARNING",
        **extra,
    }


def _check_extra(extra: Extra, wheel: Path, root: Path, uv: str, sources: list[str]) -> None:
    venv = root / f"venv-{extra.name}"
    work = root / f"work-{extra.name}"
    work.mkdir()
    uv_env = {**os.environ, "UV_NO_PROGRESS": "1", "VIRTUAL_ENV": str(venv)}
    _ok(_run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], uv_env, root), f"{extra.name}: uv venv")
    _ok(
        _run([uv, "pip", "install", "--quiet", *sources, f"{wheel}[{extra.name}]"], uv_env, root, timeout=600),
        f"{extra.name}: install",
    )
    env = _env(venv, work, extra.env)
    python = str(venv / "bin" / "python")

    # alone: what the extra brings is there, what it does not is not importable at all
    present = {module for module, extras in OPTIONAL.items() if extra.name in extras}
    check = f"import importlib.util; print(sorted(m for m in {sorted(OPTIONAL)!r} if importlib.util.find_spec(m)))"
    found = _ok(_run([python, "-c", check], env, work), f"{extra.name}: its packages").strip()
    assert found == repr(sorted(present)), f"{extra.name}: importable {found}, expected {sorted(present)}"

    assert "Usage: adolf" in _ok(_run(["adolf", "--help"], env, work), f"{extra.name}: adolf --help")
    listed = _ok(_run(["adolf", "tasks", "list"], env, work), f"{extra.name}: adolf tasks list")
    assert "marketing.run_bid_cycle" in listed and "system.ping" in listed, listed[-2000:]
    _ok(_run([python, "-c", extra.probe], env, work), f"{extra.name}: its adapters")
    for argv in extra.commands:
        _ok(_run(argv, env, work), f"{extra.name}: {' '.join(argv)}")
    if extra.name == "core":
        _check_core(env, work)


def _check_core(env: dict[str, str], work: Path) -> None:
    # Watcher's agents post to the HTTP API, which is adolf[api]'s: the default run on core is every
    # other module, and says so
    run = _run(["adolf", "simulate", "--days", "1", "--campaigns", "3", "--articles", "5"], env, work, 300)
    simulated = _ok(run, "core: adolf simulate")
    assert "target attainment" in simulated and "the manager:" in simulated, simulated[-2000:]
    assert "== Watcher ==" not in simulated and "watcher left out" in run.stderr and "adolf[api]" in run.stderr
    refusals = [
        (["adolf", "simulate", "--days", "1", "--modules", "marketing", "--backend", "celery"], {}, "celery"),
        (["adolf", "tasks", "list"], {"ADOLF_QUEUE_BACKEND": "rq", "ADOLF_REDIS_URL": REDIS_URL}, "rq"),
        (["adolf", "tasks", "run", "system.ping"], {"ADOLF_DATABASE_URL": POSTGRES_URL}, "postgres"),
        (["adolf", "api"], {}, "api"),
        (["adolf", "simulate", "--days", "1", "--modules", "watcher"], {}, "api"),
    ]
    for argv, settings, extra in refusals:
        refused = _run(argv, {**env, **settings}, work)
        said = f"{' '.join(argv)} with {settings}: exit {refused.returncode}\n{refused.stderr[-2000:]}"
        assert refused.returncode == 1, said
        assert f"pip install 'adolf[{extra}]'" in refused.stderr, said
        assert "Traceback" not in refused.stderr + refused.stdout, said
        assert "secret" not in refused.stderr, said


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first run on a machine downloads every extra's packages once
def test_each_extra_installed_alone_runs_the_cli_and_its_adapters(tmp_path: Path) -> None:
    uv = _uv()
    sources = _pip_sources()
    wheels = tmp_path / "wheels"
    _ok(
        _run([uv, "build", "--quiet", "--wheel", "--out-dir", str(wheels), str(REPO)], dict(os.environ), tmp_path, 300),
        "uv build",
    )
    (wheel,) = wheels.glob("adolf-*.whl")
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {extra.name: pool.submit(_check_extra, extra, wheel, tmp_path, uv, sources) for extra in EXTRAS}
    failures = []
    for name, future in futures.items():
        error = future.exception()
        if error is not None:
            failures.append(f"[{name}] {error}")
    assert not failures, "\n\n".join(failures)
