"""The CLI as a user runs it: the installed `adolf` command in a scratch directory."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ADOLF = str(Path(sys.executable).parent / "adolf")
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def adolf(tmp_path: Path) -> Run:
    """Run `adolf ARGS…` in ``tmp_path`` with a clean ADOLF_* environment (plus ``env``)."""

    def run(*args: str, env: dict[str, str] | None = None, check: bool = True, timeout: float = 600):
        clean = {k: v for k, v in os.environ.items() if not k.startswith("ADOLF_")}
        clean.update({"ADOLF_LOG_FORMAT": "json", "COLUMNS": "160", **(env or {})})
        result = subprocess.run(
            [ADOLF, *args], cwd=tmp_path, env=clean, capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"adolf {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
            )
        return result

    return run
