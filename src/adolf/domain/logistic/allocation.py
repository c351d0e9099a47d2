"""Sharing scarce internal (1C) warehouse stock among the needs (SPEC §4.4; seed 003 coverage).

Rules:

- per article, the warehouse's units go to its needs urgent first, then planned, then
  recommended; within a priority, the fewest days of cover first (None — nothing sells — last);
  then by cluster id, then article id; needs equal in all of these (the same article × cluster
  given twice at the same priority and cover) by deficit, then velocity — a total order, so the
  result never depends on the order of the input;
- each need gets ``min(deficit, what is left)``: never more than its deficit, never more than
  the warehouse holds for the article (an article absent from ``warehouse`` has 0), whole
  units. This greedy is optimal: an article's total allocation is ``min(available, Σ deficits)``,
  and no need of a lower priority gets a unit while one of a higher priority of the same article
  is short;
- coverage: ``full`` when the allocation equals the deficit, ``partial`` when it is between,
  ``none`` when it is 0 (seed 003: ``coverage == "none"`` → ``WAREHOUSE_LOW``, "требуется закупка").

The result comes back in the order the stock was served: priority, cover, cluster, article.

Cost: one sort, O(n log n). The sort key is one int per need (priority, cover in tenths of a
day, cluster, article packed into bit fields) because comparing ints is several times cheaper
than comparing tuples of ``Decimal`` (300 000 needs: ~0.1 s against ~0.9 s); covers that are
not whole tenths (``needs`` never makes them) or ids past 2⁶³ fall back to tuple keys, which
give the same order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from itertools import islice
from operator import eq

from adolf.domain.logistic.deficit import Need, SupplyPriority
from adolf.domain.logistic.errors import InvalidLogistic

_INFINITE = Decimal("Infinity")
_ID_BITS = 63
_ID_LIMIT = 1 << _ID_BITS
_COVER_BITS = 40
_NO_COVER = (1 << _COVER_BITS) - 1  # None (infinite cover): after every finite one
_URGENT, _PLANNED = SupplyPriority.URGENT, SupplyPriority.PLANNED


class Coverage(StrEnum):
    """How much of a deficit the warehouse covers: full, partial or none."""

    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


def coverage_for(allocated: int, deficit: int) -> Coverage:
    """full when ``allocated == deficit``, none when 0, partial between."""
    if allocated == deficit:
        return Coverage.FULL
    if allocated == 0:
        return Coverage.NONE
    if 0 < allocated < deficit:
        return Coverage.PARTIAL
    raise InvalidLogistic(f"allocated={allocated!r} must be between 0 and deficit={deficit!r}")


@dataclass(frozen=True, slots=True)
class Allocation:
    """A need's share of the warehouse: ``allocated`` units of its deficit, and the coverage that gives."""

    need: Need
    allocated: int
    coverage: Coverage


def service_key(need: Need) -> tuple[int, Decimal, int, int]:
    """The order needs are served in (the readable form of the packed key)."""
    cover = need.days_of_cover
    return (need.priority.rank, _INFINITE if cover is None else cover, need.cluster_id, need.article_id)


def _packed_keys(needs: Sequence[Need]) -> list[int] | None:
    keys: list[int] = []
    append = keys.append
    for need in needs:
        cover = need.days_of_cover
        if cover is None:
            tenths = _NO_COVER
        else:
            numerator, denominator = cover.as_integer_ratio()
            if 10 % denominator or numerator < 0:
                return None
            tenths = numerator * (10 // denominator)
            if tenths >= _NO_COVER:
                return None
        cluster, article = need.cluster_id, need.article_id
        if not (0 <= cluster < _ID_LIMIT and 0 <= article < _ID_LIMIT):
            return None
        priority = need.priority
        rank = 0 if priority is _URGENT else 1 if priority is _PLANNED else 2
        append((((rank << _COVER_BITS | tenths) << _ID_BITS | cluster) << _ID_BITS) | article)
    return keys


def service_order(needs: Sequence[Need]) -> list[int]:
    """Indexes of ``needs`` in the order they are served (see the module's rules)."""
    keys: Sequence[object] | None = _packed_keys(needs)
    if keys is None:
        keys = [service_key(need) for need in needs]
    order = sorted(range(len(needs)), key=keys.__getitem__)  # type: ignore[arg-type]
    ranked = list(map(keys.__getitem__, order))
    if not any(map(eq, ranked, islice(ranked, 1, None))):  # the usual case: no two keys equal
        return order
    start = 0
    for position in range(1, len(order) + 1):
        if position < len(order) and ranked[position] == ranked[start]:
            continue
        if position - start > 1:  # equal keys: break the tie on what else differs
            order[start:position] = sorted(
                order[start:position], key=lambda index: (needs[index].deficit, needs[index].velocity)
            )
        start = position
    return order


def allocate(needs: Sequence[Need], warehouse: Mapping[int, int]) -> list[Allocation]:
    """Each need's share of ``warehouse`` (article id → units in the internal warehouse)."""
    left: dict[int, int] = {}
    result: list[Allocation] = []
    append = result.append
    full, partial, none = Coverage.FULL, Coverage.PARTIAL, Coverage.NONE
    for index in service_order(needs):
        need = needs[index]
        article = need.article_id
        remaining = left.get(article)
        if remaining is None:
            remaining = warehouse.get(article, 0)
            if type(remaining) is not int or remaining < 0:
                raise InvalidLogistic(f"warehouse[{article}]={remaining!r} must be an int >= 0")
        wanted = need.deficit
        given = wanted if wanted <= remaining else remaining
        left[article] = remaining - given
        append(Allocation(need, given, full if given == wanted else (none if given == 0 else partial)))
    return result
