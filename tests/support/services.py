"""Reachability of the real services. A missing service skips a test with its reason,
except under CI=true, where it fails: CI must never pass by skipping."""

from __future__ import annotations

import os
import shutil
import socket
from typing import NoReturn

import pytest

POSTGRES_URL = os.environ.get("ADOLF_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("ADOLF_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require(service: str, host: str, port: int) -> None:
    if _reachable(host, port):
        return
    _missing(f"{service} is not reachable on {host}:{port}")


def require_program(name: str, install: str) -> str:
    """The path of the program ``name`` (a browser, a server); ``install`` says how to get it."""
    found = shutil.which(name)
    if found is None:
        _missing(f"{name} is not installed ({install})")
    return found


def _missing(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: a missing service is a failure)", pytrace=False)
    pytest.skip(reason)


def require_postgres() -> str:
    require("PostgreSQL", "127.0.0.1", 5432)
    return POSTGRES_URL


def require_redis(db: int | None = None) -> str:
    """The test Redis URL; ``db`` picks another database of the same server, so that test
    modules which flush their database never flush each other's (the parity suite keeps 15)."""
    require("Redis", "127.0.0.1", 6379)
    if db is None:
        return REDIS_URL
    return f"{REDIS_URL.rsplit('/', 1)[0]}/{db}"
