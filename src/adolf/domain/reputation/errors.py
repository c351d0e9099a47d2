"""Reputation's domain errors.

Every message names the field and the value (``"rating=7 must be 1 … 5"``), so a bad item from a
marketplace or a bad request from a manager can be found without a debugger.
"""

from __future__ import annotations

from adolf.domain.errors import DomainError


class InvalidReputation(DomainError):
    """A Reputation value (item, analysis, draft, setting) breaks its rule."""


class IllegalTransition(DomainError):
    """An item cannot move from its status to the one asked for; the message names both."""
