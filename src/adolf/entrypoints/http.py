"""HTTP API: run a task by hand, look its status up, health and metrics.

    uvicorn adolf.entrypoints.http:app --host 0.0.0.0 --port 8000

``POST /tasks/{name}/run`` (roles admin and director) → ``{task_id, task_name, status: "queued"}``;
``GET /tasks/{task_id}/status`` (any role); ``GET /marketing/campaigns`` (any role) and
``PATCH /marketing/campaigns/{id}`` (admin, director, senior) to set a campaign's strategy,
bounds, targets and safety; the parsing agents' ``/watcher/agents/…`` and
``/watcher/tasks/{id}/result`` (role ``agent``, each agent's own token:
``http_watcher_agents``); the managers' ``/reputation/items…`` (list the drafts waiting,
approve, edit, regenerate, skip: manager of the item's brand, senior, admin:
``http_reputation``); the Logistic paths of the design documents
(``/logistic/tasks/…``) are the same endpoints under a module prefix, for every module.
Bearer tokens and their roles come from ``ADOLF_API_TOKENS``; nothing is open without one
(``/openapi.json`` and ``/docs`` too, unless ``ADOLF_API_PUBLIC_DOCS=true``).

Input never gets a 500: a body over ``MAX_BODY_BYTES`` is 413; a body that is not a JSON
object of finite numbers, nested over 32 levels, or a payload outside the task's bounds is
422 naming the field and the value; Redis, the broker or the database being down is 503.
"""

# No `from __future__ import annotations`: FastAPI reads these annotations at runtime,
# and they name dependencies defined inside create_app.

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import fields
from decimal import Decimal
from importlib.metadata import version as dist_version
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError as DatabaseUnavailable
from starlette.concurrency import run_in_threadpool

from adolf.adapters.observability.metrics import render as render_metrics
from adolf.application.bounds import INT64_MAX
from adolf.application.catalogue import UnknownTask
from adolf.application.marketing.campaign_settings import CampaignNotFound, update_campaign_settings
from adolf.application.payload import InvalidPayload, parse_payload
from adolf.application.reputation.ports import ReputationServices
from adolf.application.watcher.ports import WatcherServices
from adolf.container import Container, build_container
from adolf.domain.errors import DomainError
from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign import Campaign
from adolf.domain.marketing.campaign_settings import DECIMALS, FLAGS
from adolf.domain.marketing.safety_thresholds import SafetyThresholds
from adolf.domain.marketplace import Marketplace
from adolf.entrypoints.http_office import office_routes
from adolf.entrypoints.http_reputation import reputation_routes, reputation_services_of
from adolf.entrypoints.http_watcher_agents import agent_routes, watcher_services_of
from adolf.entrypoints.tokens import same_token
from adolf.settings import Settings, load_settings

log = logging.getLogger(__name__)

RUNNERS = {"admin", "director"}
SETTERS = {"admin", "director", "senior"}  # who may change a campaign's settings
MAX_BODY_BYTES = 64 * 1024  # a payload or a settings change is a few hundred bytes
bearer = HTTPBearer(auto_error=False)


def _unavailable_errors() -> tuple[type[Exception], ...]:
    """What a store or broker being down raises (the extras installed decide which exist)."""
    found: list[type[Exception]] = [ConnectionError, TimeoutError, DatabaseUnavailable]
    try:
        from redis.exceptions import ConnectionError as RedisDown
        from redis.exceptions import TimeoutError as RedisSlow

        found += [RedisDown, RedisSlow]
    except ImportError:  # pragma: no cover - the api extra without redis
        pass
    try:
        from kombu.exceptions import OperationalError as BrokerDown

        found.append(BrokerDown)
    except ImportError:  # pragma: no cover - the api extra without celery
        pass
    return tuple(found)


UNAVAILABLE = _unavailable_errors()


class Problem(BaseModel):
    """Every refusal: ``detail`` says why (naming the field and the value for a 422)."""

    detail: Any


_ANSWERS = {
    401: "No bearer token, or an unknown one.",
    403: "The token's role may not do this.",
    404: "No such task or campaign.",
    413: f"The body is larger than {MAX_BODY_BYTES} bytes.",
    422: "The body or a parameter is refused: not a JSON object of finite numbers, nested too deeply, "
    "or a value outside its field's rules; the detail names the field and the value.",
    503: "Redis, the broker or the database is unavailable; nothing was done. Try again later.",
}


def answers(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Problem, "description": _ANSWERS[code]} for code in codes}


def _body(description: str, schema: dict[str, Any], example: dict[str, Any]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": False,
            "description": description,
            "content": {"application/json": {"schema": schema, "example": example}},
        }
    }


_NUMBER = {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "null"}]}
RUN_BODY = _body(
    "The task's payload: its arguments by name (see `adolf tasks list`). Empty: no arguments. "
    "Checked against the task's signature and bounds before it is queued.",
    {"type": "object", "additionalProperties": True, "maxProperties": 64},
    {"keep_days": 7},
)
SETTINGS_BODY = _body(
    "The settings to change; numbers are read as exact decimals (at most 2 places), `none` or null "
    "clears an optional one. The change is checked as a whole: refused, nothing is written.",
    {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "strategy": {"type": "string", "enum": [s.value for s in StrategyType]},
            **{name: _NUMBER for name in DECIMALS},
            **{name: {"type": "boolean"} for name in FLAGS},
            "safety": {
                "type": "object",
                "additionalProperties": False,
                "properties": {item.name: _NUMBER for item in fields(SafetyThresholds)},
            },
        },
    },
    {"strategy": "target_drr", "target_drr": 15, "min_bid": "50", "max_bid": "400", "safety": {"max_drr": 25}},
)

TaskId = Annotated[str, Path(min_length=1, max_length=200)]
CampaignId = Annotated[int, Path(ge=1, le=INT64_MAX)]


def create_app(
    settings: Settings | None = None,
    container: Container | None = None,
    watcher_services: Callable[[], WatcherServices] | None = None,
    reputation_services: Callable[[], ReputationServices] | None = None,
) -> FastAPI:
    """``watcher_services``: what the agents' routes use; ``reputation_services``: what the
    managers' Reputation routes use (default: the container's)."""
    settings = settings or load_settings()
    container = container or build_container(settings)
    roles = settings.api_roles()
    api = FastAPI(
        title="ADOLF",
        version=dist_version("adolf"),
        description=__doc__,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    api.state.container = container
    api.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)

    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("%s %s: a store is unavailable: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
        # The cause goes to the log only: a driver's message may name hosts a client need not see.
        detail = f"Redis, the broker or the database is unavailable ({type(exc).__name__}); try again later"
        return JSONResponse({"detail": detail}, status_code=503)

    for kind in UNAVAILABLE:
        api.add_exception_handler(kind, unavailable)

    async def wrapped(request: Request, exc: Exception) -> JSONResponse:
        # A client library may wrap the cause: Celery's Redis result backend raises
        # RuntimeError("Retry limit exceeded …") from redis' ConnectionError.
        if any(isinstance(cause, UNAVAILABLE) for cause in _causes(exc)):
            return await unavailable(request, exc)
        return JSONResponse({"detail": "internal error"}, status_code=500)  # the server logs the traceback

    api.add_exception_handler(Exception, wrapped)

    def role(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str:
        if credentials is None:
            raise HTTPException(401, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
        for token, granted in roles.items():
            if same_token(token, credentials.credentials):
                return granted
        raise HTTPException(401, "unknown token", headers={"WWW-Authenticate": "Bearer"})

    def runner_role(granted: Annotated[str, Depends(role)]) -> str:
        if granted not in RUNNERS:
            raise HTTPException(403, f"role {granted!r} may not run tasks (admin, director may)")
        return granted

    def setter_role(granted: Annotated[str, Depends(role)]) -> str:
        if granted not in SETTERS:
            raise HTTPException(403, f"role {granted!r} may not change campaigns (admin, director, senior may)")
        return granted

    async def json_object(request: Request, *, exact: bool = False) -> dict[str, Any]:
        try:
            return parse_payload(await request.body() or b"{}", "the body", exact=exact)
        except InvalidPayload as exc:
            raise HTTPException(422, str(exc)) from None

    async def run(name: str, request: Request) -> dict[str, Any]:
        payload = await json_object(request)
        try:
            # Off the allow-list (``TaskSpec.manual``) is "no such task" here, as in the seed's
            # manual-run API: the CLI, run by an operator on the host, may still run it.
            if not container.catalogue().get(name).manual:
                raise UnknownTask(f"task {name!r} cannot be run by hand over HTTP")
            # Every queue validates the payload before it queues it: refused at the door.
            task_id = await run_in_threadpool(container.task_queue().enqueue, name, payload)
        except UnknownTask as exc:
            raise HTTPException(404, str(exc)) from None
        except InvalidPayload as exc:
            raise HTTPException(422, str(exc)) from None
        return {"task_id": task_id, "task_name": name, "status": "queued"}

    def status(task_id: str) -> dict[str, Any]:
        found = container.task_queue().status(task_id)
        return {
            "task_id": found.task_id,
            "task_name": found.name,
            "status": found.state.value,
            "result": found.result,
            "error": found.error,
        }

    run_answers = answers(401, 403, 404, 413, 422, 503)
    status_answers = answers(401, 422, 503)

    @api.post("/tasks/{name}/run", status_code=202, responses=run_answers, openapi_extra=RUN_BODY)
    async def run_task(name: str, request: Request, _: Annotated[str, Depends(runner_role)]) -> dict[str, Any]:
        return await run(name, request)

    @api.get("/tasks/{task_id}/status", responses=status_answers)
    def task_status(task_id: TaskId, _: Annotated[str, Depends(role)]) -> dict[str, Any]:
        return status(task_id)

    @api.post("/{module}/tasks/{task}/run", status_code=202, responses=run_answers, openapi_extra=RUN_BODY)
    async def run_module_task(
        module: str, task: str, request: Request, _: Annotated[str, Depends(runner_role)]
    ) -> dict[str, Any]:
        return await run(f"{module}.{task}", request)

    @api.get("/{module}/tasks/{task_id}/status", responses=status_answers)
    def module_task_status(module: str, task_id: TaskId, _: Annotated[str, Depends(role)]) -> dict[str, Any]:
        return status(task_id)

    @api.get("/marketing/campaigns", responses=answers(401, 422, 503))
    def list_campaigns(
        _: Annotated[str, Depends(role)], marketplace: Marketplace | None = None
    ) -> list[dict[str, Any]]:
        with container.uow() as uow:
            return [campaign_json(c) for c in uow.campaigns.all(marketplace)]

    @api.patch(
        "/marketing/campaigns/{campaign_id}",
        responses=answers(401, 403, 404, 413, 422, 503),
        openapi_extra=SETTINGS_BODY,
    )
    async def change_campaign(
        campaign_id: CampaignId, request: Request, _: Annotated[str, Depends(setter_role)]
    ) -> dict[str, Any]:
        """Body: the settings to change, e.g. ``{"strategy": "target_drr", "target_drr": 15,
        "safety": {"max_drr": 25}}``. Numbers are read as exact decimals."""
        body = await json_object(request, exact=True)
        if not isinstance(body.get("safety", {}), dict):
            raise HTTPException(422, f"safety={body['safety']!r:.80} must be an object of thresholds")
        safety = body.pop("safety", {})
        try:
            updated = await run_in_threadpool(update_campaign_settings, container.uow, campaign_id, body, safety)
        except CampaignNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        except DomainError as exc:
            raise HTTPException(422, str(exc)) from None
        return campaign_json(updated)

    @api.get("/health", responses=answers(503))
    def health() -> dict[str, Any]:
        probe = container.health()
        report = {"database": probe.database(), "redis": probe.redis()}
        if report["database"] != "ok" or report["redis"] not in ("ok", "not used"):
            raise HTTPException(503, report)
        return report

    @api.get("/metrics", response_class=PlainTextResponse, responses=answers(503))
    def metrics(request: Request) -> PlainTextResponse:
        """The tasks' metrics (this process's, or every process's of ``ADOLF_METRICS_DIR``), the
        queue lengths and the dead letters waiting, read now."""
        lengths = container.task_queue().queue_lengths()
        with container.uow() as uow:
            letters = len(uow.dead_letters.list(limit=10_000))
        body = render_metrics(container.task_metrics(), settings.queue_backend.value, lengths, letters)
        return PlainTextResponse(body, media_type=CONTENT_TYPE_LATEST)

    api.include_router(agent_routes(watcher_services or watcher_services_of(container), roles))
    reputation = reputation_services or reputation_services_of(container)
    api.include_router(reputation_routes(reputation, roles, settings.api_brands()))
    api.include_router(office_routes(container, roles, UNAVAILABLE))

    docs_guard = [] if settings.api_public_docs else [Depends(role)]

    @api.get("/openapi.json", include_in_schema=False, dependencies=docs_guard)
    def openapi() -> JSONResponse:
        return JSONResponse(api.openapi())

    @api.get("/docs", include_in_schema=False, dependencies=docs_guard)
    def docs() -> HTMLResponse:
        # The document is inlined: the page's own script could not send the bearer token.
        spec = json.dumps(api.openapi()).replace("</", "<\\/")
        return HTMLResponse(SWAGGER_PAGE.replace("SPEC", spec))

    return api


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from or during, innermost last."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 20:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


SWAGGER_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>ADOLF API</title>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({spec: SPEC, dom_id: "#swagger-ui"});</script>
</body></html>
"""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes is answered 413 before any route
    reads it (by its Content-Length, or while it streams in without one)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._too_large(send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                await self._too_large(send)
                return
            more = message.get("more_body", False)
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], then=receive), send)

    async def _too_large(self, send: Send) -> None:
        response = JSONResponse({"detail": f"the body is larger than {self.limit} bytes"}, status_code=413)
        await send({"type": "http.response.start", "status": 413, "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body})


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    """A ``receive`` that hands out ``messages`` first, then defers to ``then``."""
    pending = list(messages)

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive


def campaign_json(campaign: Campaign) -> dict[str, Any]:
    """A campaign as JSON: money and thresholds as strings, so no cent is lost to a float."""

    def plain(value: Any) -> Any:
        return str(value) if isinstance(value, Decimal) else getattr(value, "value", value)

    return {
        "id": campaign.id,
        "marketplace": campaign.marketplace.value,
        "external_id": campaign.external_id,
        "name": campaign.name,
        "brand": campaign.brand,
        "status": campaign.status.value,
        "pause_reason": campaign.pause_reason,
        "strategy": campaign.strategy.value,
        **{
            name: plain(getattr(campaign, name))
            for name in ("min_bid", "max_bid", "daily_budget", "target_position", "target_drr", "target_cpo")
        },
        "kill_switch": campaign.kill_switch,
        "dry_run": campaign.dry_run,
        "safety": {item.name: plain(getattr(campaign.safety, item.name)) for item in fields(SafetyThresholds)},
    }


def __getattr__(name: str) -> Any:
    # `uvicorn adolf.entrypoints.http:app` builds the app on first access, not at import.
    if name == "app":
        return create_app()
    raise AttributeError(name)
