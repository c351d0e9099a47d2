"""The simulated reviews and questions' fault plan (``ReputationFaults``) as text, so that every
process of one run builds the same faulty marketplace: ``adolf simulate`` writes it once into
``ADOLF_SIM_REPUTATION_FAULTS`` and the Celery/RQ workers' containers read it back.

A JSON object; every key may be left out::

    {"outages": [{"platform": "ozon", "start": "2026-01-12T14:00:00+03:00",
                  "end": "2026-01-12T15:00:00+03:00"}],
     "failing_publishes": [{"platform": "wb", "item_type": "review",
                            "external_id": "wb-r-…", "times": 2}],
     "quotas": false}

Instants carry their offset (a naive one is refused: workers may run in another zone). A bad
entry fails naming where it is and the value.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from adolf.domain.reputation.items import ItemType, platform_of

from .reputation import Outage, PublishFailure, ReputationFaults

KEYS = ("outages", "failing_publishes", "quotas")


def faults_from_text(text: str) -> ReputationFaults:
    try:
        plan = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"reputation fault plan is not JSON ({exc.msg} at {exc.pos}): {text[:80]!r}") from None
    if not isinstance(plan, dict):
        raise ValueError(f"reputation fault plan={plan!r} must be a JSON object with {', '.join(KEYS)}")
    unknown = sorted(set(plan) - set(KEYS))
    if unknown:
        raise ValueError(f"reputation fault plan key(s) {', '.join(map(repr, unknown))}: expected {', '.join(KEYS)}")
    quotas = plan.get("quotas", False)
    if not isinstance(quotas, bool):
        raise ValueError(f"quotas={quotas!r} must be true or false")
    outages = tuple(_outage(n, entry) for n, entry in enumerate(_list(plan, "outages")))
    failing = tuple(_failing(n, entry) for n, entry in enumerate(_list(plan, "failing_publishes")))
    return ReputationFaults(outages, failing, quotas)


def faults_to_text(faults: ReputationFaults) -> str:
    """The inverse of ``faults_from_text``: ``faults_from_text(faults_to_text(f)) == f``."""
    return json.dumps(
        {
            "outages": [
                {"platform": o.platform.value, "start": o.start.isoformat(), "end": o.end.isoformat()}
                for o in faults.outages
            ],
            "failing_publishes": [
                {
                    "platform": f.platform.value,
                    "item_type": f.item_type.value,
                    "external_id": f.external_id,
                    "times": f.times,
                }
                for f in faults.failing_publishes
            ],
            "quotas": faults.quotas,
        },
        ensure_ascii=False,
    )


def _list(plan: dict[str, Any], key: str) -> list[Any]:
    value = plan.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"{key}={value!r} must be a list")
    return value


def _fields(where: str, entry: object, wanted: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(entry, dict) or set(entry) != set(wanted):
        raise ValueError(f"{where}={entry!r} must be an object with exactly {', '.join(wanted)}")
    return entry


def _outage(index: int, entry: object) -> Outage:
    where = f"outages[{index}]"
    fields = _fields(where, entry, ("platform", "start", "end"))
    try:
        return Outage(
            platform_of(fields["platform"]),
            _instant(f"{where}.start", fields["start"]),
            _instant(f"{where}.end", fields["end"]),
        )
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def _failing(index: int, entry: object) -> PublishFailure:
    where = f"failing_publishes[{index}]"
    fields = _fields(where, entry, ("platform", "item_type", "external_id", "times"))
    external_id = fields["external_id"]
    if not isinstance(external_id, str) or not external_id:
        raise ValueError(f"{where}.external_id={external_id!r} must be a non-empty string")
    try:
        return PublishFailure(
            platform_of(fields["platform"]), ItemType.parse(fields["item_type"]), external_id, fields["times"]
        )
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def _instant(where: str, value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"{where}={value!r} must be an ISO 8601 instant with its offset")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{where}={value!r} is not an ISO 8601 instant") from None
    if moment.tzinfo is None:
        raise ValueError(f"{where}={value!r} must carry its UTC offset")
    return moment
