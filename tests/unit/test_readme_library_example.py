"""README "Using ADOLF as a library": its example runs against the domain as installed and
prints exactly what its ``# →`` lines say, in their order; CHANGELOG.md's latest release is the
version pyproject.toml gives the package."""

from __future__ import annotations

import contextlib
import io
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## Using ADOLF as a library"
EXPECTED = "# → "


def _section(text: str, heading: str) -> str:
    start = text.index(heading + "\n")
    following = text.find("\n## ", start + len(heading))
    return text[start : following if following != -1 else len(text)]


def _example() -> str:
    blocks = re.findall(
        r"```python\n(.*?)```", _section((ROOT / "README.md").read_text(encoding="utf-8"), SECTION), re.S
    )
    assert len(blocks) == 1, "the library section holds one python example"
    return str(blocks[0])


def test_the_readme_library_example_prints_what_it_says() -> None:
    code = _example()
    expected = [line.split(EXPECTED, 1)[1] for line in code.splitlines() if EXPECTED in line]
    assert len(expected) >= 8, "the example states what it prints"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md (Using ADOLF as a library)", "exec"), {"__name__": "readme_example"})
    assert printed.getvalue().splitlines() == expected


def test_the_readme_library_example_imports_only_public_names() -> None:
    imports = re.findall(r"^from (adolf[\w.]*) import \(?([^)]*?)\)?$", _example(), re.M | re.S)
    assert {module for module, _ in imports} >= {"adolf.domain.marketing", "adolf.domain.reputation"}
    for module, names in imports:
        package = __import__(module, fromlist=["__all__"])
        for name in re.findall(r"\w+", names):
            assert name in package.__all__, f"{module}.{name} is not in its __all__"


def _pyproject_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def test_the_changelog_latest_release_is_the_package_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", changelog, re.M)
    assert headings[0] == ("Unreleased", "")
    released = [(version, day) for version, day in headings[1:]]
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", version) and day for version, day in released)
    assert released[0][0] == _pyproject_version()
    # Newest first, each version above the one before it, dates never going back.
    numbers = [tuple(int(part) for part in version.split(".")) for version, _ in released]
    assert numbers == sorted(numbers, reverse=True) and len(set(numbers)) == len(numbers)
    assert [day for _, day in released] == sorted((day for _, day in released), reverse=True)


def test_the_readme_says_where_the_changelog_is_and_what_breaks() -> None:
    section = _section((ROOT / "README.md").read_text(encoding="utf-8"), SECTION)
    assert "CHANGELOG.md" in section and "__all__" in section and "breaking" in section
