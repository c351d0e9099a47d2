"""The root of every error the domain raises.

Rule (ARCHITECTURE.md, "Anti-patterns"): raise a named error the caller can act on, never a
bare ``Exception``. Each domain module defines its own subclasses next to the rule they guard;
all of them derive from ``DomainError`` so a use case can catch "bad input to a rule" in one
place. ``DomainError`` is a ``ValueError`` because every one of them means "this value is not
acceptable here". Messages name the field and the value (``"min_bid=5 > max_bid=3"``).
"""


class DomainError(ValueError):
    """Bad input to a domain rule; the message names the field and the value."""
