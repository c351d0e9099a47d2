"""Port: the language model that reads an item and drafts its answer (SPEC §3 ``analyze_item``,
``generate_response``, ``regenerate_response``).

The item's text is untrusted: adapters hand it to the model as data, never as instructions, and
whatever a model drafts goes through the domain's draft checks before anyone may publish it.
A manager's ``instructions`` (``regenerate_response``) are trusted: they come from a signed-in
manager.

``LanguageModelError``: the model could not answer now (timeout, outage, the day's token budget
spent) — the job retries; a reply that cannot be read is the same error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from adolf.domain.reputation.items import Item, Sentiment, Urgency


class LanguageModelError(Exception):
    """The model gave no usable answer now; a later attempt may."""


@dataclass(frozen=True, slots=True)
class Reading:
    """What the model read in an item."""

    sentiment: Sentiment
    urgency: Urgency
    topics: tuple[str, ...]
    model: str


@dataclass(frozen=True, slots=True)
class Draft:
    text: str
    model: str


class ReputationModel(Protocol):
    def analyze(self, item: Item) -> Reading: ...

    def draft(self, item: Item, reading: Reading, instructions: str | None = None) -> Draft:
        """An answer to ``item`` in Russian, following ``instructions`` when a manager gave any."""
