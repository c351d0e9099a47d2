"""The Office board over HTTP (SPEC §5), included in the app by ``http.py``.

    GET    /office           the page (``office_page/office.html``: one file, no build, no CDN)
    GET    /office/board     the snapshot as JSON (``application.office_board``)
    GET    /office/stream    server-sent events: the snapshot every ``PUSH_SECONDS``
    POST   /office/session   ``Authorization: Bearer <token>`` → the page's session cookie
    DELETE /office/session   end it

Who may see it: ``admin``, ``director``, ``senior`` — the board is the whole fleet across
every brand, with its salary equivalents. A ``manager`` → 403: a manager's token is scoped
to brands, and a manager's work is the brands' review queue (``/reputation/items``). No
token or an unknown one (a parsing agent's among them, as on every operator route) → 401.
``GET /office`` answers the page itself with the same 401 or 403 (it holds no data; it then
shows its login form, or the refusal), so a person who opens the address can log in.

Why a session cookie: a browser's ``EventSource`` cannot send an ``Authorization`` header,
and opening ``/office`` in a browser sends none. A token in the URL would land in every access
log, proxy log and the browser's history; polling with ``fetch`` and the header would keep
the token in the page's JavaScript for as long as it is open. So the page's form sends the
token once, as a bearer header, to ``POST /office/session``, and the answer sets a cookie
that is HttpOnly (no script reads it), ``SameSite=Strict`` (no other site's page sends it),
``Path=/office`` (no other route sees it), ``Secure`` over HTTPS, and holds no token: its
expiry and an HMAC of it keyed with the token. Every API process checks it the same way, with
no session store; removing the token from ``ADOLF_API_TOKENS`` ends its sessions, and a
session ends after ``SESSION_SECONDS`` in any case. A bearer header works on every route here
too (curl, monitoring). Neither the token nor the cookie is ever logged.

The stream pushes the employees fresh every ``PUSH_SECONDS``; the system panel (asking the
workers takes Celery up to a second) is read at most every ``SYSTEM_SECONDS`` and shared by
every open stream. A stream ends after ``STREAM_SECONDS`` (or when its session does): the
browser reconnects by itself, so roles and sessions are checked again. A store that is down
is an ``event: problem`` naming it, and the stream keeps trying.
"""

# No `from __future__ import annotations`: FastAPI reads these annotations at runtime.

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from adolf.application.office_board import OfficeSnapshot, SystemPanel, read_employees, read_system
from adolf.container import Container
from adolf.entrypoints.tokens import same_token

log = logging.getLogger(__name__)
bearer = HTTPBearer(auto_error=False)

VIEWERS = ("admin", "director", "senior")
COOKIE = "adolf_office"
SESSION_SECONDS = 8 * 3600  # a working day on the wall screen, then the token again
PUSH_SECONDS = 1.0
SYSTEM_SECONDS = 5.0
STREAM_SECONDS = 300.0
RETRY_MS = 2000  # the browser's wait before it reconnects a stream that ended
PAGE = resources.files("adolf.entrypoints").joinpath("office_page", "office.html")


class Problem(BaseModel):
    detail: Any


_ANSWERS = {
    401: "No bearer token and no session, an unknown token, or a session that ended.",
    403: "The token's role may not see the Office board (admin, director, senior may).",
    503: "Redis, the broker or the database is unavailable. Try again later.",
}


Answers = dict[int | str, dict[str, Any]]


def _answers(*codes: int) -> Answers:
    return {code: {"model": Problem, "description": _ANSWERS[code]} for code in codes}


BOARD: Answers = {200: {"description": "The snapshot: `summary`, `employees` (one per registered employee), `system`."}}
STREAM: Answers = {
    200: {
        "description": "`event: board` with the snapshot every second; `event: problem` when a store is down.",
        "content": {"text/event-stream": {}},
    }
}
SESSION: Answers = {204: {"description": "The session cookie is set (HttpOnly, SameSite=Strict, Path=/office)."}}
ENDED: Answers = {204: {"description": "The session cookie is cleared."}}


@dataclass(frozen=True, slots=True)
class Viewer:
    role: str
    session_ends: float | None = None  # epoch seconds; None: a bearer header


class Sessions:
    """The cookie: ``<expiry>.<HMAC-SHA256(token, expiry)>``; the token itself never leaves the form."""

    def __init__(self, roles: Mapping[str, str], seconds: int = SESSION_SECONDS) -> None:
        self.roles, self.seconds = roles, seconds

    def issue(self, token: str, now: float) -> str:
        ends = int(now) + self.seconds
        return f"{ends}.{_mac(token, ends)}"

    def check(self, cookie: str, now: float) -> Viewer | None:
        ends_text, _, mac = cookie.partition(".")
        if not (ends_text.isascii() and ends_text.isdigit()) or len(ends_text) > 12 or int(ends_text) <= now:
            return None
        ends = int(ends_text)
        for token, role in self.roles.items():
            if same_token(_mac(token, ends), mac):
                return Viewer(role, float(ends))
        return None


def _mac(token: str, ends: int) -> str:
    return hmac.new(token.encode(), f"adolf-office-session|{ends}".encode(), hashlib.sha256).hexdigest()


class Every:
    """``compute()`` at most once per ``seconds``, shared by every caller (a failure is not kept)."""

    def __init__(self, seconds: float, compute: Callable[[], SystemPanel]) -> None:
        self.seconds, self.compute = seconds, compute
        self._value: SystemPanel | None = None
        self._at = 0.0
        self._guard = threading.Lock()

    def __call__(self) -> SystemPanel:
        with self._guard:
            if self._value is None or time.monotonic() - self._at >= self.seconds:
                self._value = self.compute()
                self._at = time.monotonic()
            return self._value


def office_routes(
    container: Container, roles: Mapping[str, str], unavailable: tuple[type[Exception], ...] = ()
) -> APIRouter:
    """``unavailable``: what a store being down raises (the app answers 503 for them; the stream
    reports them and keeps going)."""
    router = APIRouter(prefix="/office", tags=["office"])
    sessions = Sessions(roles)

    def system() -> SystemPanel:
        return read_system(container.status_board(), container.task_queue(), container.uow, container.clock().now())

    shared_system = Every(SYSTEM_SECONDS, system)

    def snapshot(panel: Callable[[], SystemPanel]) -> dict[str, Any]:
        now = container.clock().now()
        return OfficeSnapshot(now, read_employees(container.status_board(), now), panel()).as_json()

    def token_role(token: str) -> str | None:
        for known, granted in roles.items():
            if same_token(known, token):
                return granted
        return None

    def who(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Viewer:
        if credentials is not None:
            granted = token_role(credentials.credentials)
            if granted is None:
                raise HTTPException(401, "unknown token", headers={"WWW-Authenticate": "Bearer"})
            return Viewer(granted)
        cookie = request.cookies.get(COOKIE)
        if cookie is None:
            raise HTTPException(
                401, "a bearer token, or the board's session, is required", headers={"WWW-Authenticate": "Bearer"}
            )
        found = sessions.check(cookie, time.time())
        if found is None:
            raise HTTPException(401, "the session ended: log in again", headers={"WWW-Authenticate": "Bearer"})
        return found

    def allowed(found: Viewer) -> Viewer:
        if found.role not in VIEWERS:
            raise HTTPException(403, f"role {found.role!r} may not see the Office board ({', '.join(VIEWERS)} may)")
        return found

    def viewer(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
    ) -> Viewer:
        return allowed(who(request, credentials))

    @router.get("", response_class=HTMLResponse, include_in_schema=False)
    def page(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
    ) -> Response:
        try:
            viewer(request, credentials)
            status, headers = 200, {}
        except HTTPException as refused:
            status, headers = refused.status_code, dict(refused.headers or {})
        nonce = secrets.token_urlsafe(16)
        headers |= {
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": (
                f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
                "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
            ),
        }
        return HTMLResponse(PAGE.read_text("utf-8").replace("{{nonce}}", nonce), status_code=status, headers=headers)

    @router.get("/board", responses={**BOARD, **_answers(401, 403, 503)})
    def board(_: Annotated[Viewer, Depends(viewer)]) -> Response:
        body = snapshot(system)
        return Response(json.dumps(body, ensure_ascii=False), media_type="application/json", headers=NO_STORE)

    @router.get("/stream", response_class=StreamingResponse, responses={**STREAM, **_answers(401, 403)})
    async def stream(found: Annotated[Viewer, Depends(viewer)]) -> StreamingResponse:
        ends = time.monotonic() + STREAM_SECONDS
        if found.session_ends is not None:
            ends = min(ends, time.monotonic() + found.session_ends - time.time())

        async def events() -> AsyncIterator[str]:
            yield f"retry: {RETRY_MS}\n\n"
            while time.monotonic() < ends:  # a client gone fails the next send, which ends this
                try:
                    body = await run_in_threadpool(snapshot, shared_system)
                except unavailable as exc:
                    log.warning("office stream: a store is unavailable: %s", type(exc).__name__)
                    problem = {"detail": f"Redis, the broker or the database is unavailable ({type(exc).__name__})"}
                    yield f"event: problem\ndata: {json.dumps(problem)}\n\n"
                else:
                    yield f"event: board\ndata: {json.dumps(body, ensure_ascii=False)}\n\n"
                await asyncio.sleep(PUSH_SECONDS)

        headers = {**NO_STORE, "X-Accel-Buffering": "no"}  # a proxy must not hold the events back
        return StreamingResponse(events(), media_type="text/event-stream", headers=headers)

    @router.post("/session", status_code=204, responses={**SESSION, **_answers(401, 403)})
    def login(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
    ) -> Response:
        if credentials is None:
            raise HTTPException(401, "send the token as a bearer header", headers={"WWW-Authenticate": "Bearer"})
        allowed(who(request, credentials))
        answer = Response(status_code=204, headers=NO_STORE)
        answer.set_cookie(
            COOKIE,
            sessions.issue(credentials.credentials, time.time()),
            max_age=SESSION_SECONDS,
            path="/office",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return answer

    @router.delete("/session", status_code=204, responses=ENDED)
    def logout() -> Response:
        answer = Response(status_code=204, headers=NO_STORE)
        answer.delete_cookie(COOKIE, path="/office", httponly=True, samesite="strict")
        return answer

    return router


NO_STORE = {"Cache-Control": "no-store"}
