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
