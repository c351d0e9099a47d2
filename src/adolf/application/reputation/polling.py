"""The six polls ``reputation.poll_{wb,ozon,ym}_{reviews,questions}`` (every 5 min, staggered;
SPEC §3 Reputation, §4.6; seed 002 ``_poll_items``).

One poll, for one (platform, item type), over every configured brand:

1. asks the circuit breaker ``{platform}:{item_type}`` (shared by all workers) for a permit;
   refused → ``{"status": "circuit_open"}`` and nothing is called;
2. fetches each brand's unanswered items created since its high-water mark minus
   ``LOOK_BACK`` (below), and reports the outcome to the breaker: a ``MarketplaceError`` is a
   failure and fails the job (the runtime retries it 3 × 60 s), every brand fetched is a
   success. Any other error is ours, not the marketplace's, and is not reported (a probe
   that never reports is replaced after the policy's ``probe_timeout``). A transition the
   report or the acquire made is logged and counted on the status board
   (``reputation:breaker_transitions:{key}``);
3. inserts the items not known yet in one set-based statement (``add_new``: duplicates by
   (platform, type, external id) are left alone) and records ``analyze_item`` for each new id
   in the same transaction (the outbox), queued after the commit.

It answers the counts: ``fetched`` (items that parsed), ``new``, ``duplicates`` (fetched but
known, or twice in the page), ``skipped`` (malformed, as the adapter counted them) and the
breaker's state after the poll.

Where a poll starts (``since``): the newest ``created_at`` a poll of that platform, type and
brand has seen, kept on the status board (``reputation:poll:{platform}:{type}:{brand}``,
30 days), minus ``LOOK_BACK``. The margin takes in items a marketplace shows late (WB
moderates reviews before showing them, dated when written); what it brings back twice the
dedupe drops. The mark moves only forward and only after the insert has committed, so a
failed poll never skips an item. No mark (first poll, board lost) → ``since=None``: everything
still unanswered, deduped the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from adolf.application.ports.ads_marketplace import Fetched, MarketplaceError
from adolf.application.reputation import dispatch
from adolf.application.reputation.circuit_breaker import Permit, Transition
from adolf.application.reputation.office_reporting import reporter
from adolf.application.reputation.ports import ReputationServices
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.circuit import breaker_key
from adolf.domain.reputation.items import Item, ItemType, platform_of

log = logging.getLogger(__name__)

LOOK_BACK = timedelta(days=1)
MARK_TTL = 30 * 24 * 3600
TRANSITIONS_TTL = 7 * 24 * 3600


def mark_key(platform: Marketplace, item_type: ItemType, brand: str) -> str:
    return f"reputation:poll:{platform.value}:{item_type.value}:{brand}"


def poll(services: ReputationServices, platform: Marketplace | str, item_type: ItemType | str) -> dict[str, Any]:
    mp, kind = platform_of(platform), ItemType.parse(item_type)
    key = breaker_key(mp.value, kind.value)
    report: dict[str, Any] = {"platform": mp.value, "item_type": kind.value}
    permit = services.circuit_breaker.acquire(key, services.clock.now())
    _note(services, permit.transition)
    if not permit.allowed:
        log.info("poll %s: circuit %s, the marketplace is not called", key, permit.state.value)
        return {"status": "circuit_open", **report, "breaker": permit.state.value}
    office = reporter(services, mp)
    office.report_working(f"polling {kind.value}s of {mp.value}")
    pages = _fetch(services, permit, mp, kind)
    after = _note(services, services.circuit_breaker.succeeded(permit, services.clock.now()))
    items = [item for _, page in pages for item in page.items]
    now = services.clock.now()
    with services.uow() as uow:
        new_ids = uow.reputation_items.add_new(items, now) if items else []
        keys = dispatch.record(uow, [dispatch.step(dispatch.ANALYZE, item_id, now) for item_id in new_ids])
        uow.commit()
    for brand, page in pages:
        _advance_mark(services, mp, kind, brand, page.items)
    flushed = dispatch.flush(services, keys)
    office.report_idle()
    return {
        "status": "ok",
        **report,
        "fetched": len(items),
        "new": len(new_ids),
        "duplicates": len(items) - len(new_ids),
        "skipped": sum(len(page.skipped) for _, page in pages),
        "analyze_enqueued": flushed.enqueued,
        "breaker": (after.after if after else permit.state).value,
    }


def _fetch(
    services: ReputationServices, permit: Permit, mp: Marketplace, kind: ItemType
) -> list[tuple[str, Fetched[Item]]]:
    pages = []
    try:
        for brand in services.brands:
            pages.append(
                (brand, services.reputation_marketplace.fetch(mp, kind, brand, _since(services, mp, kind, brand)))
            )
    except MarketplaceError as exc:
        _note(services, services.circuit_breaker.failed(permit, services.clock.now()))
        reporter(services, mp).report_error(f"{mp.value} {kind.value}s: {exc}")
        log.warning("poll %s failed: %s", permit.key, exc)
        raise
    return pages


def _since(services: ReputationServices, mp: Marketplace, kind: ItemType, brand: str) -> datetime | None:
    newest = _mark(services, mp, kind, brand)
    return None if newest is None else newest - LOOK_BACK


def _mark(services: ReputationServices, mp: Marketplace, kind: ItemType, brand: str) -> datetime | None:
    text = services.status_board.get(mark_key(mp, kind, brand)).get("newest", "")
    try:
        newest = datetime.fromisoformat(text)
    except ValueError:
        return None
    return newest if newest.tzinfo is not None else None


def _advance_mark(
    services: ReputationServices, mp: Marketplace, kind: ItemType, brand: str, items: Sequence[Item]
) -> None:
    if not items:
        return
    newest = max(item.created_at for item in items)
    known = _mark(services, mp, kind, brand)
    if known is None or newest > known:
        services.status_board.put(mark_key(mp, kind, brand), {"newest": newest.isoformat()}, MARK_TTL)


def _note(services: ReputationServices, transition: Transition | None) -> Transition | None:
    if transition is not None:
        log.info(
            "circuit %s: %s → %s at %s",
            transition.key,
            transition.before.value,
            transition.after.value,
            transition.at.isoformat(),
        )
        services.status_board.incr(f"reputation:breaker_transitions:{transition.key}", 1, TRANSITIONS_TTL)
    return transition


def poll_wb_reviews(services: ReputationServices) -> dict[str, Any]:
    return poll(services, Marketplace.WB, ItemType.REVIEW)


def poll_wb_questions(services: ReputationServices) -> dict[str, Any]:
    return poll(services, Marketplace.WB, ItemType.QUESTION)


def poll_ozon_reviews(services: ReputationServices) -> dict[str, Any]:
    return poll(services, Marketplace.OZON, ItemType.REVIEW)


def poll_ozon_questions(services: ReputationServices) -> dict[str, Any]:
    return poll(services, Marketplace.OZON, ItemType.QUESTION)


def poll_ym_reviews(services: ReputationServices) -> dict[str, Any]:
    return poll(services, Marketplace.YM, ItemType.REVIEW)


def poll_ym_questions(services: ReputationServices) -> dict[str, Any]:
    return poll(services, Marketplace.YM, ItemType.QUESTION)
