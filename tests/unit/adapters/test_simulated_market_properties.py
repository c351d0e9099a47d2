"""Properties of the simulated market that hold for any sequence of bid changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.adapters.marketplaces.simulated import build_simulated_market
from adolf.application.ports.ads_marketplace import BidChange, KeywordStats
from adolf.domain.marketplace import Marketplace

START = datetime(2026, 3, 9, 21, 0, tzinfo=UTC)  # Moscow midnight

ops = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=180),  # minutes to wait
        st.sampled_from(list(Marketplace)),
        st.integers(min_value=0, max_value=3),  # keyword
        st.sampled_from(["0.5", "0.9", "1.1", "2", "5", "pause"]),
    ),
    min_size=1,
    max_size=12,
)


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


def run(steps: list[tuple[int, Marketplace, int, str]]) -> list[tuple[KeywordStats, ...]]:
    clock = FakeClock(START)
    market = build_simulated_market(8, 1, 4, clock)
    seen = []
    for n, (minutes, mp, index, action) in enumerate(steps):
        clock.current += timedelta(minutes=minutes)
        adapter = market.adapter(mp)
        cid = {Marketplace.WB: "10000001", Marketplace.OZON: "20000001", Marketplace.YM: "30000001"}[mp]
        keyword = adapter.list_keywords(cid).items[index]
        if action == "pause":
            adapter.pause_keywords(cid, [keyword.external_id])
        else:
            adapter.update_bids(cid, [BidChange(keyword.external_id, keyword.bid * Decimal(action))], str(n))
        today = market.today()
        stats = adapter.keyword_stats(cid, today).items
        [campaign] = adapter.campaign_stats([cid], today).items
        assert campaign.spent == sum((k.spent for k in stats), Decimal(0))
        assert campaign.clicks == sum(k.clicks for k in stats)
        seen.append(stats)
    return seen


@settings(max_examples=40, deadline=None)
@given(ops)
def test_any_bid_sequence_is_reproducible_and_totals_only_grow_within_a_day(
    steps: list[tuple[int, Marketplace, int, str]],
) -> None:
    first = run(steps)
    assert first == run(steps)
    last: dict[str, KeywordStats] = {}
    for stats in first:
        for row in stats:
            assert row.orders <= row.clicks <= row.views
            assert row.spent >= 0 and row.spent == row.spent.quantize(Decimal("0.01"))
            before = last.get(row.keyword_external_id)
            if before is not None and before.day == row.day:
                assert row.views >= before.views and row.clicks >= before.clicks
                assert row.orders >= before.orders and row.spent >= before.spent
            last[row.keyword_external_id] = row
