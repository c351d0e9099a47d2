"""The parity suite runs every test on each backend: inline, celery and rq.

Each backend's harness module (harness_<name>.py) provides ``make_harness(env, tmp_path)``;
workers get the same settings through ``env``. Evidence and brokers live in Redis db 15,
flushed around each test.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis

from tests.integration.parity.harness import BackendHarness
from tests.support.services import require_redis

BACKENDS = ["inline", "celery", "rq"]
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def worker_env(tmp_path: Path) -> dict[str, str]:
    redis_url = require_redis()
    env = {
        "ADOLF_DATABASE_URL": f"sqlite:///{tmp_path / 'parity.sqlite3'}",
        "ADOLF_REDIS_URL": redis_url,
        "ADOLF_TEST_REDIS_URL": redis_url,
        "ADOLF_EXTRA_CATALOGUES": "tests.support.parity_tasks:CATALOGUE",
        "ADOLF_LOG_FORMAT": "json",
        "ADOLF_LOCK_TTL": "3",  # a dead worker's lock lapses in 3 s: kill tests stay short
        "ADOLF_TRANSIENT_RETRY_DELAY": "1",
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    Redis.from_url(redis_url).flushdb()
    return env


@pytest.fixture(params=BACKENDS)
def harness(request: pytest.FixtureRequest, worker_env: dict[str, str], tmp_path: Path) -> Iterator[BackendHarness]:
    module = importlib.import_module(f"tests.integration.parity.harness_{request.param}")
    backend: BackendHarness = module.make_harness(worker_env, tmp_path)
    try:
        yield backend
    finally:
        backend.stop()
        Redis.from_url(worker_env["ADOLF_REDIS_URL"]).flushdb()
