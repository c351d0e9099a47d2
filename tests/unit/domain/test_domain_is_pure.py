"""House rules for the domain package (ARCHITECTURE.md "Layers", the domain brief).

Standard library only and nothing else of adolf; no clock reads; no floats; values are frozen
dataclasses with slots.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import pkgutil
import sys
from pathlib import Path

import adolf.domain

DOMAIN = Path(adolf.domain.__file__).parent
SOURCES = sorted(DOMAIN.rglob("*.py"))
CLOCK_CALLS = {"now", "today", "utcnow", "time", "monotonic", "perf_counter"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_the_domain_imports_only_the_standard_library_and_itself() -> None:
    offenders = []
    for path in SOURCES:
        for node in ast.walk(_tree(path)):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if not (top in sys.stdlib_module_names or name.startswith("adolf.domain")):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_the_domain_never_reads_the_clock_nor_uses_float() -> None:
    offenders = []
    for path in SOURCES:
        for node in ast.walk(_tree(path)):
            function = node.func if isinstance(node, ast.Call) else None
            if isinstance(function, ast.Attribute) and function.attr in CLOCK_CALLS:
                offenders.append(f"{path.name}:{function.lineno} .{function.attr}()")
            if isinstance(node, ast.Name) and node.id == "float":
                offenders.append(f"{path.name}:{node.lineno} float")
    assert offenders == []


def test_every_domain_dataclass_is_frozen_with_slots() -> None:
    loose = []
    for info in pkgutil.walk_packages(adolf.domain.__path__, "adolf.domain."):
        module = importlib.import_module(info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if value.__module__ == module.__name__ and dataclasses.is_dataclass(value):
                params = value.__dataclass_params__  # type: ignore[attr-defined]
                if not params.frozen or "__slots__" not in value.__dict__:
                    loose.append(value.__qualname__)
    assert loose == []


def test_the_domain_raises_no_bare_exception() -> None:
    for path in SOURCES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Raise) and node.exc is not None:
                target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                assert not (isinstance(target, ast.Name) and target.id == "Exception"), path.name
