"""Snapshots of an in-memory repository, so a fake unit of work can roll back."""

from __future__ import annotations

import copy
from typing import Any


class Stateful:
    """Every attribute of the repository is its state: copied on snapshot, put back on restore."""

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(vars(self))

    def restore(self, saved: object) -> None:
        assert isinstance(saved, dict)
        vars(self).clear()
        vars(self).update(copy.deepcopy(saved))


class Tables(Stateful):
    """A module's in-memory tables of immutable rows: a sequence per table (ids never reused),
    a count of repository calls (the set-based checks), and snapshots that copy each table
    once rather than every row (the rows are frozen)."""

    def __init__(self) -> None:
        self.last_ids: dict[str, int] = {}
        self.calls: dict[str, int] = {}  # repository method → times called

    def next_id(self, table: str) -> int:
        self.last_ids[table] = self.last_ids.get(table, 0) + 1
        return self.last_ids[table]

    def count(self, call: str) -> None:
        self.calls[call] = self.calls.get(call, 0) + 1

    def snapshot(self) -> dict[str, Any]:
        return {name: value.copy() for name, value in vars(self).items()}

    def restore(self, saved: object) -> None:
        assert isinstance(saved, dict)
        vars(self).clear()
        vars(self).update({name: value.copy() for name, value in saved.items()})
