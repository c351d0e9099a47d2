"""Scenario ``rows``: malformed marketplace rows through the sync and stats parsers.

Real rows come from an in-memory simulated market (``rows.py`` builds them); hypothesis
breaks one of them per example — a field dropped, a field set to a value of the wrong kind
or out of range (NaN, 1e999999, a float, a bool, a list, an enormous string), an extra
field, or the row replaced by something that is not an object at all — and the batch goes
through the simulated client's port method (``parsing.py`` behind it). The per-item error
path is ``RowError`` → the row skipped and counted in ``Fetched.skipped``. Counted as a
crash: an exception out of the port method; a bad row neither parsed nor counted; or the
batch's good row lost along with the bad one.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from adolf.adapters.clocks import ManualClock
from adolf.adapters.marketplaces.simulated import InMemorySimState, build_simulated_market
from adolf.adapters.marketplaces.simulated.adapter import SimulatedAdsMarketplace
from adolf.domain.marketplace import Marketplace
from faults_context import Context
from faults_report import Row

DAY = date(2026, 1, 12)
METHODS = ("list_campaigns", "list_keywords", "campaign_stats", "keyword_stats", "keyword_stats_batch")
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**18),
    st.floats(),
    st.sampled_from(
        [
            "",
            " ",
            "NaN",
            "-Infinity",
            "sNaN",
            "1e999999",
            "-1e999999",
            "1e-999999",
            "-0",
            "0x10",
            "12.345",
            "9" * 400,
            "2026-02-30",
            "+002026-01-12",
            "٣",
            "\x00",
            "1_000",
        ]
    ),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


class RowsMarket:
    """Answers every call with the rows it is given; the real market's seed and clock."""

    def __init__(self, real: Any) -> None:
        self.meta = real.meta
        self.clock = real.clock
        self.rows: list[Any] = []

    def list_campaigns(self, *_: Any) -> list[Any]:
        return self.rows

    list_keywords = campaign_stats = keyword_stats = list_campaigns


def _valid_rows(market: Any, marketplace: Marketplace) -> dict[str, list[dict[str, object]]]:
    cid = market.campaign_ids(marketplace)[0]
    return {
        "list_campaigns": market.list_campaigns(marketplace)[:2],
        "list_keywords": market.list_keywords(marketplace, cid)[:2],
        "campaign_stats": market.campaign_stats(marketplace, market.campaign_ids(marketplace)[:2], DAY),
        "keyword_stats": market.keyword_stats(marketplace, cid, DAY)[:2],
    }


def _call(api: SimulatedAdsMarketplace, method: str, ids: list[str]) -> Any:
    if method == "list_campaigns":
        return api.list_campaigns()
    if method == "list_keywords":
        return api.list_keywords(ids[0])
    if method == "campaign_stats":
        return api.campaign_stats(ids, DAY)
    if method == "keyword_stats":
        return api.keyword_stats(ids[0], DAY)
    return api.keyword_stats_batch(ids[:1], DAY)


def malformed_rows(ctx: Context, backend: str) -> Row:
    row = Row("rows", backend)
    clock = ManualClock(datetime(2026, 1, 12, 12, tzinfo=UTC))
    real = build_simulated_market(ctx.seed, 3, 4, clock, InMemorySimState())
    stub = RowsMarket(real)
    valid = {mp: _valid_rows(real, mp) for mp in Marketplace}
    apis = {mp: SimulatedAdsMarketplace(stub, mp) for mp in Marketplace}
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
        marketplace = data.draw(st.sampled_from(list(Marketplace)))
        method = data.draw(st.sampled_from(METHODS))
        good, template = [
            dict(r) for r in valid[marketplace]["keyword_stats" if method == "keyword_stats_batch" else method]
        ]
        how = data.draw(st.sampled_from(("drop", "junk", "junk", "junk", "extra", "not-a-row")))
        bad: Any = dict(template)
        name = data.draw(st.sampled_from(sorted(template)))
        if how == "drop":
            del bad[name]
        elif how == "junk":
            bad[name] = data.draw(JUNK.filter(lambda v, old=template[name]: v != old or type(v) is not type(old)))
        elif how == "extra":
            bad[data.draw(st.text(min_size=1, max_size=8))] = data.draw(JUNK)
        else:
            bad = data.draw(
                st.one_of(st.none(), st.integers(), st.text(max_size=10), st.lists(st.integers(), max_size=2))
            )
        stub.rows = [bad, good]
        runs[0] += 1  # drawn in full (a filtered-out draw is not an example)
        ids = [str(good.get("id", "x")), str(template.get("id", "y"))]
        try:
            fetched = _call(apis[marketplace], method, ids)
        except Exception as exc:  # noqa: BLE001 — this is what the scenario counts
            crashes[f"{how} {name if how != 'not-a-row' else ''} in {method}: {type(exc).__name__}"] += 1
            return
        if len(fetched.items) + len(fetched.skipped) < 2:
            crashes[f"{method}: a bad row neither parsed nor counted"] += 1
        elif not fetched.items:
            crashes[f"{method}: the good row lost with the bad one"] += 1

    check()
    row.trials = runs[0]
    row.crashes = sum(crashes.values())
    kinds: Counter[str] = Counter()
    for what, n in crashes.items():
        kinds[what.split(" in ")[0].split()[0] + " → " + what.rsplit(": ", 1)[-1]] += n
    row.notes.extend(f"{n}× {what}" for what, n in kinds.most_common(4))
    return row
