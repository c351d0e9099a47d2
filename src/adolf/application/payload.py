"""Payload validation at the edge: a JSON object checked against the use case's signature.

Only JSON travels through the queues. Each keyword argument of a handler (after
``services``) is a field; its annotation says how a JSON value becomes a Python one.
A wrong payload raises ``InvalidPayload`` naming the field and the value — it is
dead-lettered at once, never retried.
"""

from __future__ import annotations

import contextlib
import inspect
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any


class InvalidPayload(ValueError):
    """The payload does not fit the task; the message names the field and the value."""


def bind_payload(handler: Callable[..., Any], payload: Any, task: str = "") -> dict[str, Any]:
    where = f"{task}: " if task else ""
    if payload is None:
        payload = {}
    if not isinstance(payload, Mapping):
        raise InvalidPayload(f"{where}payload={payload!r} must be a JSON object")
    params, hints, known = handler_fields(handler)
    unknown = sorted(set(payload) - known)
    if unknown:
        raise InvalidPayload(f"{where}unknown field {unknown[0]}={payload[unknown[0]]!r}; fields: {sorted(known)}")
    kwargs: dict[str, Any] = {}
    for param in params:
        if param.name in payload:
            kwargs[param.name] = _convert(hints.get(param.name, Any), payload[param.name], f"{where}{param.name}")
        elif param.default is inspect.Parameter.empty:
            raise InvalidPayload(f"{where}missing field {param.name}")
    return kwargs


_Fields = tuple[list[inspect.Parameter], dict[str, Any], frozenset[str]]
_fields_cache: dict[Any, _Fields] = {}


def handler_fields(handler: Callable[..., Any]) -> _Fields:
    """The handler's payload fields (after ``services``), their annotations and names;
    computed once per handler (a forked worker inherits them instead of redoing it per job)."""
    try:
        return _fields_cache[handler]
    except (KeyError, TypeError):
        pass
    params = list(inspect.signature(handler).parameters.values())[1:]  # first one is services
    fields = (params, typing.get_type_hints(handler), frozenset(p.name for p in params))
    with contextlib.suppress(TypeError):  # an unhashable callable is not cached
        _fields_cache[handler] = fields
    return fields


def _convert(kind: Any, value: Any, field: str) -> Any:
    origin = typing.get_origin(kind)
    if kind is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _convert(option, value, field)
            except InvalidPayload as exc:
                errors.append(str(exc))
        raise InvalidPayload(errors[0] if errors else f"{field}={value!r} is not allowed")
    if origin in (list, tuple):
        if not isinstance(value, list):
            raise InvalidPayload(f"{field}={value!r} must be a list")
        (item,) = typing.get_args(kind)[:1] or (Any,)
        items = [_convert(item, v, f"{field}[{i}]") for i, v in enumerate(value)]
        return items if origin is list else tuple(items)
    if origin is dict or kind is dict:
        if not isinstance(value, dict):
            raise InvalidPayload(f"{field}={value!r} must be an object")
        return value
    return _scalar(kind, value, field)


def _scalar(kind: Any, value: Any, field: str) -> Any:
    try:
        if isinstance(kind, type) and issubclass(kind, Enum):
            return kind(value)
        if kind is bool:
            if isinstance(value, bool):
                return value
            raise TypeError
        if kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError
            return value
        if kind is float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError
            return float(value)
        if kind is str:
            if not isinstance(value, str):
                raise TypeError
            return value
        if kind is Decimal:
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise TypeError
            result = Decimal(str(value))
            if not result.is_finite():
                raise TypeError
            return result
        if kind is datetime:
            return datetime.fromisoformat(value)
        if kind is date:
            return date.fromisoformat(value)
    except (TypeError, ValueError, InvalidOperation):
        expected = getattr(kind, "__name__", str(kind))
        if isinstance(kind, type) and issubclass(kind, Enum):
            expected = "one of " + ", ".join(repr(m.value) for m in kind)
        raise InvalidPayload(f"{field}={value!r} is not a valid {expected}") from None
    return value
