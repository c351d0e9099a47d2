"""``marketing.apply_bid_change``: one bid change by hand or from another module.

Idempotent: the key is claimed in the same transaction as the change, and the marketplace
call carries it too, so a redelivered job neither double-writes nor double-sends.
"""

from __future__ import annotations

from typing import Any

from adolf.application.bounds import BidAmount, Id, Key, Text
from adolf.application.marketing.ports import BidChangeRecord, MarketingServices
from adolf.application.ports.ads_marketplace import BidChange


class BidChangeRefused(ValueError):
    """The change cannot be applied as asked; the message names the field and value."""


def apply_bid_change(
    services: MarketingServices, keyword_id: Id, bid: BidAmount, idempotency_key: Key, reason: Text = "manual"
) -> dict[str, Any]:
    now = services.clock.now()
    with services.uow() as uow:
        keyword = uow.campaigns.get_keyword(keyword_id)
        if keyword is None:
            raise BidChangeRefused(f"keyword_id={keyword_id} does not exist")
        campaign = uow.campaigns.get(keyword.campaign_id)
        assert campaign is not None
        if not campaign.min_bid <= bid <= campaign.max_bid:
            raise BidChangeRefused(
                f"bid={bid} for keyword_id={keyword_id} is outside [{campaign.min_bid}, {campaign.max_bid}] "
                f"of campaign {campaign.id}"
            )
        if keyword.marketplace_min_bid is not None and bid < keyword.marketplace_min_bid:
            raise BidChangeRefused(
                f"bid={bid} for keyword_id={keyword_id} is below the marketplace's minimum {keyword.marketplace_min_bid}"
            )
        if not uow.idempotency.claim(idempotency_key, "marketing.apply_bid_change", now):
            return {"applied": False, "skipped": "duplicate", "idempotency_key": idempotency_key}
        api = services.marketplace(campaign.marketplace)
        result = api.update_bids(campaign.external_id, [BidChange(keyword.external_id, bid)], idempotency_key)
        if keyword.external_id not in result.applied:
            raise BidChangeRefused(f"the marketplace refused bid={bid} for keyword_id={keyword_id}: {result.rejected}")
        uow.campaigns.set_bids([(keyword.id, bid)])
        uow.bid_history.add_many(
            [
                BidChangeRecord(
                    keyword.id,
                    campaign.id,
                    keyword.bid,
                    bid,
                    reason,
                    campaign.strategy.value,
                    reason,
                    now,
                    idempotency_key,
                )
            ]
        )
        uow.commit()
    return {"applied": True, "keyword_id": keyword_id, "old_bid": str(keyword.bid), "new_bid": str(bid)}
