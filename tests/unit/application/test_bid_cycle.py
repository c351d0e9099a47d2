"""``marketing.run_bid_cycle`` (SPEC §4.1) against in-memory fakes."""

from __future__ import annotations

from datetime import UTC, datetime

from adolf.application.marketing.bid_cycle import LAST_CYCLE_KEY, LAST_CYCLE_TTL, cycle_slot_key, run_bid_cycle
from adolf.application.ports.ads_marketplace import BidUpdateResult
from adolf.application.ports.outbox import OutboxEntry
from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign import CampaignStatus, KeywordStatus
from adolf.domain.marketplace import Marketplace
from tests.support.fakes import FakeServices
from tests.unit.application.builders import D, alert_types, campaign, cstats, keyword, kstats, seed


def bid(services: FakeServices, keyword_id: int) -> D:
    kw = services.uow().campaigns.get_keyword(keyword_id)
    assert kw is not None
    return kw.bid


def test_bids_move_by_each_strategy_and_are_written_with_history(services: FakeServices) -> None:
    wb = services.market()
    seed(services, campaign(1, strategy=StrategyType.TARGET_DRR, target_drr=D("20")), keyword(11, 1))
    seed(services, campaign(2, strategy=StrategyType.TARGET_CPO, target_drr=None, target_cpo=D("50")), keyword(21, 2))
    seed(services, campaign(3, strategy=StrategyType.MANUAL), keyword(31, 3))
    wb.set_campaign_stats(cstats("c1"), cstats("c2"), cstats("c3"))
    # WB is a CPM auction: 2000 views brought 3000 ₽ and 3 orders.
    wb.set_keyword_stats("c1", kstats("k11"))  # DRR 20 % of 1500 ₽ per 1000 views: 300, +15 % at most
    wb.set_keyword_stats("c2", kstats("k21"))  # CPO 50 × 1.5 orders per 1000 views: 75
    wb.set_keyword_stats("c3", kstats("k31"))  # manual: never moves

    result = run_bid_cycle(services)

    assert (bid(services, 11), bid(services, 21), bid(services, 31)) == (D("115.00"), D("75.00"), D("100"))
    assert wb.remote_bid("c1", "k11") == D("115.00") and wb.remote_bid("c2", "k21") == D("75.00")
    history = {(r.keyword_id, r.old_bid, r.new_bid, r.source, r.strategy) for r in services.uow().bid_history.records}
    assert history == {
        (11, D("100"), D("115.00"), "bid_cycle", "target_drr"),
        (21, D("100"), D("75.00"), "bid_cycle", "target_cpo"),
    }
    assert {r.reason for r in services.uow().bid_history.records} == {"below_target", "above_target"}
    assert {r.constraint for r in services.uow().bid_history.records} == {"raised", "lowered"}
    constraints = {c.id: c.binding_constraint for c in services.uow().campaigns.all()}
    assert constraints == {1: "raised", 2: "lowered", 3: "manual"}
    assert result["bids_changed"] == 2 and result["errors"] == 0 and result["campaigns"] == 3
    assert services.uow().committed


def test_a_bid_above_max_bid_is_capped_and_a_cap_bid_alert_is_queued(services: FakeServices) -> None:
    wb = services.market()
    seed(services, campaign(1, max_bid=D("110")), keyword(11, 1))
    wb.set_campaign_stats(cstats("c1"))
    wb.set_keyword_stats("c1", kstats("k11"))  # the strategy wants 115

    result = run_bid_cycle(services)

    assert bid(services, 11) == D("110") == wb.remote_bid("c1", "k11")
    assert result["capped"] == 1
    assert "cap_bid" in alert_types(services)
    [cap] = services.queue.payloads("marketing.send_alert")
    assert cap["once_a_day"] is True and "max_bid=110" in cap["message"]


def test_a_move_under_one_ruble_is_not_sent_nor_logged(services: FakeServices) -> None:
    wb = services.market()
    seed(services, campaign(1, min_bid=D("5")), keyword(11, 1, bid=D("10")))
    wb.set_campaign_stats(cstats("c1"))
    # 2000 views brought 106 ₽: worth 10.60 per 1000 views at 20 % — outside the ±5 % band, under 1 ₽
    wb.set_keyword_stats("c1", kstats("k11", spent="21", revenue="106"))

    run_bid_cycle(services)

    assert wb.calls_of("update_bids") == []
    assert services.uow().bid_history.records == []
    assert bid(services, 11) == D("10")


def test_a_campaign_at_its_daily_limit_is_paused_and_its_keywords_are_left_alone(services: FakeServices) -> None:
    wb = services.market()
    seed(services, campaign(1, daily_budget=D("1000")), keyword(11, 1), keyword(12, 1))
    wb.set_campaign_stats(cstats("c1", spent="1000"))
    wb.set_keyword_stats("c1", kstats("k11"), kstats("k12", spent="900", orders=0, revenue="0"))

    result = run_bid_cycle(services)

    assert wb.writes() == [("pause_campaign", ("c1",))]  # no bid update, no keyword pause
    stored = services.uow().campaigns.get(1)
    assert stored is not None and stored.status is CampaignStatus.PAUSED and stored.pause_reason == "budget_exceeded"
    keywords = services.uow().campaigns.keywords_of([1], active_only=False)[1]
    assert [(k.bid, k.status) for k in keywords] == [(D("100"), KeywordStatus.ACTIVE)] * 2
    assert alert_types(services) == ["budget_exceeded"]
    assert result["campaigns_paused"] == 1


def test_a_keyword_spending_without_orders_is_paused_with_its_reason(services: FakeServices) -> None:
    wb = services.market()
    seed(services, campaign(1), keyword(11, 1), keyword(12, 1))
    wb.set_campaign_stats(cstats("c1"))
    wb.set_keyword_stats("c1", kstats("k11"), kstats("k12", spent="600", orders=0, revenue="0"))

    result = run_bid_cycle(services)

    assert wb.calls_of("pause_keywords") == [("c1", ("k12",))]
    paused = services.uow().campaigns.get_keyword(12)
    assert paused is not None and paused.status is KeywordStatus.PAUSED
    assert paused.pause_reason == "spend_without_orders"
    assert paused.bid == D("100")  # a paused keyword gets no new bid
    assert bid(services, 11) == D("115.00")
    assert "keywords_paused" in alert_types(services)
    assert result["keywords_paused"] == 1


def test_a_failing_campaign_is_counted_and_isolated_and_leaves_no_trace(services: FakeServices) -> None:
    wb = services.market()
    seed(services, campaign(1), keyword(11, 1))
    seed(services, campaign(2), keyword(21, 2))
    seed(services, campaign(3), keyword(31, 3))
    wb.set_campaign_stats(cstats("c1"), cstats("c2"), cstats("c3"))
    for cid in (1, 2, 3):
        wb.set_keyword_stats(f"c{cid}", kstats(f"k{cid}1"))
    wb.fail("keyword_stats", "c2")

    result = run_bid_cycle(services)

    assert result["errors"] == 1 and result["errors_by_campaign"].keys() == {"wb:c2"}
    assert bid(services, 11) == D("115.00") and bid(services, 31) == D("115.00")
    assert bid(services, 21) == D("100")
    assert [r.campaign_id for r in services.uow().bid_history.records] == [1, 3]
    c2 = services.uow().campaigns.get(2)
    assert c2 is not None and c2.status is CampaignStatus.ACTIVE and c2.pause_reason is None


def test_an_effect_that_fails_stays_pending_and_the_next_cycle_sends_it_once(services: FakeServices) -> None:
    wb = services.market()
    seed(services, campaign(1), keyword(11, 1))
    seed(services, campaign(2), keyword(21, 2), keyword(22, 2))
    wb.set_campaign_stats(cstats("c1"), cstats("c2"))
    wb.set_keyword_stats("c1", kstats("k11"))
    wb.set_keyword_stats("c2", kstats("k21"), kstats("k22", spent="600", orders=0, revenue="0"))
    wb.fail("pause_keywords", "c2")

    result = run_bid_cycle(services)

    assert result["errors"] == 1
    assert bid(services, 11) == D("115.00") and bid(services, 21) == D("115.00")  # the bids went through
    k22 = services.uow().campaigns.get_keyword(22)
    assert k22 is not None and k22.status is KeywordStatus.ACTIVE  # not recorded: the pause failed
    pause, alert = services.uow().outbox.pending("marketing.run_bid_cycle")
    assert pause.kind == "pause_keywords" and pause.attempts == 1 and "c2" in pause.key
    assert alert.kind == "alert" and "keywords_paused" in alert.key  # held: it would say "paused"
    assert "keywords_paused" not in [p["type"] for p in services.queue.payloads("marketing.send_alert")]

    wb.heal()
    services.clock.advance(15 * 60)
    run_bid_cycle(services)

    assert services.uow().outbox.pending("marketing.run_bid_cycle") == []
    k22 = services.uow().campaigns.get_keyword(22)
    assert k22 is not None and k22.status is KeywordStatus.PAUSED
    assert [p["type"] for p in services.queue.payloads("marketing.send_alert")].count("keywords_paused") == 1
    assert len([c for c in wb.calls_of("pause_keywords") if c[0] == "c2"]) == 2  # the failed call, then once


def test_a_recorded_effect_is_sent_by_the_redelivery_and_never_again_once_sent(services: FakeServices) -> None:
    """A delivery that died after recording its decisions (before sending): the next
    delivery of the slot sends them, keeps them over its own fresh decision, and a third
    sends nothing."""
    wb = services.market()
    seed(services, campaign(1), keyword(11, 1))
    wb.set_campaign_stats(cstats("c1"))
    wb.set_keyword_stats("c1", kstats("k11"))
    key = f"{cycle_slot_key(services.clock.now())}:wb:c1"
    services.uow().outbox.claim_many(
        [
            OutboxEntry(
                f"{key}:bids",
                "marketing.run_bid_cycle",
                "bids",
                {
                    "mp": "wb",
                    "campaign_id": 1,
                    "campaign_ext": "c1",
                    "strategy": "target_drr",
                    "key": key,
                    "changes": [[11, "k11", "100", "120.00", "recorded"]],
                },
                services.clock.now(),
            ),
        ]
    )

    run_bid_cycle(services)
    run_bid_cycle(services)

    assert wb.bid_updates_applied == 1 and len(wb.calls_of("update_bids")) == 1
    assert wb.remote_bid("c1", "k11") == D("120.00") == bid(services, 11)
    [record] = services.uow().bid_history.records
    assert (record.new_bid, record.reason) == (D("120.00"), "recorded")


def test_when_campaign_stats_fail_every_campaign_of_that_marketplace_is_an_error(services: FakeServices) -> None:
    seed(services, campaign(1), keyword(11, 1))
    seed(services, campaign(2), keyword(21, 2))
    services.market().fail("campaign_stats")

    result = run_bid_cycle(services)

    assert result["errors"] == 2 and result["api_calls"] == 1
    assert services.uow().bid_history.records == []


def _dry_world(services: FakeServices, **overrides: object) -> None:
    wb = services.market()
    seed(services, campaign(1, **overrides), keyword(11, 1), keyword(12, 1))
    seed(services, campaign(2, daily_budget=D("500"), **overrides), keyword(21, 2))
    wb.set_campaign_stats(cstats("c1"), cstats("c2", spent="800"))
    wb.set_keyword_stats("c1", kstats("k11"), kstats("k12", spent="600", orders=0, revenue="0"))


def test_dry_run_sends_nothing_and_logs_its_decisions_as_dry_run(services: FakeServices) -> None:
    services.dry_run = True
    _dry_world(services)

    run_bid_cycle(services)

    assert services.market().writes() == []
    assert [(r.keyword_id, r.new_bid, r.source) for r in services.uow().bid_history.records] == [
        (11, D("115.00"), "dry_run")
    ]
    repo = services.uow().campaigns
    assert [(k.bid, k.status) for k in repo.keywords_of([1, 2], active_only=False)[1]] == [
        (D("100"), KeywordStatus.ACTIVE)
    ] * 2
    assert all(c.status is CampaignStatus.ACTIVE for c in repo.all())
    assert all("[dry run]" in p["message"] for p in services.queue.payloads("marketing.send_alert"))


def test_a_campaign_in_dry_run_is_simulated_while_the_others_go_live(services: FakeServices) -> None:
    _dry_world(services, dry_run=True)
    seed(services, campaign(3), keyword(31, 3))
    services.market().set_campaign_stats(cstats("c3"))
    services.market().set_keyword_stats("c3", kstats("k31"))

    run_bid_cycle(services)

    assert [(name, args[0]) for name, args in services.market().writes()] == [("update_bids", "c3")]
    sources = {(r.campaign_id, r.source) for r in services.uow().bid_history.records}
    assert sources == {(1, "dry_run"), (3, "bid_cycle")}
    assert bid(services, 11) == D("100") and bid(services, 31) == D("115.00")


def test_a_campaign_with_the_kill_switch_is_left_untouched(services: FakeServices) -> None:
    wb = services.market()
    seed(services, campaign(1, kill_switch=True), keyword(11, 1), keyword(12, 1))
    wb.set_campaign_stats(cstats("c1"))
    wb.set_keyword_stats("c1", kstats("k11"), kstats("k12", spent="600", orders=0, revenue="0"))

    result = run_bid_cycle(services)

    assert [name for name, _ in wb.calls] == ["campaign_stats"]
    assert services.uow().bid_history.records == []
    keywords = services.uow().campaigns.keywords_of([1], active_only=False)[1]
    assert [(k.bid, k.status) for k in keywords] == [(D("100"), KeywordStatus.ACTIVE)] * 2
    assert result["keywords"] == 0 and services.queue.enqueued == []


def test_a_cycle_makes_at_most_three_calls_per_campaign_and_one_per_marketplace(services: FakeServices) -> None:
    campaigns = 0
    for mp, base in ((Marketplace.WB, 0), (Marketplace.OZON, 100)):
        market = services.market(mp)
        for n in range(1, 5):
            cid = base + n
            budget = D("500") if n == 4 else D("10000")  # the 4th of each is paused for its budget
            seed(
                services,
                campaign(cid, marketplace=mp, daily_budget=budget),
                keyword(cid * 10 + 1, cid),
                keyword(cid * 10 + 2, cid),
                keyword(cid * 10 + 3, cid),
            )
            market.set_campaign_stats(cstats(f"c{cid}", spent="600" if n == 4 else "1000"))
            market.set_keyword_stats(
                f"c{cid}",
                kstats(f"k{cid * 10 + 1}"),
                kstats(f"k{cid * 10 + 2}", spent="600", orders=0, revenue="0"),
                kstats(f"k{cid * 10 + 3}", spent="400", revenue="1000"),
            )
            campaigns += 1

    result = run_bid_cycle(services)

    calls = sum(len(m.calls) for m in services.markets.values())
    assert calls <= 3 * campaigns + len(services.markets)
    assert result["api_calls"] == calls
    for market in services.markets.values():
        assert len(market.calls_of("campaign_stats")) == 1
        writes: dict[str, int] = {}
        for _, args in market.writes():
            writes[args[0]] = writes.get(args[0], 0) + 1
        assert max(writes.values()) <= 2  # bid update + keyword pauses, or one campaign pause


def test_cycle_metrics_are_kept_on_the_status_board_for_an_hour(services: FakeServices) -> None:
    seed(services, campaign(1), keyword(11, 1))
    services.market().set_campaign_stats(cstats("c1"))
    services.market().set_keyword_stats("c1", kstats("k11"))

    run_bid_cycle(services)

    board = services.status_board
    assert board.ttls[LAST_CYCLE_KEY] == LAST_CYCLE_TTL == 3600
    metrics = board.get(LAST_CYCLE_KEY)
    assert metrics["campaigns"] == "1" and metrics["bids_changed"] == "1" and metrics["errors"] == "0"
    assert metrics["at"] == services.clock.now().isoformat()
    assert "errors_by_campaign" not in metrics


def test_the_idempotency_key_is_the_same_for_every_run_inside_a_cycle_slot() -> None:
    at = datetime(2024, 5, 10, 9, 7, tzinfo=UTC)
    assert (
        cycle_slot_key(at) == cycle_slot_key(at.replace(minute=9, second=59)) == cycle_slot_key(at.replace(minute=14))
    )
    assert cycle_slot_key(at) != cycle_slot_key(at.replace(minute=22))


def test_rerunning_a_cycle_slot_changes_the_remote_once_and_local_bids_match_it(services: FakeServices) -> None:
    wb = services.market()
    seed(services, campaign(1), keyword(11, 1))
    wb.set_campaign_stats(cstats("c1"))
    wb.set_keyword_stats("c1", kstats("k11"))

    run_bid_cycle(services)
    services.clock.advance(120)  # a retry or a redelivery, same slot
    second = run_bid_cycle(services)

    assert len(wb.calls_of("update_bids")) == 1  # the slot's bids are recorded as sent: never re-sent
    assert wb.bid_updates_applied == 1
    assert wb.remote_bid("c1", "k11") == D("115.00") == bid(services, 11)
    assert len(services.uow().bid_history.records) == 1 and second["bids_changed"] == 0

    services.clock.advance(15 * 60)  # the next slot moves it again
    run_bid_cycle(services)
    assert wb.remote_bid("c1", "k11") == D("132.25") == bid(services, 11)


def test_a_slot_replayed_after_a_lost_commit_records_only_this_runs_changes(services: FakeServices) -> None:
    wb = services.market()
    seed(services, campaign(1), keyword(11, 1), keyword(12, 1))
    wb.set_campaign_stats(cstats("c1"))
    # k12 sits inside the band now (its bid meets the target); an earlier run of this slot moved both
    wb.set_keyword_stats("c1", kstats("k11"), kstats("k12", spent="200", revenue="1000"))
    key = f"{cycle_slot_key(services.clock.now())}:wb:c1"
    wb.answers[key] = BidUpdateResult(applied=("k11", "k12"))

    result = run_bid_cycle(services)

    assert result["errors"] == 0
    assert [(r.keyword_id, r.new_bid) for r in services.uow().bid_history.records] == [(11, D("115.00"))]
    assert bid(services, 11) == D("115.00") and bid(services, 12) == D("100")


def test_a_failed_keyword_stats_call_fails_its_campaigns_only_and_writes_nothing_for_them(
    services: FakeServices,
) -> None:
    wb = services.market()
    seed(services, campaign(1), keyword(11, 1))
    seed(services, campaign(2, daily_budget=D("500")), keyword(21, 2))  # over budget: paused before its keywords
    wb.set_campaign_stats(cstats("c1"), cstats("c2", spent="500"))
    wb.set_keyword_stats("c1", kstats("k11"))
    wb.fail("keyword_stats_batch")

    result = run_bid_cycle(services)

    assert result["errors"] == 1 and list(result["errors_by_campaign"]) == ["wb:c1"]
    assert result["skipped_rows"] == 0
    assert wb.writes() == [("pause_campaign", ("c2",))]
    assert bid(services, 11) == D("100") and services.uow().bid_history.records == []
