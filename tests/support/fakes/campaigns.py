"""``FakeCampaignRepository``: campaigns and keywords in dicts, with the SQL repository's
rules for bulk writes and for ``sync`` (upsert what the marketplace lists)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from adolf.application.marketing.ports import SyncCounts
from adolf.application.ports.ads_marketplace import RemoteCampaign, RemoteKeyword
from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign import Campaign, CampaignStatus, Keyword, KeywordStatus
from adolf.domain.marketing.default_bounds import default_bounds
from adolf.domain.marketplace import Marketplace
from tests.support.fakes.state import Stateful


def _status(remote: str) -> CampaignStatus:
    return CampaignStatus.ACTIVE if remote.strip().lower() == "active" else CampaignStatus.PAUSED


class FakeCampaignRepository(Stateful):
    """Campaigns and keywords by id. ``add`` keeps ids given (> 0 and free), else assigns the next."""

    def __init__(self) -> None:
        self.campaigns: dict[int, Campaign] = {}
        self.keywords: dict[int, Keyword] = {}

    # -- reads
    def active(self, marketplace: Marketplace | None = None) -> list[Campaign]:
        return [c for c in self.all(marketplace) if c.status is CampaignStatus.ACTIVE]

    def all(self, marketplace: Marketplace | None = None) -> list[Campaign]:
        return [c for _, c in sorted(self.campaigns.items()) if marketplace is None or c.marketplace is marketplace]

    def get(self, campaign_id: int) -> Campaign | None:
        return self.campaigns.get(campaign_id)

    def keywords_of(self, campaign_ids: Sequence[int], active_only: bool = True) -> dict[int, list[Keyword]]:
        found: dict[int, list[Keyword]] = {cid: [] for cid in campaign_ids}
        for _, kw in sorted(self.keywords.items()):
            if kw.campaign_id in found and (kw.is_active or not active_only):
                found[kw.campaign_id].append(kw)
        return found

    def get_keyword(self, keyword_id: int) -> Keyword | None:
        return self.keywords.get(keyword_id)

    # -- writes
    def set_status(self, campaign_id: int, status: CampaignStatus, reason: str | None = None) -> None:
        if campaign_id in self.campaigns:
            self.campaigns[campaign_id] = replace(self.campaigns[campaign_id], status=status, pause_reason=reason)

    def save_settings(self, campaign: Campaign) -> None:
        if campaign.id in self.campaigns:
            current = self.campaigns[campaign.id]
            # what an operator sets; status, names and ids stay the repository's
            self.campaigns[campaign.id] = replace(
                campaign,
                status=current.status,
                pause_reason=current.pause_reason,
                name=current.name,
                external_id=current.external_id,
                marketplace=current.marketplace,
                brand=current.brand,
            )

    def set_constraints(self, constraints: Sequence[tuple[int, str | None]]) -> None:
        for campaign_id, constraint in constraints:
            if campaign_id in self.campaigns:
                self.campaigns[campaign_id] = replace(self.campaigns[campaign_id], binding_constraint=constraint)

    def set_bids(self, bids: Sequence[tuple[int, Decimal]]) -> None:
        for keyword_id, bid in bids:
            if keyword_id in self.keywords:
                self.keywords[keyword_id] = replace(self.keywords[keyword_id], bid=bid)

    def pause_keywords(self, pauses: Sequence[tuple[int, str]]) -> None:
        for keyword_id, reason in pauses:
            if keyword_id in self.keywords:
                self.keywords[keyword_id] = replace(
                    self.keywords[keyword_id], status=KeywordStatus.PAUSED, pause_reason=reason
                )

    def add(self, campaign: Campaign, keywords: Sequence[Keyword] = ()) -> Campaign:
        cid = (
            campaign.id if campaign.id > 0 and campaign.id not in self.campaigns else max(self.campaigns, default=0) + 1
        )
        stored = replace(campaign, id=cid)
        self.campaigns[cid] = stored
        for kw in keywords:
            kid = kw.id if kw.id > 0 and kw.id not in self.keywords else max(self.keywords, default=0) + 1
            self.keywords[kid] = replace(kw, id=kid, campaign_id=cid)
        return stored

    def add_many(self, items: Sequence[tuple[Campaign, Sequence[Keyword]]]) -> list[Campaign]:
        return [self.add(campaign, keywords) for campaign, keywords in items]

    def sync(
        self,
        marketplace: Marketplace,
        campaigns: Sequence[RemoteCampaign],
        keywords: Mapping[str, Sequence[RemoteKeyword]],
        default_brand: str,
    ) -> SyncCounts:
        """Upsert, as ``SqlCampaignRepository.sync``: new campaigns are ``manual`` with bounds
        0 … their highest bid; a remote budget of None keeps the local one; only real changes count."""
        by_external = {c.external_id: c for c in self.all(marketplace)}
        added = updated = 0
        for remote in {c.external_id: c for c in campaigns}.values():
            local = by_external.get(remote.external_id)
            status = _status(remote.status)
            if local is None:
                remote_keywords = keywords.get(remote.external_id, ())
                min_bid, max_bid = default_bounds(
                    marketplace, [k.bid for k in remote_keywords], [k.min_bid for k in remote_keywords]
                )
                local = self.add(
                    Campaign(
                        id=0,
                        marketplace=marketplace,
                        external_id=remote.external_id,
                        name=remote.name,
                        brand=default_brand,
                        status=status,
                        strategy=StrategyType.MANUAL,
                        min_bid=min_bid,
                        max_bid=max_bid,
                        daily_budget=remote.daily_budget,
                    )
                )
                by_external[remote.external_id] = local
                added += 1
                continue
            wanted = replace(
                local,
                name=remote.name,
                status=status,
                daily_budget=remote.daily_budget if remote.daily_budget is not None else local.daily_budget,
                pause_reason=local.pause_reason if status is CampaignStatus.PAUSED else None,
            )
            if wanted != local:
                self.campaigns[local.id] = wanted
                updated += 1
        kw_added = kw_updated = 0
        for external_id, remotes in keywords.items():
            campaign = by_external.get(external_id)
            if campaign is None:
                continue
            existing = {k.external_id: k for k in self.keywords.values() if k.campaign_id == campaign.id}
            for remote_kw in {k.external_id: k for k in remotes}.values():
                status_kw = KeywordStatus(_status(remote_kw.status).value)
                local_kw = existing.get(remote_kw.external_id)
                if local_kw is None:
                    self.add_keyword(
                        Keyword(
                            id=0,
                            campaign_id=campaign.id,
                            external_id=remote_kw.external_id,
                            phrase=remote_kw.phrase,
                            bid=remote_kw.bid,
                            status=status_kw,
                            marketplace_min_bid=remote_kw.min_bid,
                        )
                    )
                    kw_added += 1
                    continue
                wanted_kw = replace(
                    local_kw,
                    phrase=remote_kw.phrase,
                    bid=remote_kw.bid,
                    status=status_kw,
                    marketplace_min_bid=remote_kw.min_bid,
                    pause_reason=local_kw.pause_reason if status_kw is KeywordStatus.PAUSED else None,
                )
                if wanted_kw != local_kw:
                    self.keywords[local_kw.id] = wanted_kw
                    kw_updated += 1
        return SyncCounts(added, updated, kw_added, kw_updated)

    def add_keyword(self, keyword: Keyword) -> Keyword:
        kid = keyword.id if keyword.id > 0 and keyword.id not in self.keywords else max(self.keywords, default=0) + 1
        self.keywords[kid] = replace(keyword, id=kid)
        return self.keywords[kid]
