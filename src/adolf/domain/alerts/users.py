"""The people alerts go to: ``User`` with a ``Role`` and a brand.

Rules (SPEC §4.5; seed 000 ``get_alert_recipients``, seed 001 ``_get_alert_recipients``):
- roles are manager, senior, director, admin. Seed 000 spells the top role ``admin`` and seed
  001 ``administrator``; they are the same people, so ``"administrator"`` parses to
  ``Role.ADMIN`` (one member, value ``"admin"``) and a policy table can never list one
  spelling and miss users stored with the other. Parsing ignores case and surrounding spaces.
- a user's brand is a brand name or ``"all"`` (``ALL_BRANDS``); only managers are filtered by
  it (see ``routing``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from adolf.domain.errors import DomainError

#: The brand of a user who sees every brand, and of an alert that concerns every brand.
ALL_BRANDS = "all"

_ROLE_ALIASES = {"administrator": "admin"}


class UnknownRole(DomainError):
    """Not one of manager, senior, director, admin (administrator)."""


class InvalidUser(DomainError):
    """A user record lacks an id or a brand."""


class Role(StrEnum):
    """A user's role; any case, surrounding spaces and ``administrator`` parse too."""

    MANAGER = "manager"
    SENIOR = "senior"
    DIRECTOR = "director"
    ADMIN = "admin"

    @classmethod
    def _missing_(cls, value: object) -> Role | None:
        # Called by Role(value) when no member has that value: accept case, spaces, aliases.
        if not isinstance(value, str):
            return None
        text = value.strip().lower()
        text = _ROLE_ALIASES.get(text, text)
        for member in cls:
            if member.value == text:
                return member
        return None

    @classmethod
    def parse(cls, value: str) -> Role:
        try:
            return cls(value)
        except ValueError:
            known = ", ".join([*(member.value for member in cls), *_ROLE_ALIASES])
            raise UnknownRole(f"role={value!r} is not one of: {known}") from None


@dataclass(frozen=True, slots=True)
class Contact:
    """Where to reach a user: ``channel`` such as "telegram" or "email", and the address."""

    channel: str
    address: str


@dataclass(frozen=True, slots=True)
class User:
    """A person alerts go to: a ``Role``, a brand (or ``ALL_BRANDS``), active or not, and the ``Contact``
    addresses that reach them."""

    id: str
    name: str
    role: Role
    brand: str  # a brand name, or ALL_BRANDS
    active: bool = True
    contacts: tuple[Contact, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise InvalidUser(f"id={self.id!r} must be a non-empty string")
        if not isinstance(self.brand, str) or not self.brand.strip():
            raise InvalidUser(f"brand={self.brand!r} of user id={self.id!r} must be a brand name or 'all'")
        if not isinstance(self.role, Role):
            # A role read from a row arrives as text; store the member so comparisons are exact.
            object.__setattr__(self, "role", Role.parse(self.role))

    @property
    def sees_all_brands(self) -> bool:
        return self.brand.strip().casefold() == ALL_BRANDS
