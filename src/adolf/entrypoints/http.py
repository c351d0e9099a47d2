"""HTTP API: run a task by hand, look its status up, health and metrics.

    uvicorn adolf.entrypoints.http:app --host 0.0.0.0 --port 8000

``POST /tasks/{name}/run`` (roles admin and director) → ``{task_id, task_name, status: "queued"}``;
``GET /tasks/{task_id}/status`` (any role); ``GET /marketing/campaigns`` (any role) and
``PATCH /marketing/campaigns/{id}`` (admin, director, senior) to set a campaign's strategy,
bounds, targets and safety; the Logistic paths of the design documents
(``/logistic/tasks/…``) are the same endpoints under a module prefix, for every module.
Bearer tokens and their roles come from ``ADOLF_API_TOKENS``; nothing is open without one.
"""

# No `from __future__ import annotations`: FastAPI reads these annotations at runtime,
# and they name dependencies defined inside create_app.

import hmac
import json
from dataclasses import fields
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, HTTPException, Request
from fastapi.responses import PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from starlette.concurrency import run_in_threadpool

from adolf.application.catalogue import UnknownTask
from adolf.application.marketing.campaign_settings import CampaignNotFound, update_campaign_settings
from adolf.application.payload import InvalidPayload, bind_payload
from adolf.container import Container, build_container
from adolf.domain.errors import DomainError
from adolf.domain.marketing.campaign import Campaign
from adolf.domain.marketing.safety_thresholds import SafetyThresholds
from adolf.domain.marketplace import Marketplace
from adolf.settings import Settings, load_settings

RUNNERS = {"admin", "director"}
SETTERS = {"admin", "director", "senior"}  # who may change a campaign's settings
bearer = HTTPBearer(auto_error=False)


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    settings = settings or load_settings()
    container = container or build_container(settings)
    roles = settings.api_roles()
    api = FastAPI(title="ADOLF", version="0.1.0", description=__doc__)
    api.state.container = container

    def role(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str:
        if credentials is None:
            raise HTTPException(401, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
        for token, granted in roles.items():
            if hmac.compare_digest(token, credentials.credentials):
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

    def run(name: str, payload: dict[str, Any]) -> dict[str, Any]:
        catalogue = container.catalogue()
        try:
            spec = catalogue.get(name)
        except UnknownTask as exc:
            raise HTTPException(404, str(exc)) from None
        try:
            bind_payload(spec.handler, payload, spec.name)  # refuse at the door, not in a worker
        except InvalidPayload as exc:
            raise HTTPException(422, str(exc)) from None
        task_id = container.task_queue().enqueue(name, payload)
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

    @api.post("/tasks/{name}/run", status_code=202)
    def run_task(
        name: str, _: Annotated[str, Depends(runner_role)], payload: Annotated[dict[str, Any] | None, Body()] = None
    ) -> dict[str, Any]:
        return run(name, payload or {})

    @api.get("/tasks/{task_id}/status")
    def task_status(task_id: str, _: Annotated[str, Depends(role)]) -> dict[str, Any]:
        return status(task_id)

    @api.post("/{module}/tasks/{task}/run", status_code=202)
    def run_module_task(
        module: str,
        task: str,
        _: Annotated[str, Depends(runner_role)],
        payload: Annotated[dict[str, Any] | None, Body()] = None,
    ) -> dict[str, Any]:
        return run(f"{module}.{task}", payload or {})

    @api.get("/{module}/tasks/{task_id}/status")
    def module_task_status(module: str, task_id: str, _: Annotated[str, Depends(role)]) -> dict[str, Any]:
        return status(task_id)

    @api.get("/marketing/campaigns")
    def list_campaigns(_: Annotated[str, Depends(role)], marketplace: Marketplace | None = None) -> list[dict[str, Any]]:
        with container.uow() as uow:
            return [campaign_json(c) for c in uow.campaigns.all(marketplace)]

    @api.patch("/marketing/campaigns/{campaign_id}")
    async def change_campaign(campaign_id: int, request: Request, _: Annotated[str, Depends(setter_role)]) -> dict[str, Any]:
        """Body: the settings to change, e.g. ``{"strategy": "target_drr", "target_drr": 15,
        "safety": {"max_drr": 25}}``. Numbers are read as exact decimals."""
        try:
            body = json.loads(await request.body() or b"{}", parse_float=Decimal)
        except ValueError as exc:
            raise HTTPException(422, f"the body is not JSON: {exc}") from None
        if not isinstance(body, dict) or not isinstance(body.get("safety", {}), dict):
            raise HTTPException(422, "the body must be a JSON object; 'safety' an object of thresholds")
        safety = body.pop("safety", {})
        try:
            updated = await run_in_threadpool(update_campaign_settings, container.uow, campaign_id, body, safety)
        except CampaignNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        except DomainError as exc:
            raise HTTPException(422, str(exc)) from None
        return campaign_json(updated)

    @api.get("/health")
    def health() -> dict[str, Any]:
        probe = container.health()
        report = {"database": probe.database(), "redis": probe.redis()}
        if report["database"] != "ok" or report["redis"] not in ("ok", "not used"):
            raise HTTPException(503, report)
        return report

    @api.get("/metrics", response_class=PlainTextResponse)
    def metrics(request: Request) -> PlainTextResponse:
        registry = CollectorRegistry()
        waiting = Gauge("adolf_queue_waiting_jobs", "Jobs waiting per queue", ["queue"], registry=registry)
        for queue, length in container.task_queue().queue_lengths().items():
            waiting.labels(queue=queue).set(length)
        with container.uow() as uow:
            letters = len(uow.dead_letters.list(limit=10_000))
        Gauge("adolf_dead_letters", "Dead letters not yet re-driven", registry=registry).set(letters)
        return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return api


def campaign_json(campaign: Campaign) -> dict[str, Any]:
    """A campaign as JSON: money and thresholds as strings, so no cent is lost to a float."""
    def plain(value: Any) -> Any:
        return str(value) if isinstance(value, Decimal) else getattr(value, "value", value)

    return {
        "id": campaign.id, "marketplace": campaign.marketplace.value, "external_id": campaign.external_id,
        "name": campaign.name, "brand": campaign.brand, "status": campaign.status.value,
        "pause_reason": campaign.pause_reason, "strategy": campaign.strategy.value,
        **{name: plain(getattr(campaign, name)) for name in
           ("min_bid", "max_bid", "daily_budget", "target_position", "target_drr", "target_cpo")},
        "kill_switch": campaign.kill_switch, "dry_run": campaign.dry_run,
        "safety": {item.name: plain(getattr(campaign.safety, item.name)) for item in fields(SafetyThresholds)},
    }


def __getattr__(name: str) -> Any:
    # `uvicorn adolf.entrypoints.http:app` builds the app on first access, not at import.
    if name == "app":
        return create_app()
    raise AttributeError(name)
