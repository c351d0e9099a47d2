"""``SqlAnalysisRepository``: what the language model read in an item, one analysis per item
(``save`` replaces it: a re-analysis, a redelivered ``analyze_item``). Topics are stored as a
JSON array in TEXT (reputation_tables.py says why)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.reputation_rows import topics_from, topics_text, upsert_by_item
from adolf.adapters.sqlalchemy.reputation_tables import reputation_analyses
from adolf.adapters.sqlalchemy.timestamps import utc
from adolf.domain.reputation.items import Analysis

_a = reputation_analyses.c


class SqlAnalysisRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def save(self, analysis: Analysis) -> None:
        upsert_by_item(
            self.session,
            reputation_analyses,
            {
                "item_id": analysis.item_id,
                "sentiment": analysis.sentiment.value,
                "urgency": analysis.urgency.value,
                "topics": topics_text(analysis.topics),
                "model": analysis.model,
                "analyzed_at": utc(analysis.analyzed_at),
            },
        )

    def get(self, item_id: int) -> Analysis | None:
        row = self.session.execute(select(reputation_analyses).where(_a.item_id == item_id)).one_or_none()
        if row is None:
            return None
        return Analysis(
            item_id=int(row.item_id),
            sentiment=row.sentiment,
            urgency=row.urgency,
            model=row.model,
            analyzed_at=utc(row.analyzed_at),
            topics=topics_from(row.topics),
        )
