"""The domain as a library: each package's public API is its ``__all__``, every name in it is
documented, and the examples in the packages' docstrings run (README "Using ADOLF as a library").

A name's docstring is what pdoc shows for it: a class's or function's own ``__doc__`` (not the
signature ``dataclass`` writes when there is none, nor the one an enum inherits), a constant's
``#:`` comment above it or string literal below it.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import inspect
import pkgutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import adolf.domain

PACKAGES = (
    "adolf.domain",
    "adolf.domain.alerts",
    "adolf.domain.marketing",
    "adolf.domain.watcher",
    "adolf.domain.logistic",
    "adolf.domain.reputation",
)
MODULES = sorted(
    ["adolf.domain", *(info.name for info in pkgutil.walk_packages(adolf.domain.__path__, "adolf.domain."))]
)


def _source(module: ModuleType) -> ast.Module:
    assert module.__file__ is not None
    return ast.parse(Path(module.__file__).read_text(encoding="utf-8"))


def _reexports(package: ModuleType) -> dict[str, str]:
    """Each name the package's ``__init__`` imports → the module it comes from."""
    found: dict[str, str] = {}
    for node in _source(package).body:
        if isinstance(node, ast.ImportFrom):
            assert node.module is not None and node.level == 0
            for alias in node.names:
                found[alias.asname or alias.name] = node.module
    return found


def _has_variable_docstring(module: ModuleType, name: str) -> bool:
    assert module.__file__ is not None
    lines = Path(module.__file__).read_text(encoding="utf-8").splitlines()
    body = _source(module).body
    for index, node in enumerate(body):
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if not (isinstance(target, ast.Name) and target.id == name):
            continue
        comment = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
        following = body[index + 1] if index + 1 < len(body) else None
        literal = (
            isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        )
        return comment.startswith("#:") or literal
    return False


def _own_docstring(value: object) -> str | None:
    if inspect.isclass(value):
        doc = vars(value).get("__doc__")
        generated = f"{value.__name__}("  # dataclasses write the signature when a class has no docstring
        return doc if isinstance(doc, str) and doc.strip() and not doc.startswith(generated) else None
    doc = getattr(value, "__doc__", None)
    return doc if isinstance(doc, str) and doc.strip() else None


@pytest.mark.parametrize("name", PACKAGES)
def test_a_package_exports_exactly_what_it_imports_each_name_once(name: str) -> None:
    package = importlib.import_module(name)
    exported = list(package.__all__)
    assert len(exported) == len(set(exported)), "a name is listed twice"
    assert set(exported) == set(_reexports(package)), "__all__ and the imports of __init__ differ"
    star: dict[str, object] = {}
    exec(f"from {name} import *", star)
    assert sorted(key for key in star if key != "__builtins__") == sorted(exported)
    for item in exported:
        assert star[item] is getattr(package, item)


@pytest.mark.parametrize("name", PACKAGES)
def test_an_exported_name_is_its_own_and_never_hides_a_module(name: str) -> None:
    package = importlib.import_module(name)
    modules = {info.name for info in pkgutil.iter_modules(package.__path__)}
    # ``from package import x`` must not find a function where ``package.x`` is a module.
    assert set(package.__all__) & modules == set()
    for item, origin in _reexports(package).items():
        assert origin.startswith(name + "."), f"{name}.{item} comes from {origin}, another package"


@pytest.mark.parametrize("name", PACKAGES)
def test_every_exported_name_has_a_docstring(name: str) -> None:
    package = importlib.import_module(name)
    origins = _reexports(package)
    undocumented = []
    for item in package.__all__:
        value = getattr(package, item)
        if inspect.isclass(value) or inspect.isroutine(value):
            documented = _own_docstring(value) is not None
        else:
            documented = _has_variable_docstring(importlib.import_module(origins[item]), item)
        if not documented:
            undocumented.append(item)
    assert undocumented == []


@pytest.mark.parametrize("name", PACKAGES)
def test_a_package_docstring_says_what_it_is_for_and_shows_it_running(name: str) -> None:
    package = importlib.import_module(name)
    doc = package.__doc__ or ""
    assert len(doc.splitlines()[0]) > 20
    assert ">>> from " + name + " import" in doc
    assert doctest.testmod(package, report=False).attempted >= 3


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_in_the_domain_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, verbose=False, report=True)
    assert result.failed == 0


def test_importing_every_package_loads_the_standard_library_and_the_domain_only() -> None:
    probe = (
        "import sys; " + "; ".join(f"import {name}" for name in PACKAGES) + "; print('\\n'.join(sorted(sys.modules)))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout.split()
    foreign = [
        module
        for module in loaded
        if module.split(".")[0] not in sys.stdlib_module_names
        and not module.startswith("adolf.domain")
        and module not in {"adolf", "__main__", "_distutils_hack", "sitecustomize", "usercustomize"}
    ]
    assert foreign == []
