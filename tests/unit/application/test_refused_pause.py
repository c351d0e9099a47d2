"""A campaign pause or start the marketplace refuses as final (YM: in the seller's cabinet only):
the seller is told once a day, the refused call is not repeated that day, and is the next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from adolf.application.marketing.bid_cycle import run_bid_cycle
from adolf.application.marketing.budgets import check_budgets
from adolf.application.ports.ads_marketplace import MarketplaceRejected
from adolf.application.ports.alerts import AlertRecord
from adolf.application.ports.outbox import FAILED, PENDING
from adolf.domain.marketing.campaign import CampaignStatus
from adolf.domain.marketplace import Marketplace
from tests.support.fakes import FakeMarketplace, FakeServices
from tests.unit.application.builders import D, campaign, cstats, deliver_alerts, keyword, kstats, seed

YM = Marketplace.YM
QUARTER = 15 * 60


@dataclass
class CabinetOnly(FakeMarketplace):
    """YM as its live client answers: a campaign pause or start is refused, before any change."""

    def pause_campaign(self, campaign_external_id: str) -> None:
        self._call("pause_campaign", campaign_external_id, campaign_external_id)
        raise MarketplaceRejected(f"campaign {campaign_external_id}: YM pauses a sales boost in the cabinet only")

    def start_campaign(self, campaign_external_id: str) -> None:
        self._call("start_campaign", campaign_external_id, campaign_external_id)
        raise MarketplaceRejected(f"campaign {campaign_external_id}: YM starts a sales boost in the cabinet only")


@pytest.fixture
def ym(services: FakeServices) -> CabinetOnly:
    market = CabinetOnly(YM)
    services.markets = {YM: market}
    return market


def over_budget(services: FakeServices, ym: CabinetOnly) -> None:
    seed(services, campaign(1, marketplace=YM, daily_budget=D("1000")), keyword(11, 1))
    ym.set_campaign_stats(cstats("c1", spent="1000"))
    ym.set_keyword_stats("c1", kstats("k11"))


def status(services: FakeServices) -> CampaignStatus:
    stored = services.uow().campaigns.get(1)
    assert stored is not None
    return stored.status


def test_a_refused_budget_pause_raises_the_cabinet_alert_with_the_marketplaces_reason(
    services: FakeServices, ym: CabinetOnly
) -> None:
    over_budget(services, ym)

    counts = check_budgets(services)
    delivered = deliver_alerts(services)

    assert ym.calls_of("pause_campaign") == [("c1",)]
    assert counts["paused"] == 0 and counts["errors"] == 1
    assert status(services) is CampaignStatus.ACTIVE
    assert [d["sent"] >= 0 and "alert_id" in d for d in delivered] == [True]
    [alert] = services.uow().alerts.of_type("budget_exceeded")
    assert alert.campaign_id == "1" and alert.severity == "warning" and alert.brand == "acme"
    assert alert.message == (
        "Campaign 1 not paused: budget_exceeded: spent_today=1000 >= daily_limit=1000 — the marketplace refused it "
        "through its API (campaign c1: YM pauses a sales boost in the cabinet only): pause it in the seller's cabinet"
    )


def test_a_refused_pause_is_not_sent_again_that_day_by_either_task_and_the_seller_is_told_once(
    services: FakeServices, ym: CabinetOnly
) -> None:
    over_budget(services, ym)

    run_bid_cycle(services)  # :00 — refused
    services.clock.advance(3 * 60)
    check_budgets(services)  # :03 — the other task knows
    for _ in range(8):  # the rest of the morning, every quarter
        services.clock.advance(QUARTER)
        run_bid_cycle(services)
        check_budgets(services)
    deliver_alerts(services)

    assert ym.calls_of("pause_campaign") == [("c1",)]
    assert ym.calls_of("update_bids") == []  # over its budget, the cycle raises nothing meanwhile
    assert len(services.uow().alerts.of_type("budget_exceeded")) == 1
    assert status(services) is CampaignStatus.ACTIVE


def test_the_next_day_the_pause_is_asked_again_and_the_seller_told_again(
    services: FakeServices, ym: CabinetOnly
) -> None:
    over_budget(services, ym)
    check_budgets(services)
    deliver_alerts(services)

    services.clock.advance(24 * 3600)
    check_budgets(services)
    services.clock.advance(QUARTER)
    check_budgets(services)
    deliver_alerts(services)

    assert ym.calls_of("pause_campaign") == [("c1",), ("c1",)]
    alerts = services.uow().alerts.of_type("budget_exceeded")
    assert len(alerts) == 2 and alerts[0].created_at.date() != alerts[1].created_at.date()


def test_the_cabinet_alert_is_recorded_with_the_refusal_and_raised_once_when_queued_twice(
    services: FakeServices, ym: CabinetOnly
) -> None:
    over_budget(services, ym)
    check_budgets(services)

    outbox = services.uow().outbox
    [pause] = outbox.of_kind("pause_campaign")
    assert pause.status == FAILED and "cabinet only" in (pause.last_error or "")
    refused = [e for e in outbox.of_kind("alert") if e.key.endswith(":refused")]
    assert [e.payload["alert"]["type"] for e in refused] == ["budget_exceeded"]
    queued = services.queue.payloads("marketing.send_alert")
    services.queue.enqueued.extend(("marketing.send_alert", p) for p in queued)  # a redelivered queueing
    delivered = deliver_alerts(services)

    assert [d.get("skipped") for d in delivered] == [None, "duplicate"]
    assert len(services.uow().alerts.of_type("budget_exceeded")) == 1


def test_a_refused_start_tells_the_seller_to_start_it_in_the_cabinet_once_that_day(
    services: FakeServices, ym: CabinetOnly
) -> None:
    seed(
        services,
        campaign(
            1, marketplace=YM, daily_budget=D("1000"), status=CampaignStatus.PAUSED, pause_reason="budget_exceeded"
        ),
    )
    yesterday = services.clock.now() - timedelta(days=1)
    services.uow().alerts.add(
        AlertRecord("marketing", "budget_exceeded", "warning", "paused", yesterday, campaign_id="1")
    )
    ym.set_campaign_stats(cstats("c1", spent="50"))

    check_budgets(services)
    services.clock.advance(QUARTER)
    check_budgets(services)
    deliver_alerts(services)

    assert ym.calls_of("start_campaign") == [("c1",)]
    assert status(services) is CampaignStatus.PAUSED
    alert = services.uow().alerts.of_type("budget_exceeded")[-1]
    assert alert.created_at > yesterday + timedelta(hours=12)
    assert alert.message.startswith("Campaign 1 not started: budget_exceeded: a new day's budget")
    assert alert.message.endswith("start it in the seller's cabinet")


def test_a_pause_that_fails_transiently_still_holds_its_alert_until_it_goes_through(
    services: FakeServices, ym: CabinetOnly
) -> None:
    wb = services.market(Marketplace.WB)
    seed(services, campaign(2, daily_budget=D("1000")), keyword(21, 2))
    wb.set_campaign_stats(cstats("c2", spent="1000"))
    wb.fail("pause_campaign", "c2")

    run_bid_cycle(services)

    assert services.queue.payloads("marketing.send_alert") == []
    [held] = services.uow().outbox.of_kind("alert")
    assert held.status == PENDING and held.payload["alert"]["message"].startswith("Campaign 2 paused:")

    wb.heal()
    services.clock.advance(QUARTER)
    run_bid_cycle(services)

    assert wb.calls_of("pause_campaign") == [("c2",), ("c2",)]
    stored = services.uow().campaigns.get(2)
    assert stored is not None and stored.status is CampaignStatus.PAUSED
    [alert] = services.queue.payloads("marketing.send_alert")
    assert alert["type"] == "budget_exceeded" and alert["message"].startswith("Campaign 2 paused:")
