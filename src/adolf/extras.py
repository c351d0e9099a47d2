"""Which extra of ``pyproject.toml`` brings which top-level import.

Adapters are imported only when the settings or a command choose them, so ``adolf[core]``
runs without Redis, Celery, RQ, FastAPI, httpx, anthropic or psycopg2. When a chosen one is
missing, the message names the extra to install instead of showing a traceback.
"""

from __future__ import annotations

EXTRA_OF: dict[str, str] = {
    "redis": "redis",
    "psycopg2": "postgres",
    "celery": "celery",
    "kombu": "celery",
    "billiard": "celery",
    "rq": "rq",
    "fastapi": "api",
    "starlette": "api",
    "uvicorn": "api",
    "httpx": "api",
    "prometheus_client": "api",
    "anthropic": "llm",
    "tenacity": "marketplaces",
    "limits": "marketplaces",
    "flower": "flower",
    "rq_dashboard": "rq-dashboard",
}

# Extras that bring another's packages: a missing redis under `--backend celery` is adolf[celery]'s.
INCLUDES: dict[str, frozenset[str]] = {
    "celery": frozenset({"redis"}),
    "rq": frozenset({"redis"}),
    "marketplaces": frozenset({"redis"}),
    "flower": frozenset({"celery", "redis"}),
    "rq-dashboard": frozenset({"rq", "redis"}),
}


def extra_for(module: str | None) -> str | None:
    """The extra that installs ``module`` (a dotted name is looked up by its top package)."""
    return EXTRA_OF.get((module or "").partition(".")[0])


def widest(extra: str, named: list[str]) -> str:
    """The extra among ``named`` (words a person typed) that brings ``extra``'s packages, else ``extra``."""
    return next((name for name in named if extra in INCLUDES.get(name, ())), extra)


def install_hint(exc: ModuleNotFoundError, wanted_by: str, extra: str | None = None) -> str | None:
    """``wanted_by needs adolf[X] ('pkg' is not installed): pip install 'adolf[X]'``, or None
    when the missing module is no extra's (a bug or a broken install: let it show)."""
    extra = extra or extra_for(exc.name)
    if extra is None:
        return None
    return f"{wanted_by} needs adolf[{extra}] ({exc.name!r} is not installed): pip install 'adolf[{extra}]'"
