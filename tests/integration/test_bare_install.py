"""`pip install adolf` with no extras installs nothing else and imports the core."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_a_bare_install_pulls_no_dependency_and_imports_domain_and_application(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    before = _packages(python)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(REPO)], check=True, capture_output=True, text=True
    )
    added = _packages(python) - before
    assert added == {"adolf"}, f"a bare install pulled {sorted(added - {'adolf'})}"
    probe = (
        "import sys, adolf.domain, adolf.application, adolf.application.tasks_catalogue;"
        "import adolf.domain.marketplace;"
        "bad = {'celery','rq','redis','sqlalchemy','pydantic','structlog','dependency_injector'} & set(sys.modules);"
        "assert not bad, bad"
    )
    subprocess.run([str(python), "-c", probe], check=True, cwd=tmp_path)
    assert sys.version_info >= (3, 11)


def _packages(python: Path) -> set[str]:
    out = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=freeze"], check=True, capture_output=True, text=True
    ).stdout
    return {line.split("==")[0].lower() for line in out.splitlines() if line}
