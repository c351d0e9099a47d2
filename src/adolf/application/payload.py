"""Payload validation at the edge: a JSON object checked against the use case's signature.

Only JSON travels through the queues. Each keyword argument of a handler (after
``services``) is a field; its annotation says how a JSON value becomes a Python one, and an
``Annotated[..., Bounds(...)]`` (``adolf.application.bounds``) what range it must be in.
Unannotated fields still have bounds: ints fit a signed 64-bit column, numbers are finite,
dates fall between 2000 and 2100, strings are at most ``MAX_TEXT`` characters.

A wrong payload raises ``InvalidPayload`` naming the field and the value. Every queue adapter
calls ``validate_payload`` before it queues anything, so the CLI, the HTTP API and the
schedulers refuse a bad payload at the door; the runner checks again when the job runs (a
job queued by an older release) and dead-letters it at once, never retrying.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import math
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import TYPE_CHECKING, Any

from adolf.application.bounds import FIRST_DAY, INT64_MAX, INT64_MIN, LAST_DAY, Bounds

if TYPE_CHECKING:
    from adolf.application.catalogue import Catalogue

MAX_TEXT = 10_000  # characters of a str field without its own Bounds
MAX_DEPTH = 32  # nesting of a payload's lists and objects
DEFAULT_BOUNDS: dict[Any, Bounds] = {
    int: Bounds(INT64_MIN, INT64_MAX),
    Decimal: Bounds(Decimal(-(10**15)), Decimal(10**15), places=6),
    date: Bounds(FIRST_DAY, LAST_DAY),
    datetime: Bounds(FIRST_DAY, LAST_DAY),  # compared by its date
    str: Bounds(0, MAX_TEXT),
}


class InvalidPayload(ValueError):
    """The payload does not fit the task; the message names the field and the value."""


def validate_payload(catalogue: Catalogue, name: str, payload: Any) -> dict[str, Any]:
    """The payload ``enqueue`` may queue for task ``name``, as a plain dict: refused with
    ``InvalidPayload`` unless it is a JSON object of finite numbers that binds to the
    handler's signature within its bounds. ``UnknownTask`` for a name not in the catalogue."""
    spec = catalogue.get(name)
    if payload is None:
        payload = {}
    if not isinstance(payload, Mapping):
        raise InvalidPayload(f"{name}: payload={_show(payload)} must be a JSON object")
    body = dict(payload)
    _check_json(body, f"{name}: payload")
    bind_payload(spec.handler, body, spec.name)
    return body


def parse_payload(text: str | bytes, what: str = "payload", *, exact: bool = False) -> dict[str, Any]:
    """A JSON object from text, strictly: ``NaN``/``Infinity`` and numbers too big for a
    float (``1e999999``) are refused, as are a non-object and nesting beyond ``MAX_DEPTH``.
    ``exact``: numbers with a fraction or exponent are read as ``Decimal`` (still finite)."""

    def constant(word: str) -> Any:
        raise InvalidPayload(f"{what}: {word} is not allowed; numbers must be finite")

    def number(literal: str) -> Any:
        if exact:  # a Decimal is finite whatever the exponent; one past 10**1000 is no setting
            amount = Decimal(literal)
            if abs(amount.adjusted()) <= 1000:
                return amount
        else:
            value = float(literal)
            if math.isfinite(value):
                return value
        raise InvalidPayload(f"{what}: the number {_show(literal, plain=True)} is out of range")

    try:
        value = json.loads(text, parse_constant=constant, parse_float=number)
    except InvalidPayload:
        raise
    except RecursionError:
        raise InvalidPayload(f"{what} is nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, an int of over 4300 digits
        raise InvalidPayload(f"{what} is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise InvalidPayload(f"{what}={_show(value)} must be a JSON object")
    if _depth(value) > MAX_DEPTH:
        raise InvalidPayload(f"{what} is nested more than {MAX_DEPTH} levels deep")
    return value


def bind_payload(handler: Callable[..., Any], payload: Any, task: str = "") -> dict[str, Any]:
    where = f"{task}: " if task else ""
    if payload is None:
        payload = {}
    if not isinstance(payload, Mapping):
        raise InvalidPayload(f"{where}payload={_show(payload)} must be a JSON object")
    params, hints, known = handler_fields(handler)
    unknown = sorted(set(payload) - known, key=str)
    if unknown:
        first = unknown[0]
        raise InvalidPayload(
            f"{where}unknown field {_show(first, 60, plain=True)}={_show(payload[first])}; fields: {sorted(known)}"
        )
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
    fields = (params, typing.get_type_hints(handler, include_extras=True), frozenset(p.name for p in params))
    with contextlib.suppress(TypeError):  # an unhashable callable is not cached
        _fields_cache[handler] = fields
    return fields


def _convert(kind: Any, value: Any, field: str, bounds: Bounds | None = None) -> Any:
    origin = typing.get_origin(kind)
    if origin is typing.Annotated:
        base, *extras = typing.get_args(kind)
        marked = [extra for extra in extras if isinstance(extra, Bounds)]
        return _convert(base, value, field, marked[0] if marked else bounds)
    if kind is Any:
        _check_json(value, field)
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
                return _convert(option, value, field, bounds)
            except InvalidPayload as exc:
                errors.append(str(exc))
        raise InvalidPayload(errors[0] if errors else f"{field}={_show(value)} is not allowed")
    if origin in (list, tuple):
        if not isinstance(value, list):
            raise InvalidPayload(f"{field}={_show(value)} must be a list")
        (item,) = typing.get_args(kind)[:1] or (Any,)
        items = [_convert(item, v, f"{field}[{i}]") for i, v in enumerate(value)]
        return items if origin is list else tuple(items)
    if origin is dict or kind is dict:
        if not isinstance(value, dict):
            raise InvalidPayload(f"{field}={_show(value)} must be an object")
        _check_json(value, field)
        return value
    result = _scalar(kind, value, field)
    limits = bounds or DEFAULT_BOUNDS.get(kind)
    if limits is not None and not isinstance(result, bool | Enum):
        _check_bounds(result, limits, field, value)
    return result


def _check_bounds(result: Any, limits: Bounds, field: str, raw: Any) -> None:
    measure = len(result) if isinstance(result, str) else result.date() if isinstance(result, datetime) else result
    low, high = limits.low, limits.high
    if (low is not None and measure < low) or (high is not None and measure > high):
        if isinstance(result, str):
            rule = f"must be {low or 0} to {high} characters long"
        elif low is not None and high is not None:
            rule = f"must be between {low} and {high}"
        else:
            rule = f"must be ≥ {low}" if low is not None else f"must be ≤ {high}"
        raise InvalidPayload(f"{field}={_show(raw)} {rule}")
    if limits.places is not None and isinstance(result, Decimal) and _places(result) > limits.places:
        raise InvalidPayload(
            f"{field}={_show(raw)} has more than {limits.places} decimal places (refused, not rounded)"
        )


def _places(value: Decimal) -> int:
    """Decimal places of a finite ``value``, trailing zeros not counted (``1.50`` has 1)."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -exponent - trailing) if any(digits) else 0


def _check_json(value: Any, field: str) -> None:
    """``value`` as JSON carries it: str keys, finite numbers, at most ``MAX_DEPTH`` deep."""
    try:
        json.dumps(value, allow_nan=False)
    except RecursionError:
        raise InvalidPayload(f"{field} is nested more than {MAX_DEPTH} levels deep") from None
    except (TypeError, ValueError) as exc:
        raise InvalidPayload(f"{field} must be JSON ({exc})") from None
    if _depth(value) > MAX_DEPTH:
        raise InvalidPayload(f"{field} is nested more than {MAX_DEPTH} levels deep")


def _depth(value: Any) -> int:
    """Nesting depth of lists and objects, without recursion (a scalar is 0)."""
    deepest, level = 0, [(value, 0)]
    while level:
        item, depth = level.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth + 1)
            if deepest > MAX_DEPTH:
                return deepest
            level.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _show(value: Any, width: int = 80, *, plain: bool = False) -> str:
    """``repr(value)`` (or the text itself with ``plain``), cut to ``width`` characters."""
    text = str(value) if plain else repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


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
            number = float(value)
            if not math.isfinite(number):
                raise TypeError
            return number
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
    except (TypeError, ValueError, InvalidOperation, OverflowError):
        expected = getattr(kind, "__name__", str(kind))
        if isinstance(kind, type) and issubclass(kind, Enum):
            expected = "one of " + ", ".join(repr(m.value) for m in kind)
        raise InvalidPayload(f"{field}={_show(value)} is not a valid {expected}") from None
    return value
