"""Marketplace replies checked with pydantic models: a bad row is skipped, a bad page is an error.

A page is an envelope (``{"data": {"feedbacks": [...]}}``, ``{"result": {"rows": [...]}}``, a
bare list …) around rows. ``parse_page`` finds the rows at ``at`` and validates each with the
endpoint's row model, then ``convert`` turns it into the port's type (units converted there,
at the edge). A row that fails either step is skipped — its reason in ``Fetched.skipped``, naming
the row, the field and the value (``row 3 (id=81): rating=7: Input should be less than or
equal to 5``) — and the rest of the page kept. A page without its envelope (HTML from a proxy,
``{"error": …}`` with status 200, rows that are not a list) raises ``FailedCall`` naming the
endpoint: a ``MarketplaceError``, retried like any failed call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

from pydantic import BaseModel, ValidationError

from adolf.application.ports.ads_marketplace import Fetched

from .errors import FailedCall

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

_SHOWN = 60  # characters of a value a reason shows


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def describe(error: ValidationError, show_values: bool = True) -> str:
    """The first problem as ``field=value: message`` (``field: message`` without values)."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(the value)"
    if first["type"] == "missing":
        return f"{where} is missing"
    if show_values:
        return f"{where}={_short(first.get('input'))}: {first['msg']}"
    return f"{where}: {first['msg']}"


def parse_model(endpoint: str, payload: object, model: type[M], show_values: bool = True) -> M:
    """A whole reply as one model (a token, a report's status); not that shape → ``FailedCall``.
    ``show_values=False`` for replies that carry secrets: the error then names fields only."""
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        raise FailedCall(
            endpoint, None, f"the reply is not a {model.__name__}: {describe(error, show_values)}"
        ) from None


def rows_at(endpoint: str, payload: object, at: Sequence[str]) -> list[Any]:
    """The list at the path ``at`` (``()`` for a bare list); anything else → ``FailedCall``."""
    node = payload
    for depth, key in enumerate(at):
        if not isinstance(node, dict) or key not in node:
            path = ".".join(at[: depth + 1])
            raise FailedCall(endpoint, None, f"the page has no {path!r} (got {_kind(node)})")
        node = node[key]
    if node is None:
        return []  # several marketplaces send null for an empty page
    if not isinstance(node, list):
        raise FailedCall(endpoint, None, f"{'.'.join(at) or 'the page'} is {_kind(node)}, not a list of rows")
    return node


def _kind(node: object) -> str:
    if isinstance(node, dict):
        return f"an object with keys {sorted(node)[:8]}"
    return type(node).__name__


def _row_name(index: int, row: object, id_field: str | None) -> str:
    if id_field and isinstance(row, dict) and id_field in row:
        return f"row {index} ({id_field}={_short(row[id_field])})"
    return f"row {index}"


@overload
def parse_page(
    endpoint: str, payload: object, model: type[M], at: Sequence[str] = (), *, id_field: str | None = None
) -> Fetched[M]: ...


@overload
def parse_page(
    endpoint: str,
    payload: object,
    model: type[M],
    at: Sequence[str] = (),
    *,
    convert: Callable[[M], T],
    id_field: str | None = None,
) -> Fetched[T]: ...


def parse_page(
    endpoint: str,
    payload: object,
    model: type[M],
    at: Sequence[str] = (),
    *,
    convert: Callable[[M], Any] | None = None,
    id_field: str | None = None,
) -> Fetched[Any]:
    """The page's rows as ``convert(model)`` each (the model itself without ``convert``).
    ``convert`` may raise ``ValueError`` for a row the model took but the port cannot
    (a negative count, an unknown status): that row is skipped too. ``id_field`` names the
    row's id in the reasons."""
    items: list[Any] = []
    skipped: list[str] = []
    for index, row in enumerate(rows_at(endpoint, payload, at)):
        try:
            parsed = model.model_validate(row)
            items.append(convert(parsed) if convert else parsed)
        except ValidationError as error:
            skipped.append(f"{endpoint}: {_row_name(index, row, id_field)}: {describe(error)}")
        except ValueError as error:
            skipped.append(f"{endpoint}: {_row_name(index, row, id_field)}: {error}")
    return Fetched(tuple(items), tuple(skipped))
