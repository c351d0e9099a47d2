"""Every pair of statuses: the moves SPEC §3 allows succeed, every other one names both statuses."""

from __future__ import annotations

from itertools import product

import pytest

from adolf.domain.reputation.errors import IllegalTransition, InvalidReputation
from adolf.domain.reputation.lifecycle import ItemStatus, allowed, transition

S = ItemStatus
ALLOWED = {
    (S.NEW, S.ANALYZED),
    (S.NEW, S.SKIPPED),
    (S.ANALYZED, S.PENDING_REVIEW),
    (S.ANALYZED, S.APPROVED),
    (S.ANALYZED, S.SKIPPED),
    (S.PENDING_REVIEW, S.APPROVED),
    (S.PENDING_REVIEW, S.ANALYZED),
    (S.PENDING_REVIEW, S.SKIPPED),
    (S.APPROVED, S.PUBLISHED),
    (S.APPROVED, S.FAILED),
    (S.FAILED, S.PUBLISHED),
}
PAIRS = list(product(ItemStatus, repeat=2))


def test_the_table_covers_all_49_pairs() -> None:
    assert len(PAIRS) == 49 and set(PAIRS) > ALLOWED


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_an_allowed_move_returns_the_target(current: ItemStatus, target: ItemStatus) -> None:
    assert transition(current, target) is target
    assert transition(current.value.upper(), f" {target.value} ") is target  # stored text parses
    assert target in allowed(current)


@pytest.mark.parametrize(("current", "target"), sorted(set(PAIRS) - ALLOWED))
def test_a_forbidden_move_names_both_statuses(current: ItemStatus, target: ItemStatus) -> None:
    with pytest.raises(IllegalTransition) as caught:
        transition(current, target)
    message = str(caught.value)
    assert f"status={current.value!r}" in message and f"target={target.value!r}" in message
    assert target not in allowed(current)


def test_published_and_skipped_are_final_and_nothing_else_is() -> None:
    assert {s for s in ItemStatus if s.final} == {S.PUBLISHED, S.SKIPPED}
    with pytest.raises(IllegalTransition, match="nothing \\(final\\)"):
        transition(S.PUBLISHED, S.FAILED)


def test_an_unknown_status_is_refused_by_name() -> None:
    with pytest.raises(InvalidReputation, match="status='archived'"):
        transition("archived", S.NEW)
