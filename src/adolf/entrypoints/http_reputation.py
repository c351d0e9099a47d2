"""Reputation for managers over HTTP (issue 12 "For managers"), included in the app by ``http.py``.

    GET  /reputation/items?status=pending_review&brand=&platform=&limit=100
    POST /reputation/items/{item_id}/approve
    POST /reputation/items/{item_id}/edit                {"text": "…"}
    POST /reputation/items/{item_id}/regenerate          {"instructions": "…"}
    POST /reputation/items/{item_id}/skip

The moves are ``application.reputation.manager_actions``: approve a ``pending_review`` draft;
edit (the manager's own words replace the draft and are approved at once, from
``pending_review`` or from ``analyzed`` where the model's draft was refused); regenerate
(``regenerate_response`` is queued with the instructions); skip (no answer will be given).

Who may — bearer tokens of ``ADOLF_API_TOKENS``:
- ``manager``: the brands its token names (``token:manager:ohana_kids|ohana_market``; ``all``:
  every brand). The listing holds only those brands (asking for another → 403); another
  brand's item → 403. A manager's token naming no brand (``token:manager``) → 403 on every
  route here: whose reviews it answers is not known;
- ``senior``, ``admin``: every brand;
- ``director`` → 403: the design gives answering buyers to managers, seniors and admins (a
  director reads the reports);
- no token, or one that is not in ``ADOLF_API_TOKENS`` (a parsing agent's token among them, as
  on every operator route) → 401.

Answers: 404 an unknown item; 409 an item not in a status the action applies to (a second
approve, two managers at once): ``{"detail", "item_id", "current": "approved", "wanted":
["pending_review"]}`` naming both; 422 a body refused (unknown field, text over ``MAX_TEXT``
characters, blank instructions), or a text that fails the draft checks: ``{"detail",
"reasons": [...]}`` (a link, a phone number, too long for the platform, …); 413 and 503 as
the rest of the API. An approval saved whose ``send_response`` could not be queued (the
broker down) is 202 ``send: deferred``, not 503: the outbox sends it with the next
Reputation job, and a retry would only meet a 409.
"""

# No `from __future__ import annotations`: FastAPI reads these annotations at runtime.

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from adolf.application.bounds import INT64_MAX
from adolf.application.reputation import manager_actions
from adolf.application.reputation.manager_actions import ItemNotFound, NotAllowed, WrongState
from adolf.application.reputation.ports import ReputationServices
from adolf.domain.alerts.users import ALL_BRANDS, Role, User
from adolf.domain.errors import DomainError
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.draft_checks import MAX_LENGTH, check_draft
from adolf.domain.reputation.items import Item
from adolf.domain.reputation.lifecycle import ItemStatus
from adolf.entrypoints.reputation_cards import MAX_LISTED, card_json, cards
from adolf.entrypoints.tokens import same_token, token_bytes

log = logging.getLogger(__name__)
bearer = HTTPBearer(auto_error=False)

ANSWERERS = {Role.MANAGER, Role.SENIOR, Role.ADMIN}
MAX_TEXT = 2 * max(MAX_LENGTH.values())  # over this the body is refused; under it the platform's limit is named
MAX_INSTRUCTIONS = 2000

ItemIdPath = Annotated[int, Path(ge=1, le=INT64_MAX)]


class Problem(BaseModel):
    detail: Any


class EditBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        min_length=1,
        max_length=MAX_TEXT,
        description="The answer as it will be published: checked like a model's draft (not empty, within the "
        "platform's length, no links, phone numbers or e-mail addresses).",
        examples=["Здравствуйте! Спасибо за отзыв, размерная сетка есть в карточке товара."],
    )


class RegenerateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    instructions: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_INSTRUCTIONS)
    ] = Field(description="What the new draft should do differently.", examples=["Извинись и предложи обмен размера"])


_ANSWERS = {
    401: "No bearer token, or one not in ADOLF_API_TOKENS.",
    403: "The token's role may not answer buyers (director), or the item's brand is not the manager's.",
    404: "No such item.",
    409: "The item is not in a status the action applies to; `current` and `wanted` name both.",
    413: "The body is too large.",
    422: "A body or parameter refused, or a text failing the draft checks (`reasons` lists them).",
    503: "The database or the broker is unavailable; nothing was done. Try again later.",
}


def _answers(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Problem, "description": _ANSWERS[code]} for code in codes}


DEFERRED: dict[int | str, dict[str, Any]] = {
    202: {"description": "Approved, but the broker could not take `send_response`: the outbox sends it later."}
}


@dataclass(frozen=True, slots=True)
class Caller:
    """Who presented the token: its entry in ``ADOLF_API_TOKENS`` (never the token itself),
    its role, and the brands it answers for (``("all",)`` for every brand)."""

    entry: int
    role: Role
    brands: tuple[str, ...]

    @property
    def every_brand(self) -> bool:
        return ALL_BRANDS in self.brands

    def answers_for(self, brand: str) -> bool:
        return self.every_brand or brand in self.brands

    def user(self, brand: str) -> User:
        """The caller as the actions' ``User`` for an item of ``brand`` (which it answers for)."""
        role = self.role
        return User(f"api-token-{self.entry}", f"API token {self.entry} ({role.value})", role, brand)


def reputation_routes(
    reputation: Callable[[], ReputationServices],
    roles: Mapping[str, str],
    manager_brands: Mapping[str, Sequence[str]],
) -> APIRouter:
    """The routes, with ``reputation`` giving the services per request, ``roles`` the token →
    role map of ``ADOLF_API_TOKENS`` and ``manager_brands`` its managers' brands."""
    router = APIRouter(tags=["reputation"])
    known = [(token_bytes(token), number, role) for number, (token, role) in enumerate(roles.items(), 1)]
    brands_of = {token_bytes(token): tuple(brands) for token, brands in manager_brands.items()}

    def caller(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Caller:
        if credentials is None:
            raise HTTPException(401, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
        presented = token_bytes(credentials.credentials)
        found = None
        for token, number, role in known:
            if same_token(token, presented):  # every token compared: no early exit to time
                found = (token, number, role)
        if found is None:
            raise HTTPException(401, "unknown token", headers={"WWW-Authenticate": "Bearer"})
        token, number, name = found
        role = Role.parse(name)
        if role not in ANSWERERS:
            raise HTTPException(403, f"role {role.value!r} may not answer buyers (manager, senior, admin may)")
        if role is not Role.MANAGER:
            return Caller(number, role, (ALL_BRANDS,))
        brands = brands_of.get(token, ())
        if not brands:
            raise HTTPException(
                403,
                f"the manager's token (entry {number} of ADOLF_API_TOKENS) names no brand: "
                "write it token:manager:brand|brand (or token:manager:all)",
            )
        return Caller(number, role, brands)

    Acting = Annotated[Caller, Depends(caller)]

    @router.get("/reputation/items", responses=_answers(401, 403, 422, 503))
    def list_items(
        who: Acting,
        status: Annotated[
            ItemStatus | None, Query(description="Items in this status; the default is the queue a manager works.")
        ] = ItemStatus.PENDING_REVIEW,
        brand: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
        platform: Marketplace | None = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LISTED)] = 100,
    ) -> list[dict[str, Any]]:
        """Items oldest first, each with its analysis and its answer (the draft waiting for a
        manager). A manager sees the token's brands only."""
        if brand is not None and not who.answers_for(brand):
            raise HTTPException(403, f"brand={brand!r} is not one of this manager's brands ({', '.join(who.brands)})")
        scope = [brand] if brand is not None else (None if who.every_brand else list(who.brands))
        return [card_json(found) for found in cards(reputation(), status, scope, platform, limit)]

    def act(
        item_id: int,
        who: Caller,
        action: Callable[[ReputationServices, Item, User], dict[str, Any]],
        text: str | None = None,
    ) -> Any:
        """``action`` on the item for the caller; its refusals as answers. ``text``: the
        manager's own words, if the action takes them (the draft checks' reasons name them)."""
        services = reputation()
        with services.uow() as uow:
            item = uow.reputation_items.get(item_id)
        if item is None:
            raise HTTPException(404, f"item_id={item_id} does not exist")
        if not who.answers_for(item.brand):
            raise HTTPException(
                403,
                f"item_id={item_id} is of brand={item.brand!r}, not one of this manager's ({', '.join(who.brands)})",
            )
        try:
            return action(services, item, who.user(item.brand))
        except WrongState as exc:
            return JSONResponse(
                {
                    "detail": str(exc),
                    "item_id": exc.item_id,
                    "current": exc.current.value,
                    "wanted": [status.value for status in exc.wanted],
                },
                status_code=409,
            )
        except ItemNotFound as exc:  # gone between the look and the move (archived)
            raise HTTPException(404, str(exc)) from None
        except NotAllowed as exc:
            raise HTTPException(403, str(exc)) from None
        except DomainError as exc:  # the answer failed the draft checks
            checked = text if text is not None else _draft_text(services, item.id)
            reasons = [] if checked is None else list(check_draft(checked, item.platform, item.text))
            return JSONResponse({"detail": str(exc), "reasons": reasons}, status_code=422)
        except Exception as exc:
            deferred = _approved_send_deferred(services, item, who.user(item.brand), exc)
            if deferred is None:
                raise  # nothing was saved: 503 (a store down) or 500, as the app answers
            return deferred

    @router.post(
        "/reputation/items/{item_id}/approve", responses={**DEFERRED, **_answers(401, 403, 404, 409, 422, 503)}
    )
    def approve(item_id: ItemIdPath, who: Acting) -> Any:
        """The model's draft is approved as it is and ``send_response`` queued (pending_review → approved)."""
        return act(item_id, who, lambda services, item, user: manager_actions.approve(services, item.id, user))

    @router.post(
        "/reputation/items/{item_id}/edit", responses={**DEFERRED, **_answers(401, 403, 404, 409, 413, 422, 503)}
    )
    def edit(item_id: ItemIdPath, body: EditBody, who: Acting) -> Any:
        """The manager's own text replaces the draft and is approved (pending_review or analyzed → approved)."""
        return act(
            item_id,
            who,
            lambda services, item, user: manager_actions.edit_and_approve(services, item.id, body.text, user),
            body.text,
        )

    @router.post(
        "/reputation/items/{item_id}/regenerate", status_code=202, responses=_answers(401, 403, 404, 409, 413, 422, 503)
    )
    def regenerate(item_id: ItemIdPath, body: RegenerateBody, who: Acting) -> Any:
        """A new draft following the instructions is queued (``reputation.regenerate_response``);
        the item stays where it is until the draft comes back."""
        return act(
            item_id,
            who,
            lambda services, item, user: manager_actions.request_regenerate(services, item.id, body.instructions, user),
        )

    @router.post("/reputation/items/{item_id}/skip", responses=_answers(401, 403, 404, 409, 422, 503))
    def skip(item_id: ItemIdPath, who: Acting) -> Any:
        """No answer will be given (new, analyzed or pending_review → skipped)."""
        return act(item_id, who, lambda services, item, user: manager_actions.skip(services, item.id, user))

    return router


def _approved_send_deferred(
    services: ReputationServices, item: Item, user: User, exc: Exception
) -> JSONResponse | None:
    """An approval is committed before its ``send_response`` is queued; when queueing fails
    (the broker down) the send waits in the outbox for the next Reputation job's flush. The
    manager is told the approval stands (202, ``send: deferred``) rather than "nothing was
    done" — a retry would only meet a 409. None when the item did not move: nothing was saved."""
    with services.uow() as uow:
        now = uow.reputation_items.get(item.id)
    if now is None or now.status is not ItemStatus.APPROVED or item.status is ItemStatus.APPROVED:
        return None
    log.warning(
        "item %s approved; queueing its send failed (%s: %s), left in the outbox", item.id, type(exc).__name__, exc
    )
    return JSONResponse(
        {
            "item_id": item.id,
            "status": ItemStatus.APPROVED.value,
            "by": user.id,
            "send": "deferred",
            "detail": f"approved; queueing reputation.send_response failed ({type(exc).__name__}): "
            "the outbox sends it with the next Reputation job",
        },
        status_code=202,
    )


def _draft_text(services: ReputationServices, item_id: int) -> str | None:
    with services.uow() as uow:
        draft = uow.reputation_responses.get(item_id)
    return None if draft is None else draft.text


def reputation_services_of(container: Any) -> Callable[[], ReputationServices]:
    """The container's services (``AppServices`` is Reputation's too), asked for per request."""

    def services() -> ReputationServices:
        found: ReputationServices = container.services()
        return found

    return services
