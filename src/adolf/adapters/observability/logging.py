"""structlog set-up: readable in a terminal, JSON elsewhere, secrets masked everywhere.

The standard library's ``logging`` (Celery, RQ, kombu) is masked too: ``configure_logging``
installs a record factory that masks each record as it is created (``install_log_masking``).

Masking is a processor, so it runs on every event whatever the renderer: values of keys
that look secret are replaced, and credentials inside URLs and bearer/API-key strings
embedded in free text are cut out.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Callable, Iterable, Mapping, MutableMapping
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
    """``text`` with every configured secret (``Settings.secret_values()``; 4 characters or
    more) replaced by ``***``, then URL passwords, bearer/basic credentials and
    ``token=…``-style values. The configured secrets go first and longest first, so that no
    pattern cuts one in two and leaves a part of it behind."""
    masked = text
    for secret in sorted({s for s in known_secrets if s and len(s) >= 4}, key=len, reverse=True):
        masked = masked.replace(secret, MASK)
    masked = _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", masked)
    masked = _BEARER.sub(lambda m: f"{m['key']}{MASK}", masked)
    return _INLINE_SECRET.sub(lambda m: f"{m['key']}{MASK}", masked)


def redactor(known_secrets: Iterable[str]) -> Callable[[str], str]:
    """``mask_text`` bound to the configured secrets: a ``redact: Callable[[str], str]``."""
    known = tuple(known_secrets)
    return lambda text: mask_text(text, known)


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


#: The attributes every ``LogRecord`` has; anything else came in through ``extra=`` (RQ
#: passes a failed job's ``arguments`` and ``kwargs`` that way).
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_BASE_RECORD_FACTORY = logging.getLogRecordFactory()


def mask_record(record: logging.LogRecord, known: tuple[str, ...]) -> logging.LogRecord:
    """Mask a stdlib log record in place: its formatted message, its traceback, its stack
    and its ``extra`` values. The message is formatted here, so ``args`` (Celery's task
    arguments and results, RQ's job description) never reach a handler unmasked."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 — a malformed record stays as logging would show it
        return record
    record.msg, record.args = mask_text(message, known), None
    if record.exc_info and not record.exc_text:
        formatted = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = mask_text(formatted, known)
    elif record.exc_text:
        record.exc_text = mask_text(record.exc_text, known)
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info, known)
    for key, value in list(vars(record).items()):
        if key not in _RECORD_FIELDS:
            setattr(record, key, _mask_value(key, value, known))
    return record


class _MaskingRecordFactory:
    def __init__(self, known: tuple[str, ...]) -> None:
        self.known = known

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(_BASE_RECORD_FACTORY(*args, **kwargs), self.known)


def install_log_masking(known_secrets: Iterable[str] = ()) -> None:
    """Mask every stdlib ``logging`` record of this process as it is created — Celery's
    "Task … received/succeeded" lines with their args and results, RQ's failed-job lines
    with their traceback, kombu, SQLAlchemy — whatever logger, handler or format prints it.
    Calling it again replaces the secrets (it never stacks); forked children inherit it."""
    logging.setLogRecordFactory(_MaskingRecordFactory(tuple(s for s in known_secrets if s)))


class _CurrentStderr:
    """``sys.stderr`` as it is when a line is written, not when logging was configured: a
    process that swaps it (a CLI run inside a test runner, a daemon redirecting its output)
    keeps logging instead of writing to a stream that has since been closed."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def configure_logging(
    fmt: str = "auto", level: str = "INFO", known_secrets: Iterable[str] = (), stream: Any = None
) -> None:
    install_log_masking(known_secrets)
    stream = stream or _CurrentStderr()
    json_output = fmt == "json" or (fmt == "auto" and not stream.isatty())
    renderer: Any = (
        structlog.processors.JSONRenderer() if json_output else structlog.dev.ConsoleRenderer(colors=stream.isatty())
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
