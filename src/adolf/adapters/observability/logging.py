"""structlog set-up: readable in a terminal, JSON elsewhere, secrets masked everywhere.

Masking is a processor, so it runs on every event whatever the renderer: values of keys
that look secret are replaced, and credentials inside URLs and bearer/API-key strings
embedded in free text are cut out.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

import structlog

MASK = "***"

_SECRET_KEY = re.compile(r"(pass(word)?|secret|token|api[_-]?key|authorization|credential|cookie)", re.I)
_URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.\-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]+)@", re.I)
_BEARER = re.compile(r"(?P<key>\b(?:bearer|basic)\s+)(?P<value>[^\s,;\"']+)", re.I)
_INLINE_SECRET = re.compile(
    r"(?P<key>\b(?:token|api[_-]?key|client[_-]?secret|password|passwd|secret)\b\s*[=:]?\s*)"
    r"(?P<value>(?!\*\*\*)[^\s,;&\"']+)",
    re.I,
)


def mask_text(text: str, known_secrets: Iterable[str] = ()) -> str:
    masked = _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    masked = _BEARER.sub(lambda m: f"{m['key']}{MASK}", masked)
    masked = _INLINE_SECRET.sub(lambda m: f"{m['key']}{MASK}", masked)
    for secret in known_secrets:
        if secret and len(secret) >= 4:
            masked = masked.replace(secret, MASK)
    return masked


def _mask_value(key: str, value: Any, known: tuple[str, ...]) -> Any:
    if _SECRET_KEY.search(key) and value not in (None, ""):
        return MASK
    if isinstance(value, str):
        return mask_text(value, known)
    if isinstance(value, Mapping):
        return {k: _mask_value(str(k), v, known) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_mask_value(key, v, known) for v in value)
    return value


class SecretMasker:
    """structlog processor. ``known_secrets`` are the configured secret values, masked
    wherever they appear, even under an innocent key."""

    def __init__(self, known_secrets: Iterable[str] = ()) -> None:
        self.known = tuple(s for s in known_secrets if s)

    def __call__(self, _logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        for key in list(event):
            event[key] = _mask_value(key, event[key], self.known)
        return event


def configure_logging(
    fmt: str = "auto", level: str = "INFO", known_secrets: Iterable[str] = (), stream: Any = None
) -> None:
    stream = stream or sys.stderr
    json_output = fmt == "json" or (fmt == "auto" and not stream.isatty())
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json_output
        else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            SecretMasker(known_secrets),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
