"""compose.yaml is for deployers (no Docker engine runs here): it is checked by parsing."""

from __future__ import annotations

from pathlib import Path

import yaml

from adolf.application.tasks_catalogue import build_catalogue

COMPOSE = Path(__file__).resolve().parents[2] / "compose.yaml"


def _services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_compose_runs_the_documented_commands_against_postgres_and_redis() -> None:
    services = _services()
    assert {"postgres", "redis", "migrate", "beat"} <= set(services)
    for name, service in services.items():
        if name in ("postgres", "redis"):
            continue
        env = service["environment"]
        assert env["ADOLF_DATABASE_URL"].startswith("postgresql+psycopg2://")
        assert env["ADOLF_REDIS_URL"].startswith("redis://")
        assert "depends_on" in service
    assert services["beat"]["command"] == ["celery", "-A", "adolf.entrypoints.celery_app", "beat"]
    assert services["migrate"]["command"] == ["adolf", "db", "upgrade"]


def test_celery_workers_serve_every_queue_of_the_catalogue() -> None:
    served: set[str] = set()
    for service in _services().values():
        command = service.get("command") or []
        if command[:4] == ["celery", "-A", "adolf.entrypoints.celery_app", "worker"]:
            served.update(command[command.index("-Q") + 1].split(","))
    assert served == set(build_catalogue().queues())


def test_no_secret_is_written_into_compose() -> None:
    text = COMPOSE.read_text()
    for service in _services().values():
        for key, value in (service.get("environment") or {}).items():
            if any(word in key for word in ("TOKEN", "KEY", "PASSWORD", "SECRET", "CLIENT_ID")):
                assert str(value).startswith("${"), key
    assert "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD" in text
