"""Errors the runtime reads the kind of, shared by ports and the catalogue."""

from __future__ import annotations


class PermanentError(Exception):
    """A failure that no retry can fix (a refused request, a missing authorisation): the job
    is dead-lettered at its first attempt, whatever its policy retries on."""
