"""The services the fault suite owns: a throw-away PostgreSQL database, a Redis database of
its own, and (for the Redis-restart scenario) a whole ``redis-server`` on a free port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

from redis import Redis
from sqlalchemy import create_engine, text

from faults_children import CHILDREN

PG_ADMIN = os.environ.get("ADOLF_FAULTS_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_URL = os.environ.get("ADOLF_FAULTS_REDIS_URL", "redis://127.0.0.1:6379/8")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


class TempPostgres:
    """``CREATE DATABASE adolf_faults_<random>``; ``drop`` removes it (connections and all)."""

    def __init__(self) -> None:
        self.name = f"adolf_faults_{uuid.uuid4().hex[:10]}"
        self._admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))

    def url(self, port: int = PG_PORT) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{port}/{self.name}"

    def drop(self) -> None:
        with self._admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"
                ),
                {"d": self.name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}"'))
        self._admin.dispose()


def flush(url: str) -> None:
    client = Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


class RedisServer:
    """Our own ``redis-server`` on a free port, kept as compose.yaml deploys it: an append-only
    file, fsynced on every write (``--appendfsync always``), so a job Redis acknowledged as
    queued survives a crash. (A Redis that keeps nothing loses every queued job when it
    dies; no client can prevent that, so that is not what this suite measures.)"""

    def __init__(self, log_dir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError("redis-server is not on PATH")
        self.binary = binary
        self.port = free_port()
        self.log = log_dir / f"redis-{self.port}.log"
        self.proc: subprocess.Popen[Any] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        data = self.log.with_suffix(".data")
        data.mkdir(parents=True, exist_ok=True)
        self.proc = CHILDREN.spawn(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                str(data),
            ],
            env=dict(os.environ),
            log=self.log,
        )
        wait_port(self.port)

    def stop(self) -> None:
        """A crash, not a shutdown: SIGKILL, so clients see a dead socket; what Redis had
        acknowledged is in its append-only file."""
        if self.proc is not None:
            CHILDREN.kill(self.proc)
            self.proc = None
