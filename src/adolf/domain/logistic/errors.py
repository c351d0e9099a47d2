"""Logistic's domain errors.

Every message names the field and the value (``"ozon_sku=0 must be an int > 0"``), so a bad row
or a bad configuration key can be found without a debugger.
"""

from __future__ import annotations

from adolf.domain.errors import DomainError


class InvalidLogistic(DomainError):
    """A Logistic value (article, stock snapshot, policy, need, task) breaks its rule."""


class IllegalTransition(DomainError):
    """A supply task cannot move from its status to the one asked for."""
