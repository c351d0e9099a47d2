"""Operators set a campaign's strategy, bounds, targets and safety overrides (CLI, API).

The rules live in ``adolf.domain.marketing.campaign_settings``; this use case loads the
campaign, applies the change as a whole and stores it in one transaction, so a refused change
writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from adolf.application.marketing.ports import MarketingUnitOfWork
from adolf.domain.errors import DomainError
from adolf.domain.marketing.campaign import Campaign
from adolf.domain.marketing.campaign_settings import change_settings


class CampaignNotFound(DomainError):
    """No campaign has this id."""


def update_campaign_settings(
    uow: Callable[[], MarketingUnitOfWork],
    campaign_id: int,
    changes: Mapping[str, object],
    safety: Mapping[str, object] | None = None,
) -> Campaign:
    with uow() as work:
        campaign = work.campaigns.get(campaign_id)
        if campaign is None:
            raise CampaignNotFound(f"campaign_id={campaign_id} does not exist")
        updated = change_settings(campaign, changes, safety)
        work.campaigns.save_settings(updated)
        work.commit()
    return updated
