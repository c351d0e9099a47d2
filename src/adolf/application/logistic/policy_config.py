"""Logistic's thresholds from configuration: ``ADOLF_LOGISTIC_POLICY``.

Any field of ``SupplyPolicy`` over its documented defaults, as a JSON object —
``{"target_days": 21, "urgent_days": 5, "stale_after": "30h", "anomaly_factor": "2.5"}`` — or,
like ``ADOLF_WATCHER_ALERTS``, a comma-separated ``name=value`` list
(``target_days=21,stale_after=30h``). Durations take hours as a number or text such as
``"26h"``, ``"90m"``, ``"2d"``. The domain's ``SupplyPolicy.from_mapping`` checks every key and
the orderings (urgent < planned ≤ recommended ≤ target …); a bad entry is an error naming it,
raised when the settings load.
"""

from __future__ import annotations

import json

from adolf.domain.logistic.errors import InvalidLogistic
from adolf.domain.logistic.policy import SupplyPolicy


def policy_from_text(text: str | None) -> SupplyPolicy:
    if text is None or not text.strip():
        return SupplyPolicy()
    body = text.strip()
    if body.startswith("{"):
        try:
            values = json.loads(body, parse_float=str)
        except json.JSONDecodeError as exc:
            raise InvalidLogistic(f"logistic_policy is not valid JSON: {exc}") from None
        if not isinstance(values, dict):
            raise InvalidLogistic(f"logistic_policy={body!r} must be a JSON object")
    else:
        values = {}
        for entry in (part.strip() for part in body.split(",")):
            if not entry:
                continue
            name, sep, value = (piece.strip() for piece in entry.partition("="))
            if not sep or not name or not value:
                raise InvalidLogistic(f"logistic_policy entry {entry!r} is not name=value")
            values[name] = value
    return SupplyPolicy.from_mapping(values)
