"""``marketing.sync_campaigns`` (hourly): campaigns and keywords as the marketplaces have them."""

from __future__ import annotations

from typing import Any

from adolf.application.marketing.ports import MarketingServices
from adolf.application.ports.ads_marketplace import MarketplaceError, RemoteKeyword


def sync_campaigns(services: MarketingServices) -> dict[str, Any]:
    report: dict[str, Any] = {}
    default_brand = services.brands[0] if services.brands else "all"
    for marketplace in services.marketplaces:
        api = services.marketplace(marketplace)
        try:
            campaigns = api.list_campaigns()
        except MarketplaceError as exc:
            report[marketplace.value] = {"error": str(exc)}
            continue
        keywords: dict[str, list[RemoteKeyword]] = {}
        errors = 0
        skipped = len(campaigns.skipped)
        for campaign in campaigns.items:
            try:
                fetched = api.list_keywords(campaign.external_id)
            except MarketplaceError:
                errors += 1
                continue
            keywords[campaign.external_id] = list(fetched.items)
            skipped += len(fetched.skipped)
        with services.uow() as uow:
            counts = uow.campaigns.sync(marketplace, campaigns.items, keywords, default_brand)
            uow.commit()
        report[marketplace.value] = {
            "campaigns": len(campaigns.items),
            "added": counts.campaigns_added,
            "keywords_added": counts.keywords_added,
            "skipped_rows": skipped,
            "errors": errors,
        }
    return report
