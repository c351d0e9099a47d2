"""HTTP routes of the parsing agents' protocol (issue 10), included in the app by ``http.py``.

    POST /watcher/agents/{agent_id}/heartbeat            {ip?, cookies_valid?, metrics?, recovered?}
    POST /watcher/agents/{agent_id}/tasks/next?marketplace=wb
    POST /watcher/tasks/{task_id}/result                 {prices: [...]} or {error: "..."}, competitor_bids?
    POST /watcher/agents/{agent_id}/panic                {reason, details?}

Who may call them — the role ``agent``, tied to one agent:
- a bearer token registered for an agent (``application.watcher.agent_tokens``; stored
  hashed) acts as that agent and no other: another agent's id in the path → 403;
- no token or an unknown one → 401;
- an operator's token (``ADOLF_API_TOKENS``, any role, admin included) → 403: an operator
  does not pull tasks or report prices in an agent's name; the log would then say an agent
  did what a person did. Operators run ``watcher.*`` tasks through ``/tasks/{name}/run``;
- an agent's token opens none of the operator routes (they answer 401: it is not one of
  their tokens).

Answers: 404 an unknown task (counted) or agent; 409 a result for a task the agent does not
hold (nothing changed); 422 a body, parameter or value refused, naming the field (a malformed
price *item* is not a 422: it is refused in the 200 answer's ``refused``, the rest kept);
413 and 503 as the rest of the API. Numbers in a result body are read as exact decimals.
"""

# No `from __future__ import annotations`: FastAPI reads these annotations at runtime.

from collections.abc import Callable, Collection
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, ValidationError, model_validator
from starlette.concurrency import run_in_threadpool

from adolf.application.bounds import INT64_MAX, INT64_MIN
from adolf.application.payload import InvalidPayload, parse_payload
from adolf.application.watcher.agent_protocol import (
    HeartbeatReply,
    NextTask,
    ResultReceipt,
    TaskResult,
    UnknownAgent,
    UnknownParsingTask,
    heartbeat,
    next_task,
    report_panic,
    submit_result,
)
from adolf.application.watcher.agent_tokens import MAX_AGENT_ID_LENGTH, authenticate_agent
from adolf.application.watcher.ports import WatcherServices
from adolf.domain.errors import DomainError
from adolf.domain.marketplace import Marketplace
from adolf.domain.watcher.agents import Agent
from adolf.domain.watcher.tasks import TaskNotHeld
from adolf.entrypoints.tokens import same_token, token_bytes

bearer = HTTPBearer(auto_error=False)
T = TypeVar("T")

AgentIdPath = Annotated[str, Path(min_length=1, max_length=MAX_AGENT_ID_LENGTH)]
TaskIdPath = Annotated[int, Path(ge=1, le=INT64_MAX)]
Key = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Metric = (
    StrictBool
    | Annotated[int, Field(strict=True, ge=INT64_MIN, le=INT64_MAX)]
    | Annotated[float, Field(allow_inf_nan=False)]
    | Annotated[str, StringConstraints(max_length=200)]
    | None
)


class Problem(BaseModel):
    detail: Any


class HeartbeatBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ip: Annotated[str, StringConstraints(min_length=1, max_length=45)] | None = Field(
        default=None, description="The address the agent's requests leave from (its proxy's, if it uses one)."
    )
    cookies_valid: StrictBool | None = None
    metrics: dict[Key, Metric] | None = Field(default=None, max_length=64, description="Scalars, stored as sent.")
    recovered: StrictBool = Field(
        default=False, description="The agent in panic is ready again (ignored while its IP is blocked)."
    )


class PanicBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)] = Field(examples=["captcha"])
    details: dict[Key, Annotated[str, StringConstraints(max_length=1000)]] = Field(
        default_factory=dict, max_length=32, description="Text facts; `ip` names the address to block."
    )


class ResultBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prices: list[Any] | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="Price items: {price, old_price, discount_percent, in_stock, observed_at, "
        "competitor_product_id | external_id}; each checked on its own.",
    )
    error: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | None = None
    competitor_bids: dict[str, Any] | None = Field(
        default=None,
        max_length=1000,
        description="Keyword external id → the competitor bids its search page showed (marketplace bid unit); "
        "each keyword checked on its own, the valid ones handed to Marketing's bid cycle.",
        examples=[{"10000001001": ["145.00", "120.00"]}],
    )

    @model_validator(mode="after")
    def _one_of(self) -> "ResultBody":
        if (self.prices is None) == (self.error is None):
            raise ValueError("send either prices or error, not both and not neither")
        return self


_ANSWERS = {
    401: "No bearer token, or an unknown one.",
    403: "An operator's token, or another agent's: an agent acts only as itself.",
    404: "No such task (counted) or agent.",
    409: "The agent does not hold this task (not claimed, released, or done); nothing was changed.",
    413: "The body is too large.",
    422: "A body, parameter or value is refused; the detail names the field and the value.",
    503: "Redis or the database is unavailable; nothing was done. Try again later.",
}


def _answers(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Problem, "description": _ANSWERS[code]} for code in codes}


RESULT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": ResultBody.model_json_schema(),
                "example": {
                    "prices": [
                        {
                            "price": "1899.00",
                            "old_price": "2499.00",
                            "in_stock": True,
                            "observed_at": "2024-05-10T21:14:03+00:00",
                        }
                    ]
                },
            }
        },
    }
}


def agent_routes(watcher: Callable[[], WatcherServices], operator_tokens: Collection[str]) -> APIRouter:
    """The routes, with ``watcher`` giving the services per request and ``operator_tokens``
    the human tokens to refuse with 403."""
    router = APIRouter(tags=["watcher agents"])
    operators = [token_bytes(token) for token in operator_tokens]

    def acting_agent(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Agent:
        if credentials is None:
            raise HTTPException(401, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
        presented = token_bytes(credentials.credentials)
        if any(same_token(token, presented) for token in operators):
            raise HTTPException(403, "an operator's token may not act as a parsing agent; each agent uses its own")
        agent = authenticate_agent(watcher(), credentials.credentials)
        if agent is None:
            raise HTTPException(401, "unknown token", headers={"WWW-Authenticate": "Bearer"})
        return agent

    def itself(agent_id: AgentIdPath, agent: Annotated[Agent, Depends(acting_agent)]) -> Agent:
        if agent.id != agent_id:
            raise HTTPException(403, f"agent {agent.id!r} may act only as itself, not as agent {agent_id!r}")
        return agent

    Itself = Annotated[Agent, Depends(itself)]

    @router.post("/watcher/agents/{agent_id}/heartbeat", responses=_answers(401, 403, 404, 413, 422, 503))
    def agent_heartbeat(agent: Itself, body: Annotated[HeartbeatBody | None, Body()] = None) -> dict[str, Any]:
        beat = body or HeartbeatBody()
        reply = _answer(
            heartbeat,
            watcher(),
            agent.id,
            beat.ip,
            beat.metrics,
            beat.cookies_valid,
            recovered=beat.recovered,
        )
        return heartbeat_json(reply)

    @router.post("/watcher/agents/{agent_id}/tasks/next", responses=_answers(401, 403, 404, 422, 503))
    def agent_next_task(
        agent: Itself,
        marketplace: Annotated[
            Marketplace | None, Query(description="Required for an agent that parses any marketplace.")
        ] = None,
    ) -> dict[str, Any]:
        """The next task of the marketplace's queue, claimed for this agent with a lease; or
        ``task: null`` and the ``reason`` (queue empty, IP blocked, agent offline or in panic)."""
        return next_json(_answer(next_task, watcher(), agent.id, marketplace))

    @router.post(
        "/watcher/tasks/{task_id}/result",
        responses=_answers(401, 403, 404, 409, 413, 422, 503),
        openapi_extra=RESULT_BODY,
    )
    async def task_result(
        task_id: TaskIdPath, request: Request, agent: Annotated[Agent, Depends(acting_agent)]
    ) -> dict[str, Any]:
        result = await _result_of(request)
        receipt = await run_in_threadpool(_answer, submit_result, watcher(), agent.id, task_id, result)
        return receipt_json(receipt)

    @router.post("/watcher/agents/{agent_id}/panic", status_code=202, responses=_answers(401, 403, 404, 413, 422, 503))
    def agent_panic(agent: Itself, body: PanicBody) -> dict[str, Any]:
        """A captcha or a ban: queues ``watcher.handle_panic_mode`` (status panic, the IP
        blocked for an hour, the agent's tasks redistributed, admins told)."""
        job = _answer(report_panic, watcher(), agent.id, body.reason, body.details)
        return {"task_id": job, "task_name": "watcher.handle_panic_mode", "status": "queued"}

    return router


async def _result_of(request: Request) -> TaskResult:
    try:
        raw = parse_payload(await request.body(), "the body", exact=True)
    except InvalidPayload as exc:
        raise HTTPException(422, str(exc)) from None
    try:
        body = ResultBody.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False)
        raise RequestValidationError([{**error, "loc": ("body", *error["loc"])} for error in errors]) from None
    try:
        return TaskResult(prices=body.prices, error=body.error, competitor_bids=body.competitor_bids)
    except DomainError as exc:
        raise HTTPException(422, str(exc)) from None


def _answer(use_case: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """The use case's refusals as HTTP answers."""
    try:
        return use_case(*args, **kwargs)
    except TaskNotHeld as exc:
        raise HTTPException(409, str(exc)) from None
    except (UnknownAgent, UnknownParsingTask) as exc:
        raise HTTPException(404, str(exc)) from None
    except DomainError as exc:
        raise HTTPException(422, str(exc)) from None


def heartbeat_json(reply: HeartbeatReply) -> dict[str, Any]:
    return {
        "agent_id": reply.agent_id,
        "status": reply.status.value,
        "last_heartbeat": reply.last_heartbeat.isoformat() if reply.last_heartbeat else None,
        "ip": reply.ip,
        "ip_blocked": reply.ip_blocked,
        "cookies_valid": reply.cookies_valid,
    }


def next_json(found: NextTask) -> dict[str, Any]:
    offer = found.task
    task = None
    if offer is not None:
        task = {
            "task_id": offer.task_id,
            "competitor_product_id": offer.competitor_product_id,
            "external_id": offer.external_id,
            "url": offer.url,
            "marketplace": offer.marketplace.value,
            "scheduled_date": offer.scheduled_date.isoformat(),
            "lease_until": offer.lease_until.isoformat(),
            "attempt": offer.attempt,
        }
    return {"task": task, "reason": found.reason, "skipped": found.skipped}


def receipt_json(receipt: ResultReceipt) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "task_id": receipt.task_id,
        "status": receipt.status.value,
        "retry_count": receipt.retry_count,
        "kept": receipt.kept,
        "refused": [{"index": item.index, "error": item.error} for item in receipt.refused],
    }
    if receipt.bids_kept is not None:  # answered when the result carried competitor bids
        answer["competitor_bids"] = {
            "kept": receipt.bids_kept,
            "refused": [{"keyword": item.keyword, "error": item.error} for item in receipt.bids_refused],
        }
    return answer


def watcher_services_of(container: Any) -> Callable[[], WatcherServices]:
    """The container's ``watcher_services`` provider, looked up per request: a container
    without one (Watcher's repositories not wired) answers 500 naming what is missing."""

    def services() -> WatcherServices:
        provider = getattr(container, "watcher_services", None)
        if provider is None:
            raise LookupError("the container has no watcher_services provider: Watcher is not wired in this build")
        found: WatcherServices = provider()
        return found

    return services
