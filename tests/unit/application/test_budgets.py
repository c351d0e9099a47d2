"""``marketing.check_budgets``: pause at the limit, warn at 80 % once a day, resume the next day."""

from __future__ import annotations

from datetime import timedelta

from adolf.application.marketing.budgets import check_budgets
from adolf.application.ports.alerts import AlertRecord
from adolf.domain.marketing.campaign import CampaignStatus
from tests.support.fakes import FakeServices
from tests.unit.application.builders import D, alert_types, campaign, cstats, deliver_alerts, seed


def status(services: FakeServices, cid: int) -> tuple[CampaignStatus, str | None]:
    stored = services.uow().campaigns.get(cid)
    assert stored is not None
    return stored.status, stored.pause_reason


def test_a_campaign_at_100_percent_of_its_daily_limit_is_paused_with_an_alert(services: FakeServices) -> None:
    seed(services, campaign(1, daily_budget=D("1000")))
    seed(services, campaign(2, daily_budget=D("1000")))
    services.market().set_campaign_stats(cstats("c1", spent="1000"), cstats("c2", spent="100"))

    counts = check_budgets(services)

    assert counts == {"checked": 2, "paused": 1, "warned": 0, "resumed": 0, "errors": 0}
    assert services.market().calls_of("pause_campaign") == [("c1",)]
    assert status(services, 1) == (CampaignStatus.PAUSED, "budget_exceeded")
    assert status(services, 2) == (CampaignStatus.ACTIVE, None)
    assert alert_types(services) == ["budget_exceeded"]


def test_a_budget_warning_at_80_percent_is_sent_once_a_day_per_campaign(services: FakeServices) -> None:
    seed(services, campaign(1, daily_budget=D("1000")))
    seed(services, campaign(2, daily_budget=D("1000")))
    services.market().set_campaign_stats(cstats("c1", spent="800"), cstats("c2", spent="950"))

    first = check_budgets(services)
    deliver_alerts(services)
    services.clock.advance(15 * 60)
    second = check_budgets(services)
    delivered = deliver_alerts(services)

    assert first["warned"] == second["warned"] == 2  # the check warns every time …
    assert delivered == [{"sent": 0, "skipped": "already_alerted_today"}] * 2  # … send_alert drops repeats
    warnings = services.uow().alerts.of_type("budget_warning")
    assert sorted(a.campaign_id for a in warnings if a.campaign_id) == ["1", "2"]
    assert services.market().calls_of("pause_campaign") == []

    services.clock.advance(24 * 3600)  # a new Moscow day warns again
    check_budgets(services)
    deliver_alerts(services)
    assert len(services.uow().alerts.of_type("budget_warning")) == 4


def test_a_campaign_paused_for_its_budget_on_an_earlier_day_is_started_again(services: FakeServices) -> None:
    seed(services, campaign(1, daily_budget=D("1000"), status=CampaignStatus.PAUSED, pause_reason="budget_exceeded"))
    yesterday = services.clock.now() - timedelta(days=1)
    services.uow().alerts.add(
        AlertRecord("marketing", "budget_exceeded", "warning", "paused", yesterday, campaign_id="1")
    )
    services.market().set_campaign_stats(cstats("c1", spent="50"))

    counts = check_budgets(services)

    assert counts["resumed"] == 1
    assert services.market().calls_of("start_campaign") == [("c1",)]
    assert status(services, 1) == (CampaignStatus.ACTIVE, None)
    assert services.queue.enqueued == []


def test_a_campaign_paused_for_its_budget_today_stays_paused(services: FakeServices) -> None:
    seed(services, campaign(1, daily_budget=D("1000"), status=CampaignStatus.PAUSED, pause_reason="budget_exceeded"))
    earlier_today = services.clock.now() - timedelta(hours=2)
    services.uow().alerts.add(
        AlertRecord("marketing", "budget_exceeded", "warning", "paused", earlier_today, campaign_id="1")
    )
    services.market().set_campaign_stats(cstats("c1", spent="50"))  # e.g. the limit was raised meanwhile

    counts = check_budgets(services)

    assert counts["resumed"] == 0 and services.market().calls_of("start_campaign") == []
    assert status(services, 1) == (CampaignStatus.PAUSED, "budget_exceeded")


def test_campaigns_paused_by_hand_or_without_a_limit_are_not_checked(services: FakeServices) -> None:
    seed(services, campaign(1, daily_budget=D("1000"), status=CampaignStatus.PAUSED, pause_reason=None))
    seed(services, campaign(2, daily_budget=None))
    services.market().set_campaign_stats(cstats("c1", spent="0"), cstats("c2", spent="99999"))

    counts = check_budgets(services)

    assert counts["checked"] == 0 and services.market().calls == []
    assert status(services, 1) == (CampaignStatus.PAUSED, None)


def test_a_marketplace_error_is_counted_and_changes_nothing(services: FakeServices) -> None:
    seed(services, campaign(1, daily_budget=D("1000")))
    services.market().set_campaign_stats(cstats("c1", spent="1000"))
    services.market().fail("pause_campaign", "c1")

    counts = check_budgets(services)

    assert counts["errors"] == 1 and counts["paused"] == 0
    assert status(services, 1) == (CampaignStatus.ACTIVE, None)
    assert services.queue.enqueued == []


def test_a_rerun_of_the_same_slot_pauses_and_alerts_once(services: FakeServices) -> None:
    seed(services, campaign(1, daily_budget=D("1000")))
    services.market().set_campaign_stats(cstats("c1", spent="1000"))

    check_budgets(services)
    services.clock.advance(60)  # a redelivery or a retry in the same 15 minutes
    again = check_budgets(services)

    assert services.market().calls_of("pause_campaign") == [("c1",)]
    assert again["paused"] == 0
    assert alert_types(services) == ["budget_exceeded"]


def test_a_pause_that_failed_is_sent_by_the_next_run_and_its_alert_follows_it(services: FakeServices) -> None:
    seed(services, campaign(1, daily_budget=D("1000")))
    services.market().set_campaign_stats(cstats("c1", spent="1000"))
    services.market().fail("pause_campaign", "c1")
    check_budgets(services)
    assert services.queue.enqueued == []

    services.market().heal()
    services.clock.advance(15 * 60)
    counts = check_budgets(services)

    assert status(services, 1) == (CampaignStatus.PAUSED, "budget_exceeded")
    assert counts["paused"] == 1 and len(services.market().calls_of("pause_campaign")) == 2
    assert alert_types(services) == ["budget_exceeded"]
