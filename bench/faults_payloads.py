"""Scenario ``payloads``: generated payloads through the validation ``adolf tasks run`` uses.

In process, the CLI's own path: the ``--payload`` text through ``parse_payload`` and the
object through ``validate_payload`` (what every queue adapter's ``enqueue`` calls before it
queues anything). Hypothesis draws a task (mostly a real one, sometimes not), fields (mostly
the handler's own names) and values of every JSON kind and some no JSON has — huge integers,
NaN and infinities, numbers too big for a float, dates out of range, deep nesting — and
the text either as ``json.dumps`` writes it or with a raw number literal spliced in. The
clean refusals are ``InvalidPayload`` and ``UnknownTask``; anything else is a crash.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from adolf.application import payload as validation
from adolf.application.catalogue import UnknownTask
from adolf.application.tasks_catalogue import build_catalogue
from faults_context import Context
from faults_report import Row

REFUSALS: tuple[type[BaseException], ...] = (validation.InvalidPayload, UnknownTask)
LITERALS = (
    "1e999999",
    "-1e999999",
    "1e-999999",
    "NaN",
    "Infinity",
    "-Infinity",
    "123456789012345678901234567890",
    "0.1e1000",
    "-0",
    "1.0",
    "9223372036854775808",
    "-9223372036854775809",
    "1E400",
    "true",
    "null",
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**70),
    st.floats(),
    st.text(max_size=40),
    st.sampled_from(
        [
            "2026-01-12",
            "1999-12-31",
            "2101-01-01",
            "0001-01-01",
            "9999-12-31",
            "2026-02-30",
            "2026-01-12T07:07:00+03:00",
            "2026-01-12T07:07:00",
            "",
            "wb",
            "ozon",
            "ym",
            "WB",
            "x" * 20_000,
        ]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


def _parse(text: str) -> Any:
    parse = getattr(validation, "parse_payload", None)
    if parse is None:  # an older CLI read --payload with json.loads and refused JSONDecodeError
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise validation.InvalidPayload(str(exc)) from None
    return parse(text, "--payload")


def payload_validation(ctx: Context, backend: str) -> Row:
    row = Row("payloads", backend)
    catalogue = build_catalogue()
    names = [spec.name for spec in catalogue]
    fields = {spec.name: sorted(validation.handler_fields(spec.handler)[2]) for spec in catalogue}
    crashes: Counter[str] = Counter()
    runs = [0]

    @seed(ctx.seed)
    @settings(
        max_examples=ctx.examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def check(data: st.DataObject) -> None:
        name = data.draw(
            st.sampled_from(names) | st.sampled_from(["", "marketing.", "nope", "marketing.RUN_BID_CYCLE"])
        )
        known = fields.get(name) or ["x"]
        keys = st.sampled_from(known) | st.text(max_size=6)
        body = data.draw(st.dictionaries(keys, VALUES, max_size=4) | VALUES)
        form = data.draw(st.sampled_from(("dumps", "literal", "deep", "object")))
        text = json.dumps(body, default=str)
        if form == "literal":
            text = json.dumps({data.draw(st.sampled_from(known)): "@"}).replace(
                '"@"', data.draw(st.sampled_from(LITERALS))
            )
        elif form == "deep":
            depth = data.draw(st.integers(1, 5000))
            text = '{"' + data.draw(st.sampled_from(known)) + '": ' + "[" * depth + "]" * depth + "}"
        runs[0] += 1
        try:
            payload = body if form == "object" else _parse(text)
            validation.validate_payload(catalogue, name, payload)
        except REFUSALS:
            return
        except Exception as exc:  # noqa: BLE001 — this is what the scenario counts
            crashes[f"{form}: {type(exc).__name__}"] += 1

    check()
    row.trials = runs[0]
    row.crashes = sum(crashes.values())
    row.notes.extend(f"{n}× {what}" for what, n in crashes.most_common(4))
    return row
