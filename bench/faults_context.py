"""What every scenario is handed: trials, the global deadline, the suite's own services."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faults_children import CHILDREN
from faults_services import TempPostgres, flush
from faults_world import World


@dataclass
class Context:
    trials: int
    deadline: float  # time.monotonic() after which no new trial starts
    log_dir: Path
    redis_url: str
    seed: int = 7
    postgres: TempPostgres | None = None
    rng: random.Random = field(default_factory=random.Random)
    explicit_trials: bool = False
    examples: int = 10_000  # payloads / rows of the in-process scenarios
    cut_seconds: float = 60.0  # how long pg-cut keeps PostgreSQL away

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def out_of_time(self, needed: float = 0.0) -> bool:
        return self.left() <= needed

    def pg(self) -> TempPostgres:
        if self.postgres is None:
            self.postgres = TempPostgres()
            CHILDREN.at_exit(self.postgres.drop)
        return self.postgres

    def trials_or(self, default: int) -> int:
        """``--trials`` if given, else the scenario's own default."""
        return self.trials if self.explicit_trials else default

    def world(self, scenario: str, backend: str, **kwargs: Any) -> World:
        """A fresh seller and market (the database emptied and seeded again, our Redis
        database flushed) — nothing a previous scenario left can leak into this one. Its
        workers log under ``<log dir>/<scenario>-<backend>/``."""
        redis_url = kwargs.pop("redis_url", self.redis_url)
        flush(redis_url)
        log_dir = self.log_dir / f"{scenario}-{backend}"
        world = World(backend, kwargs.pop("database_url", self.pg().url()), redis_url, log_dir, **kwargs)
        world.seed()
        return world
