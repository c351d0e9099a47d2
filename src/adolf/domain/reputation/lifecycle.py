"""An item's lifecycle (SPEC §3 Reputation: ``new → analyzed → pending_review → approved →
published``, side states ``failed`` and ``skipped``).

    new ──analyze──► analyzed ──draft──► pending_review ──approve──► approved ──publish──► published
     │                 │  ▲                  │                          │                    ▲
     │                 │  └──draft refused───┘                          └──► failed ──retry──┘
     │                 └──auto-approve (per-brand setting)──► approved
     └──────────────── skip (from new, analyzed, pending_review) ──► skipped

- ``analyzed → pending_review``: a draft passed the checks and waits for a manager;
  ``analyzed → approved``: the brand lets such a draft skip the manager (off by default).
- ``pending_review → analyzed``: a regenerated draft failed the checks; the item waits for a new
  one with the reason kept.
- ``approved → failed``: the marketplace refused or could not be reached; ``failed → published``
  when a retry succeeds; ``failed → failed`` is not a move (the attempt count grows instead).
- ``published`` and ``skipped`` are final. A move to the status an item already has is illegal
  too: the caller (a repeated approve, a redelivered task) decides whether that is an error to
  report (HTTP 409) or a repeat to ignore.

``transition(current, target)`` returns ``target`` when allowed and raises ``IllegalTransition``
naming both statuses otherwise.
"""

from __future__ import annotations

from enum import StrEnum

from adolf.domain.reputation.errors import IllegalTransition, InvalidReputation

__all__ = ["IllegalTransition", "ItemStatus", "allowed", "transition"]


class ItemStatus(StrEnum):
    """Where an item is in its lifecycle (the diagram in the module docstring); ``final`` for published
    and skipped."""

    NEW = "new"
    ANALYZED = "analyzed"
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    PUBLISHED = "published"
    FAILED = "failed"
    SKIPPED = "skipped"

    @classmethod
    def parse(cls, value: object) -> ItemStatus:
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            known = ", ".join(member.value for member in cls)
            raise InvalidReputation(f"status={value!r} is not one of: {known}") from None

    @property
    def final(self) -> bool:
        return not _NEXT[self]


_NEXT: dict[ItemStatus, frozenset[ItemStatus]] = {
    ItemStatus.NEW: frozenset({ItemStatus.ANALYZED, ItemStatus.SKIPPED}),
    ItemStatus.ANALYZED: frozenset({ItemStatus.PENDING_REVIEW, ItemStatus.APPROVED, ItemStatus.SKIPPED}),
    ItemStatus.PENDING_REVIEW: frozenset({ItemStatus.APPROVED, ItemStatus.ANALYZED, ItemStatus.SKIPPED}),
    ItemStatus.APPROVED: frozenset({ItemStatus.PUBLISHED, ItemStatus.FAILED}),
    ItemStatus.FAILED: frozenset({ItemStatus.PUBLISHED}),
    ItemStatus.PUBLISHED: frozenset(),
    ItemStatus.SKIPPED: frozenset(),
}


def allowed(current: ItemStatus | str) -> frozenset[ItemStatus]:
    """The statuses an item in ``current`` may move to (empty for a final status)."""
    return _NEXT[ItemStatus.parse(current)]


def transition(current: ItemStatus | str, target: ItemStatus | str) -> ItemStatus:
    """``target`` if an item in ``current`` may move to it; ``IllegalTransition`` otherwise."""
    start, goal = ItemStatus.parse(current), ItemStatus.parse(target)
    if goal not in _NEXT[start]:
        may = ", ".join(sorted(status.value for status in _NEXT[start])) or "nothing (final)"
        raise IllegalTransition(
            f"status={start.value!r} cannot become target={goal.value!r}; {start.value!r} may become {may}"
        )
    return goal
