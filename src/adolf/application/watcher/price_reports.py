"""The price items of an agent's result, one by one: each is a ``PriceObservation`` or a
refusal naming the field and the value (issue 10, "Bad input": that item is refused and
counted, the rest of the report is kept).

An item is a JSON object with these fields:

- ``price``, ``old_price``: decimal numbers or numeric strings (``"1999.90"``), > 0, at most
  2 places and below ``PRICE_LIMIT`` (the price columns are ``NUMERIC(12, 2)``: a value they
  cannot hold would fail the whole report at the database instead of one item here);
  ``price`` may be null only when ``in_stock`` is false;
- ``discount_percent``: in [0, 100), at most 2 places; derived from ``old_price`` when absent;
- ``in_stock``: true or false; true when absent;
- ``observed_at``: ISO 8601 with a time zone, at most ``CLOCK_SKEW`` after our clock; our
  clock's time when absent (an agent reports right after it looks);
- ``competitor_product_id`` or ``external_id``: optional; when given they must name the
  task's own product — a parsing task is about one product, so an item naming another one
  is a mistake of the agent, not a price to store against some other product.

Unknown fields are refused, naming the field and the known ones (a typo such as ``prcie``
would otherwise read as "no price").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from adolf.domain.watcher.catalog import CompetitorProduct
from adolf.domain.watcher.observations import InvalidObservation, PriceObservation
from adolf.domain.watcher.tasks import ParsingTask

FIELDS = ("competitor_product_id", "external_id", "price", "old_price", "discount_percent", "in_stock", "observed_at")
PRICE_LIMIT = Decimal("10000000000")  # NUMERIC(12, 2) holds up to 9 999 999 999.99
PLACES = 2
CLOCK_SKEW = timedelta(minutes=5)
SHOWN = 80  # characters of a refused value repeated in its error


@dataclass(frozen=True, slots=True)
class RefusedItem:
    index: int  # position in the result's ``prices``
    error: str  # names the field and the value


def read_items(
    items: Sequence[object],
    task: ParsingTask,
    product: CompetitorProduct | None,
    agent_id: str,
    now: datetime,
) -> tuple[list[PriceObservation], list[RefusedItem]]:
    """The valid observations, in order, and a refusal per malformed item."""
    kept: list[PriceObservation] = []
    refused: list[RefusedItem] = []
    for index, item in enumerate(items):
        try:
            kept.append(_observation(item, task, product, agent_id, now))
        except InvalidObservation as exc:
            refused.append(RefusedItem(index, _brief(f"prices[{index}]: {exc}")))
    return kept, refused


def _observation(
    item: object, task: ParsingTask, product: CompetitorProduct | None, agent_id: str, now: datetime
) -> PriceObservation:
    if not isinstance(item, Mapping):
        raise InvalidObservation(f"item={_show(item)} must be a JSON object of {', '.join(FIELDS)}")
    unknown = sorted(str(name) for name in item if name not in FIELDS)
    if unknown:
        raise InvalidObservation(f"unknown field {unknown[0]}={_show(item[unknown[0]])}; fields: {', '.join(FIELDS)}")
    _check_product(item, task, product)
    for name in ("price", "old_price", "discount_percent"):
        _check_amount(name, item.get(name))
    observation = PriceObservation(
        competitor_product_id=task.competitor_product_id,
        price=item.get("price"),  # the domain checks and converts each value
        in_stock=item.get("in_stock", True),
        observed_at=_moment(item.get("observed_at"), now),
        old_price=item.get("old_price"),
        discount_percent=item.get("discount_percent"),
        agent_id=agent_id,
    )
    return observation


def _check_product(item: Mapping[object, object], task: ParsingTask, product: CompetitorProduct | None) -> None:
    product_id = item.get("competitor_product_id")
    if product_id is not None and (
        isinstance(product_id, bool) or not isinstance(product_id, int) or product_id != task.competitor_product_id
    ):
        raise InvalidObservation(
            f"competitor_product_id={_show(product_id)} is not task {task.id}'s product {task.competitor_product_id}"
        )
    external_id = item.get("external_id")
    if external_id is not None and (product is None or external_id != product.external_id):
        expected = repr(product.external_id) if product is not None else "unknown"
        raise InvalidObservation(f"external_id={_show(external_id)} is not task {task.id}'s product {expected}")


def _check_amount(name: str, raw: object) -> None:
    """What the price columns can hold; the domain checks the rest (type, sign, range)."""
    if raw is None or isinstance(raw, bool) or not isinstance(raw, Decimal | int | str):
        return
    try:
        value = Decimal(raw)
    except ArithmeticError:
        return  # not a number: the domain says so
    if not value.is_finite():
        return
    if abs(value) >= PRICE_LIMIT:
        raise InvalidObservation(f"{name}={_show(raw)} must be below {PRICE_LIMIT}")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > PLACES:
        raise InvalidObservation(f"{name}={_show(raw)} has more than {PLACES} decimal places (refused, not rounded)")


def _moment(raw: object, now: datetime) -> datetime:
    if raw is None:
        return now
    if not isinstance(raw, str):
        raise InvalidObservation(f"observed_at={_show(raw)} must be an ISO 8601 string with a time zone")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidObservation(f"observed_at={_show(raw)} is not an ISO 8601 date and time") from None
    if moment.utcoffset() is None:
        raise InvalidObservation(f"observed_at={_show(raw)} has no time zone (add Z or +03:00)")
    if moment > now + CLOCK_SKEW:
        raise InvalidObservation(f"observed_at={_show(raw)} is in the future (our clock: {now.isoformat()})")
    return moment


def _show(value: object) -> str:
    return _brief(repr(value), SHOWN)


def _brief(text: str, limit: int = 4 * SHOWN) -> str:
    """A domain message repeats the value whole; an agent's 60 kB string is not repeated back."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
