"""``SqlCampaignRepository``: campaigns and keywords, read and written in bulk.

A bid cycle over 10 000 campaigns × 50 keywords reads its keywords with one query per 1 000
campaigns and writes new bids and pauses with one statement per 10 000 keywords on PostgreSQL
(see ``marketing_bulk``); ``add_many`` loads a whole simulated account in a few statements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Select, insert, select, update
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.marketing_bulk import bulk_insert, bulk_update, chunks
from adolf.adapters.sqlalchemy.marketing_rows import (
    KEYWORD_COLUMNS,
    campaign_from,
    campaign_values,
    keyword_from,
    keyword_values,
)
from adolf.adapters.sqlalchemy.marketing_sync import sync_campaigns
from adolf.adapters.sqlalchemy.tables import campaigns, keywords
from adolf.application.marketing.ports import SyncCounts
from adolf.application.ports.ads_marketplace import RemoteCampaign, RemoteKeyword
from adolf.domain.marketing.campaign import Campaign, CampaignStatus, Keyword, KeywordStatus
from adolf.domain.marketplace import Marketplace

SETTINGS_COLUMNS = (
    "strategy",
    "min_bid",
    "max_bid",
    "daily_budget",
    "target_position",
    "target_drr",
    "target_cpo",
    "safety_overrides",
    "kill_switch",
    "dry_run",
)
_KEYWORD_SELECT = select(*(keywords.c[name] for name in KEYWORD_COLUMNS))


class SqlCampaignRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def active(self, marketplace: Marketplace | None = None) -> list[Campaign]:
        return self._campaigns(self._query(marketplace).where(campaigns.c.status == CampaignStatus.ACTIVE.value))

    def all(self, marketplace: Marketplace | None = None) -> list[Campaign]:
        return self._campaigns(self._query(marketplace))

    def get(self, campaign_id: int) -> Campaign | None:
        row = self.session.execute(select(campaigns).where(campaigns.c.id == campaign_id)).mappings().first()
        return campaign_from(row) if row else None

    def keywords_of(self, campaign_ids: Sequence[int], active_only: bool = True) -> dict[int, list[Keyword]]:
        found: dict[int, list[Keyword]] = {campaign_id: [] for campaign_id in campaign_ids}
        for chunk in chunks(list(found)):
            query = _KEYWORD_SELECT.where(keywords.c.campaign_id.in_(chunk))
            if active_only:
                query = query.where(keywords.c.status == KeywordStatus.ACTIVE.value)
            for row in self.session.execute(query.order_by(keywords.c.campaign_id, keywords.c.id)):
                found[row[1]].append(keyword_from(row))
        return found

    def get_keyword(self, keyword_id: int) -> Keyword | None:
        row = self.session.execute(_KEYWORD_SELECT.where(keywords.c.id == keyword_id)).first()
        return keyword_from(row) if row else None

    def set_status(self, campaign_id: int, status: CampaignStatus, reason: str | None = None) -> None:
        self.session.execute(
            update(campaigns)
            .where(campaigns.c.id == campaign_id)
            .values(status=status.value, pause_reason=reason, updated_at=datetime.now(UTC))
        )

    def save_settings(self, campaign: Campaign) -> None:
        values = campaign_values(campaign, datetime.now(UTC))
        self.session.execute(
            update(campaigns)
            .where(campaigns.c.id == campaign.id)
            .values({name: values[name] for name in (*SETTINGS_COLUMNS, "updated_at")})
        )

    def set_constraints(self, constraints: Sequence[tuple[int, str | None]]) -> None:
        bulk_update(self.session, campaigns, ("binding_constraint",), constraints)

    def set_bids(self, bids: Sequence[tuple[int, Decimal]]) -> None:
        bulk_update(self.session, keywords, ("bid",), bids)

    def pause_keywords(self, pauses: Sequence[tuple[int, str]]) -> None:
        bulk_update(self.session, keywords, ("pause_reason",), pauses, status=KeywordStatus.PAUSED.value)

    def sync(
        self,
        marketplace: Marketplace,
        campaigns: Sequence[RemoteCampaign],
        keywords: Mapping[str, Sequence[RemoteKeyword]],
        default_brand: str,
    ) -> SyncCounts:
        return sync_campaigns(self.session, marketplace, campaigns, keywords, default_brand, datetime.now(UTC))

    def add(self, campaign: Campaign, keywords: Sequence[Keyword] = ()) -> Campaign:
        return self.add_many([(campaign, keywords)])[0]

    def add_many(self, items: Sequence[tuple[Campaign, Sequence[Keyword]]]) -> list[Campaign]:
        """``add`` for many campaigns at once: one multi-row INSERT … RETURNING for the
        campaigns, one bulk insert for all their keywords."""
        if not items:
            return []
        now = datetime.now(UTC)
        ids = (
            self.session.execute(
                insert(campaigns).returning(campaigns.c.id, sort_by_parameter_order=True),
                [campaign_values(campaign, now) for campaign, _ in items],
            )
            .scalars()
            .all()
        )
        rows = [keyword_values(k, cid) for cid, (_, kws) in zip(ids, items, strict=True) for k in kws]
        if rows:
            bulk_insert(self.session, keywords, rows)
        return [replace(campaign, id=cid) for cid, (campaign, _) in zip(ids, items, strict=True)]

    @staticmethod
    def _query(marketplace: Marketplace | None) -> Select[tuple[object, ...]]:
        query = select(campaigns).order_by(campaigns.c.id)
        return query if marketplace is None else query.where(campaigns.c.marketplace == marketplace.value)

    def _campaigns(self, query: Select[tuple[object, ...]]) -> list[Campaign]:
        return [campaign_from(row) for row in self.session.execute(query).mappings()]
