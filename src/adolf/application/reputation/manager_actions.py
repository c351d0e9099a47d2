"""What a manager does with the answers (issue 12 "For managers"; the HTTP routes and the CLI
``adolf reputation pending|approve|edit|regenerate|skip`` call these).

- ``pending``: items waiting for review, oldest first, with their analysis and draft;
- ``approve``: a ``pending_review`` item's draft, checked again, becomes ``approved`` and
  ``send_response`` is recorded in the same transaction (the outbox);
- ``edit_and_approve``: the manager's own text (source ``manager``) replaces the draft and is
  approved at once — from ``pending_review``, or from ``analyzed`` where the model's draft was
  refused. It passes the same draft checks as a model's (``InvalidReputation`` naming the
  reasons otherwise);
- ``skip``: no answer will be given (from ``new``, ``analyzed`` or ``pending_review``);
- ``request_regenerate``: ``regenerate_response`` with the manager's instructions is queued
  (from ``analyzed`` or ``pending_review``).

An item in another status → ``WrongState`` naming the item, its status and the statuses the
action wants (the HTTP layer answers 409 with both); an unknown item → ``ItemNotFound``. Moves
are compare-and-set, so two managers acting at once get one success and one ``WrongState``.

Who may act (``can_act``): an active manager of the item's brand (or of every brand, ``all``),
a senior, an admin. The HTTP layer checks roles first; the actions check again and raise
``NotAllowed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adolf.application.reputation import dispatch
from adolf.application.reputation.ports import ReputationServices, ReputationUnitOfWork
from adolf.domain.alerts.users import ALL_BRANDS, Role, User
from adolf.domain.reputation.draft_checks import require_publishable
from adolf.domain.reputation.items import Analysis, Item, Response, ResponseSource, ResponseStatus
from adolf.domain.reputation.lifecycle import ItemStatus, transition

REVIEWERS = (Role.SENIOR, Role.ADMIN)


class ItemNotFound(LookupError):
    def __init__(self, item_id: int) -> None:
        super().__init__(f"item_id={item_id} does not exist")
        self.item_id = item_id


class WrongState(Exception):
    """The item is not in a status the action applies to (HTTP 409)."""

    def __init__(self, item_id: int, current: ItemStatus, wanted: Sequence[ItemStatus]) -> None:
        self.item_id = item_id
        self.current = current
        self.wanted = tuple(wanted)
        names = " or ".join(repr(status.value) for status in self.wanted)
        super().__init__(f"item_id={item_id} is {current.value!r}; the action needs {names}")


class NotAllowed(PermissionError):
    def __init__(self, user: User, brand: str) -> None:
        super().__init__(
            f"user={user.id!r} (role {user.role.value}, brand {user.brand!r}) may not act on brand={brand!r}"
        )
        self.user = user
        self.brand = brand


@dataclass(frozen=True, slots=True)
class ReviewCard:
    """An item waiting for a manager, with what the model read and drafted."""

    item: Item
    analysis: Analysis | None
    response: Response | None


def can_act(user: User, brand: str) -> bool:
    if not user.active:
        return False
    if user.role in REVIEWERS:
        return True
    return user.role is Role.MANAGER and user.brand in (brand, ALL_BRANDS)


def pending(services: ReputationServices, brands: Sequence[str] | None = None, limit: int = 100) -> list[ReviewCard]:
    with services.uow() as uow:
        items = uow.reputation_items.listing(ItemStatus.PENDING_REVIEW, brands, limit=limit)
        answers = uow.reputation_responses.get_many([item.id for item in items])
        return [ReviewCard(item, uow.reputation_analyses.get(item.id), answers.get(item.id)) for item in items]


def approve(services: ReputationServices, item_id: int, user: User) -> dict[str, Any]:
    now = services.clock.now()
    with services.uow() as uow:
        item = _item(uow, item_id, user, (ItemStatus.PENDING_REVIEW,))
        draft = uow.reputation_responses.get(item_id)
        if draft is None or draft.status is not ResponseStatus.DRAFT:
            raise WrongState(item_id, item.status, (ItemStatus.PENDING_REVIEW,))
        require_publishable(draft.text, item.platform, item.text)
        approved = Response(
            item_id, draft.text, draft.source, ResponseStatus.APPROVED, now, instructions=draft.instructions
        )
        keys = _approve(uow, item, approved, now)
    dispatch.flush(services, keys)
    return {"item_id": item_id, "status": ItemStatus.APPROVED.value, "by": user.id}


def edit_and_approve(services: ReputationServices, item_id: int, text: str, user: User) -> dict[str, Any]:
    now = services.clock.now()
    with services.uow() as uow:
        item = _item(uow, item_id, user, (ItemStatus.ANALYZED, ItemStatus.PENDING_REVIEW))
        require_publishable(text, item.platform, item.text)
        keys = _approve(uow, item, Response(item_id, text, ResponseSource.MANAGER, ResponseStatus.APPROVED, now), now)
    dispatch.flush(services, keys)
    return {"item_id": item_id, "status": ItemStatus.APPROVED.value, "by": user.id, "source": "manager"}


def skip(services: ReputationServices, item_id: int, user: User) -> dict[str, Any]:
    now = services.clock.now()
    wanted = (ItemStatus.NEW, ItemStatus.ANALYZED, ItemStatus.PENDING_REVIEW)
    with services.uow() as uow:
        item = _item(uow, item_id, user, wanted)
        _move(uow, item, ItemStatus.SKIPPED, wanted, now)
        uow.commit()
    return {"item_id": item_id, "status": ItemStatus.SKIPPED.value, "by": user.id}


def request_regenerate(services: ReputationServices, item_id: int, instructions: str, user: User) -> dict[str, Any]:
    if not instructions.strip():
        raise ValueError(f"instructions={instructions!r} must say what to change")
    now = services.clock.now()
    with services.uow() as uow:
        _item(uow, item_id, user, (ItemStatus.ANALYZED, ItemStatus.PENDING_REVIEW))
        step = dispatch.step(
            dispatch.REGENERATE, item_id, now, f":{now.isoformat()}", instructions=instructions.strip()
        )
        keys = dispatch.record(uow, [step])
        uow.commit()
    flushed = dispatch.flush(services, keys)
    return {"item_id": item_id, "status": "regenerating", "by": user.id, "enqueued": flushed.enqueued}


def _item(uow: ReputationUnitOfWork, item_id: int, user: User, wanted: Sequence[ItemStatus]) -> Item:
    item = uow.reputation_items.get(item_id)
    if item is None:
        raise ItemNotFound(item_id)
    if not can_act(user, item.brand):
        raise NotAllowed(user, item.brand)
    if item.status not in wanted:
        raise WrongState(item_id, item.status, wanted)
    return item


def _move(
    uow: ReputationUnitOfWork, item: Item, target: ItemStatus, wanted: Sequence[ItemStatus], now: datetime
) -> None:
    transition(item.status, target)  # the domain's diagram: every wanted status may go there
    if not uow.reputation_items.move(item.id, item.status, target, now):
        current = uow.reputation_items.get(item.id)
        raise WrongState(item.id, current.status if current else item.status, wanted)


def _approve(uow: ReputationUnitOfWork, item: Item, answer: Response, now: datetime) -> list[str]:
    _move(uow, item, ItemStatus.APPROVED, (item.status,), now)
    uow.reputation_responses.save(answer)
    keys = dispatch.record(uow, [dispatch.step(dispatch.SEND, item.id, now)])
    uow.commit()
    return keys
