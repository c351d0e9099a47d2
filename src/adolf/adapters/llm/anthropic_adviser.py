"""Recommendations written by Claude through the Anthropic Messages API.

Optional (``pip install 'adolf[llm]'``) and on only when ``ADOLF_ANTHROPIC_API_KEY`` is set. The
rule-based adviser stays underneath: an API error, an answer that cannot be read or the day's token
budget spent costs a campaign the model's wording of its advice, never the analytics run — the
findings are the same either way. The client (timeouts, retries, the daily token budget) is
``anthropic_client.AnthropicClient``, shared with Reputation's model.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import anthropic
import structlog

from adolf.adapters.llm.anthropic_client import TIMEOUT, AnthropicClient, BudgetSpent, build_anthropic_client
from adolf.application.marketing.ports import AnalyticsFinding, LanguageModel

SYSTEM_PROMPT = (
    "You advise a marketplace seller's advertising manager (Wildberries, Ozon, Yandex Market). "
    "For each campaign you are given the anomalies and trends found in its daily statistics "
    "(spent in roubles, orders, DRR = ad spend / revenue in %, CTR in %). Write one short, concrete "
    "recommendation per campaign (at most 300 characters), in Russian, that a manager can act on today. "
    "Answer with JSON only: "
    'a list of objects {"campaign_id": <int>, "recommendation": <string>}, one per campaign given.'
)
MAX_TEXT = 600  # a recommendation is a line in a report, not an essay
# 20 answers of ≤ 300 Cyrillic characters stay well inside MAX_TOKENS; a cut-off answer is unreadable JSON.
CAMPAIGNS_PER_REQUEST = 20
MAX_TOKENS = 8192


class UnreadableAnswer(ValueError):
    """The model answered, but not with the JSON list it was asked for."""


class AnthropicAdviser:
    def __init__(
        self,
        client: AnthropicClient,
        fallback: LanguageModel,
        *,
        campaigns_per_request: int = CAMPAIGNS_PER_REQUEST,
        max_tokens: int = MAX_TOKENS,
    ) -> None:
        self._client = client
        self._model = client.model
        self._fallback = fallback
        self._batch = campaigns_per_request
        self._max_tokens = max_tokens
        self._log = structlog.get_logger("adolf.llm")

    def recommend(self, findings: Sequence[AnalyticsFinding]) -> list[tuple[int, str]]:
        by_campaign: dict[int, list[AnalyticsFinding]] = defaultdict(list)
        for finding in findings:
            by_campaign[finding.campaign_id].append(finding)
        ids = sorted(by_campaign)
        advice: dict[int, str] = {}
        for start in range(0, len(ids), self._batch):
            chunk = ids[start : start + self._batch]
            subset = [f for cid in chunk for f in by_campaign[cid]]
            try:
                answer = self._ask(subset, set(chunk))
            except (anthropic.APIError, UnreadableAnswer, BudgetSpent) as exc:
                # The exception's text may quote the request; its type and status are enough to act on.
                self._log.warning(
                    "llm.fallback",
                    model=self._model,
                    campaigns=len(chunk),
                    reason=type(exc).__name__,
                    status=getattr(exc, "status_code", None),
                )
                answer = {}
            missing = [f for f in subset if f.campaign_id not in answer]
            if missing and answer:
                self._log.warning(
                    "llm.partial_answer", model=self._model, missing=len({f.campaign_id for f in missing})
                )
            answer.update(self._fallback.recommend(missing))
            advice.update(answer)
        return sorted(advice.items())

    def _ask(self, findings: Sequence[AnalyticsFinding], wanted: set[int]) -> dict[int, str]:
        request = json.dumps(_request(findings), ensure_ascii=False)
        text = self._client.ask(SYSTEM_PROMPT, request, max_tokens=self._max_tokens)
        return _read_answer(text, wanted)


def _request(findings: Sequence[AnalyticsFinding]) -> list[dict[str, Any]]:
    campaigns: dict[int, dict[str, Any]] = {}
    for f in findings:
        entry = campaigns.setdefault(
            f.campaign_id, {"campaign_id": f.campaign_id, "name": f.campaign_name, "findings": []}
        )
        entry["findings"].append({"kind": f.kind, "metric": f.metric, "detail": f.detail})
    return list(campaigns.values())


def _read_answer(text: str, wanted: set[int]) -> dict[int, str]:
    """The recommendations for the campaigns asked about; anything else in the answer is ignored."""
    start, end = text.find("["), text.rfind("]")
    if start < 0 or end < start:
        raise UnreadableAnswer(f"no JSON list in the answer ({len(text)} characters)")
    try:
        items = json.loads(text[start : end + 1])
    except json.JSONDecodeError as exc:
        raise UnreadableAnswer(f"answer is not JSON: {exc.msg} at {exc.pos}") from exc
    advice: dict[int, str] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        cid, recommendation = item.get("campaign_id"), item.get("recommendation")
        if isinstance(cid, str) and cid.strip().isdigit():
            cid = int(cid)
        if isinstance(cid, int) and cid in wanted and isinstance(recommendation, str) and recommendation.strip():
            advice.setdefault(cid, " ".join(recommendation.split())[:MAX_TEXT])
    if not advice:
        raise UnreadableAnswer("the answer names none of the campaigns asked about")
    return advice


def build_anthropic_adviser(
    api_key: str,
    model: str,
    fallback: LanguageModel,
    *,
    base_url: str | None = None,
    timeout: float = TIMEOUT,
    client: AnthropicClient | None = None,
) -> AnthropicAdviser:
    """The adviser on ``client`` when given (the process's one client, shared with Reputation), else
    on a client of its own built from the key."""
    shared = client or build_anthropic_client(api_key, model, base_url=base_url, timeout=timeout)
    return AnthropicAdviser(shared, fallback)
