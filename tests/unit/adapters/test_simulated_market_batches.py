"""Batched keyword stats and bid updates across campaigns: one call per 50 campaigns, and a
failing campaign fails alone."""

from __future__ import annotations

from decimal import Decimal

from adolf.adapters.marketplaces.simulated import Faults
from adolf.application.ports.ads_marketplace import BidChange, CampaignBids
from tests.unit.adapters.test_simulated_market_faults import DAY, wb


def test_keyword_stats_of_many_campaigns_take_one_call_per_50_and_name_their_campaign() -> None:
    adapter = wb(campaigns=70)
    ids = [c.external_id for c in adapter.list_campaigns().items]
    adapter.reset_calls()
    fetched = adapter.keyword_stats_batch(ids, DAY)
    assert adapter.calls == {"keyword_stats_batch": 2}
    assert {s.campaign_external_id for s in fetched.items} == set(ids)
    for cid in ids[:3]:
        alone = adapter.keyword_stats(cid, DAY).items
        assert [s for s in fetched.items if s.campaign_external_id == cid] == [
            s.__class__(**{**{f: getattr(s, f) for f in s.__slots__}, "campaign_external_id": cid}) for s in alone
        ]


def test_a_failing_campaign_is_reported_failed_in_a_keyword_stats_batch() -> None:
    adapter = wb(campaigns=5)
    ids = [c.external_id for c in adapter.list_campaigns().items]
    adapter.faults = Faults(failing_campaigns=frozenset({ids[1]}))
    fetched = adapter.keyword_stats_batch(ids, DAY)
    assert fetched.failed == (ids[1],)
    assert ids[1] not in {s.campaign_external_id for s in fetched.items}
    assert any(ids[1] in reason for reason in fetched.skipped)


def test_bid_updates_of_many_campaigns_take_one_call_per_50_and_fail_per_campaign() -> None:
    adapter = wb(campaigns=60)
    campaigns = adapter.list_campaigns().items
    updates = []
    for campaign in campaigns:
        keyword = adapter.list_keywords(campaign.external_id).items[0]
        updates.append(
            CampaignBids(
                campaign.external_id, (BidChange(keyword.external_id, keyword.bid + 5),), f"k:{campaign.external_id}"
            )
        )
    victim = campaigns[7].external_id
    adapter.faults = Faults(failing_campaigns=frozenset({victim}))
    adapter.reset_calls()
    results = adapter.update_bids_batch(updates)
    assert adapter.calls["update_bids_batch"] == 2
    assert set(results) == {c.external_id for c in campaigns}
    assert results[victim].error is not None and results[victim].applied == ()
    for update in updates:
        if update.campaign_external_id == victim:
            continue
        assert results[update.campaign_external_id].applied == (update.changes[0].keyword_external_id,)
        remote = {k.external_id: k.bid for k in adapter.list_keywords(update.campaign_external_id).items}
        assert remote[update.changes[0].keyword_external_id] == update.changes[0].bid
    # the same keys again change nothing and answer the same
    assert adapter.update_bids_batch([u for u in updates if u.campaign_external_id != victim]) == {
        cid: r for cid, r in results.items() if cid != victim
    }
    assert Decimal(0) not in [u.changes[0].bid for u in updates]
