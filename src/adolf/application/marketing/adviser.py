"""The embedded language model: a deterministic, rule-based adviser.

It answers the ``LanguageModel`` port without any network: one recommendation per campaign,
from the worst finding. A deployment with an API key may plug a real model in instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from adolf.application.marketing.ports import AnalyticsFinding

ADVICE = {
    ("anomaly", "drr"): "DRR jumped: check keywords with spend and no orders, lower target_drr bids.",
    ("anomaly", "spent"): "Spend moved sharply: check budgets and competitor bids.",
    ("anomaly", "orders"): "Orders moved sharply: check stock, price and the card before touching bids.",
    ("anomaly", "ctr"): "CTR moved sharply: check the card's main photo and position.",
    ("trend", "drr"): "DRR is trending: revisit the campaign's target DRR.",
    ("trend", "spent"): "Spend is trending: review the daily budget.",
    ("trend", "orders"): "Orders are trending: adjust bids to the new demand.",
    ("trend", "ctr"): "CTR is trending: test a new creative or phrase set.",
}
PRIORITY = ["anomaly", "trend"]


class RuleBasedAdviser:
    def recommend(self, findings: Sequence[AnalyticsFinding]) -> list[tuple[int, str]]:
        best: dict[int, AnalyticsFinding] = {}
        for finding in findings:
            current = best.get(finding.campaign_id)
            if current is None or PRIORITY.index(finding.kind) < PRIORITY.index(current.kind):
                best[finding.campaign_id] = finding
        return [
            (cid, f"{f.campaign_name}: {ADVICE.get((f.kind, f.metric), f.detail)} ({f.detail})")
            for cid, f in sorted(best.items())
        ]
