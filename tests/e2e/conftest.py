"""The CLI as a user runs it: the installed `adolf` command in a scratch directory."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import processes

ADOLF = str(Path(sys.executable).parent / "adolf")
Run = Callable[..., subprocess.CompletedProcess[str]]
#: below pytest's own ``timeout = 300`` (pyproject), so the command's timeout fires first and
#: stops its process tree; a test that needs longer raises both (``@pytest.mark.timeout``).
COMMAND_TIMEOUT = 240.0


@pytest.fixture
def adolf(tmp_path: Path) -> Iterator[Run]:
    """Run `adolf ARGS…` in ``tmp_path`` with a clean ADOLF_* environment (plus ``env``).

    The command runs in a session of its own; on its timeout, on pytest-timeout or on any
    other interruption it is interrupted (SIGINT, so ``adolf simulate`` stops its workers)
    and then its whole tree is killed — worker sessions and RQ work horses included."""

    def run(*args: str, env: dict[str, str] | None = None, check: bool = True, timeout: float = COMMAND_TIMEOUT):
        clean = {k: v for k, v in os.environ.items() if not k.startswith("ADOLF_")}
        clean.update({"ADOLF_LOG_FORMAT": "json", "COLUMNS": "160", **(env or {})})
        result = processes.run([ADOLF, *args], timeout=timeout, cwd=tmp_path, env=clean, text=True)
        if check and result.returncode != 0:
            raise AssertionError(
                f"adolf {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
            )
        return result

    try:
        yield run
    finally:
        processes.reap_all()
