"""Operators change a campaign's settings: stored whole, or not at all."""

from __future__ import annotations

import pytest

from adolf.application.marketing.campaign_settings import CampaignNotFound, update_campaign_settings
from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign_settings import InvalidCampaignSettings
from tests.support.fakes import FakeServices
from tests.unit.application.builders import D, campaign, seed


def test_a_change_is_stored_and_the_rest_of_the_campaign_kept(services: FakeServices) -> None:
    seed(services, campaign(1, strategy=StrategyType.MANUAL, target_drr=None))

    updated = update_campaign_settings(
        services.uow, 1, {"strategy": "target_cpo", "target_cpo": "250", "kill_switch": "true"}, {"max_drr": "25"}
    )

    stored = services.uow().campaigns.get(1)
    assert stored == updated
    assert (stored.strategy, stored.target_cpo, stored.kill_switch) == (StrategyType.TARGET_CPO, D("250"), True)
    assert stored.safety.max_drr == D("25") and stored.min_bid == D("10") and stored.name == "Campaign 1"


def test_a_refused_change_writes_nothing(services: FakeServices) -> None:
    before = seed(services, campaign(1))

    with pytest.raises(InvalidCampaignSettings, match="max_bid=5 is below min_bid=10"):
        update_campaign_settings(services.uow, 1, {"strategy": "manual", "max_bid": "5"})

    assert services.uow().campaigns.get(1) == before


def test_an_unknown_campaign_is_named(services: FakeServices) -> None:
    with pytest.raises(CampaignNotFound, match="campaign_id=42 does not exist"):
        update_campaign_settings(services.uow, 42, {"dry_run": True})
