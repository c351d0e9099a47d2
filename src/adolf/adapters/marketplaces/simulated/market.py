"""The simulated marketplaces' server side: raw, JSON-like answers, in wire units.

``SimulatedMarket`` plays WB, Ozon and YM at once. Its methods are what the three APIs
would answer (dict rows, ids as strings, bids in each marketplace's wire unit, money as
decimal strings); ``SimulatedAdsMarketplace`` (``adapter.py``) is the client that talks to it.
Every method accrues the campaigns it touches up to ``clock.now()`` first, inside one state
transaction, so any number of processes sharing a ``SqlSimState`` see one market.

Stats are kept for the current Moscow day and the one before; other days are refused.
Idempotency keys of bid updates are remembered for today and yesterday (at least 24 hours).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING

from adolf.application.ports.ads_marketplace import MarketplaceRejected
from adolf.application.ports.clock import Clock
from adolf.domain.marketplace import Marketplace

from . import rows, wire
from .dynamics import ZERO, Totals, accrue, freeze, keyword_totals
from .model import CampaignModel, generate_campaign
from .rates import Rates, compile_rates
from .rows import RawRow
from .state import CLOSED_FIELDS, CampaignState, SimMeta, SimStateStore, SimStateTxn
from .timeline import day_of, step_at

if TYPE_CHECKING:
    from .adapter import SimulatedAdsMarketplace
    from .faults import Faults

_CHUNK = 500  # campaigns per transaction when accruing everything


class UnknownEntity(LookupError):
    """No such campaign or keyword in this market."""


class SimulatedMarket:
    def __init__(self, meta: SimMeta, clock: Clock, state: SimStateStore) -> None:
        self.meta = meta
        self.clock = clock
        self.state = state
        self._models: dict[str, CampaignModel] = {}
        self._rates: dict[str, Rates] = {}
        self._adapters: dict[Marketplace, SimulatedAdsMarketplace] = {}
        self._pruned: date | None = None

    # -- the static market -------------------------------------------------------------

    def campaign_ids(self, marketplace: Marketplace) -> list[str]:
        return [wire.campaign_id(marketplace, i) for i in range(self.meta.campaigns_per_marketplace)]

    def model(self, campaign_id: str) -> CampaignModel:
        model = self._models.get(campaign_id)
        if model is None:
            parsed = wire.parse_campaign_id(campaign_id)
            if parsed is None or parsed[1] >= self.meta.campaigns_per_marketplace:
                raise UnknownEntity(f"no campaign {campaign_id!r}")
            model = generate_campaign(self.meta.seed, parsed[0], parsed[1], self.meta.keywords_per_campaign)
            self._models[campaign_id] = model
        return model

    def competitor_bids(self, keyword_external_id: str) -> tuple[Decimal, ...]:
        """The competitors' bids on a keyword, highest first, in rubles (YM: percent)."""
        model, index = self._keyword(keyword_external_id)
        return tuple(Decimal(bid).scaleb(-2) for bid in model.competitors(index))

    def _keyword(self, keyword_external_id: str) -> tuple[CampaignModel, int]:
        parsed = wire.parse_keyword_id(keyword_external_id)
        if parsed is None or parsed[1] >= self.meta.keywords_per_campaign:
            raise UnknownEntity(f"no keyword {keyword_external_id!r}")
        return self.model(parsed[0]), parsed[1]

    def _campaign(self, marketplace: Marketplace, campaign_id: str) -> CampaignModel:
        try:
            model = self.model(campaign_id)
        except UnknownEntity:
            model = None
        if model is None or model.marketplace is not marketplace:
            raise MarketplaceRejected(f"{marketplace}: no campaign {campaign_id!r}")
        return model

    def adapter(self, marketplace: Marketplace, faults: Faults | None = None) -> SimulatedAdsMarketplace:
        """This market's client for one marketplace (one instance per marketplace; ``faults``,
        if given, replaces that instance's faults)."""
        from .adapter import SimulatedAdsMarketplace

        adapter = self._adapters.get(marketplace)
        if adapter is None:
            adapter = self._adapters[marketplace] = SimulatedAdsMarketplace(self, marketplace)
        if faults is not None:
            adapter.faults = faults
        return adapter

    # -- time ----------------------------------------------------------------------------

    def today(self) -> date:
        return day_of(step_at(self.clock.now()))

    def advance_to(self, moment: datetime | None = None) -> None:
        """Accrue every campaign up to ``moment`` (default: now); lazily done by every call
        anyway, this only moves the work to a moment of the caller's choosing."""
        now = self.clock.now()
        if moment is not None and moment > now:
            raise ValueError(f"cannot advance to {moment.isoformat()}: the clock says {now.isoformat()}")
        until = step_at(moment or now)
        ids = [cid for mp in Marketplace for cid in self.campaign_ids(mp)]
        for start in range(0, len(ids), _CHUNK):
            with self._transaction() as tx:
                tx.save(state for _model, state in self._touch(tx, ids[start : start + _CHUNK], until))

    @contextmanager
    def _transaction(self, *, write: bool = True) -> Iterator[SimStateTxn]:
        try:
            with self.state.transaction(write=write) as tx:
                yield tx
        except BaseException:
            self._rates.clear()  # a rolled-back revision number may be reused
            raise

    def _touch(
        self, tx: SimStateTxn, campaign_ids: Sequence[str], until: int | None = None
    ) -> list[tuple[CampaignModel, CampaignState]]:
        until = step_at(self.clock.now()) if until is None else until
        loaded = tx.load(campaign_ids)
        touched = []
        for cid in campaign_ids:
            model = self.model(cid)
            state = loaded.get(cid) or CampaignState(cid, self.meta.origin_step, day_of(self.meta.origin_step))
            accrue(model, state, until, self.meta.seed, partial(self._rates_of, model, state))
            touched.append((model, state))
        return touched

    def _rates_of(self, model: CampaignModel, state: CampaignState) -> Rates:
        rates = self._rates.get(model.external_id)
        if rates is None or rates.rev != state.rev:
            rates = self._rates[model.external_id] = compile_rates(model, state)
        return rates

    # -- reading -------------------------------------------------------------------------

    def list_campaigns(self, marketplace: Marketplace) -> list[RawRow]:
        ids = self.campaign_ids(marketplace)
        with self._transaction(write=False) as tx:
            states = tx.load(ids)
        return [rows.campaign_row(self.model(cid), states.get(cid)) for cid in ids]

    def list_keywords(self, marketplace: Marketplace, campaign_id: str) -> list[RawRow]:
        model = self._campaign(marketplace, campaign_id)
        with self._transaction(write=False) as tx:
            state = tx.load([campaign_id]).get(campaign_id)
        return [rows.keyword_row(model, state, i) for i in range(model.keyword_count)]

    def campaign_stats(self, marketplace: Marketplace, campaign_ids: Sequence[str], day: date) -> list[RawRow]:
        """One row per known campaign of this marketplace; unknown ids are left out."""
        known = []
        for cid in dict.fromkeys(campaign_ids):
            try:
                self._campaign(marketplace, cid)
            except MarketplaceRejected:
                continue
            known.append(cid)
        with self._transaction() as tx:
            touched = self._touch(tx, known)
            tx.save(state for _model, state in touched)
            return [
                rows.stats_row(model.external_id, day, _sum(self._day_totals(model, state, day)))
                for model, state in touched
            ]

    def keyword_stats(self, marketplace: Marketplace, campaign_id: str, day: date) -> list[RawRow]:
        model = self._campaign(marketplace, campaign_id)
        with self._transaction() as tx:
            [(model, state)] = self._touch(tx, [campaign_id])
            tx.save([state])
            per_keyword = self._day_totals(model, state, day)
        return [
            rows.stats_row(model.keyword_id(i), day, totals, with_position=True) for i, totals in enumerate(per_keyword)
        ]

    def _day_totals(self, model: CampaignModel, state: CampaignState, day: date) -> list[Totals]:
        if day == state.day:
            rates = self._rates_of(model, state)
            return [keyword_totals(model, rates, state, i) for i in range(model.keyword_count)]
        if day == state.day - timedelta(days=1):
            closed = state.closed
            if closed is None or closed.day != day:
                return [ZERO] * model.keyword_count
            t = list(closed.totals)
            return [Totals.from_ints(t[k : k + CLOSED_FIELDS]) for k in range(0, len(t), CLOSED_FIELDS)]
        raise MarketplaceRejected(
            f"no stats for {day.isoformat()}: the marketplace keeps today ({state.day.isoformat()}) and yesterday"
        )

    # -- changing ------------------------------------------------------------------------

    def set_bids(
        self, marketplace: Marketplace, campaign_id: str, bids: Sequence[tuple[str, int]], idempotency_key: str
    ) -> RawRow:
        """Set keyword bids (wire units). Returns ``{"applied": [...], "rejected": [[id, why]]}``;
        the same idempotency key again returns the first answer and changes nothing."""
        model = self._campaign(marketplace, campaign_id)
        key = _storage_key(marketplace, idempotency_key)
        with self._transaction() as tx:
            remembered = tx.recall(key)
            if remembered is not None:
                result: RawRow = json.loads(remembered)
                return result
            [(model, state)] = self._touch(tx, [campaign_id])
            applied: list[str] = []
            rejected: list[list[str]] = []
            changes: dict[int, int] = {}
            for keyword_id, wire_bid in bids:
                index = self._index_in(model, keyword_id)
                reason = (
                    "no such keyword in this campaign" if index is None else rows.bid_problem(model, index, wire_bid)
                )
                if index is None or reason is not None:
                    rejected.append([keyword_id, reason or ""])
                    continue
                changes[index] = rows.to_hundredths(marketplace, wire_bid)
                applied.append(keyword_id)
            self._change(model, state, changes, bid=True)
            result = {"applied": applied, "rejected": rejected}
            today = state.day
            tx.remember(key, today, json.dumps(result))
            if self._pruned != today:
                tx.forget_before(today - timedelta(days=1))
                self._pruned = today
            tx.save([state])
        return result

    def pause_keywords(self, marketplace: Marketplace, campaign_id: str, keyword_ids: Sequence[str]) -> None:
        model = self._campaign(marketplace, campaign_id)
        indices = {kid: self._index_in(model, kid) for kid in keyword_ids}
        unknown = [kid for kid, index in indices.items() if index is None]
        if unknown:
            raise MarketplaceRejected(f"{marketplace}: campaign {campaign_id} has no keywords {unknown}")
        with self._transaction() as tx:
            [(model, state)] = self._touch(tx, [campaign_id])
            self._change(model, state, {i: 0 for i in indices.values() if i is not None}, bid=False)
            tx.save([state])

    def set_campaign_status(self, marketplace: Marketplace, campaign_id: str, active: bool) -> None:
        self._campaign(marketplace, campaign_id)
        with self._transaction() as tx:
            [(_model, state)] = self._touch(tx, [campaign_id])
            state.active = active
            tx.save([state])

    def _index_in(self, model: CampaignModel, keyword_id: str) -> int | None:
        parsed = wire.parse_keyword_id(keyword_id)
        if parsed is None or parsed[0] != model.external_id or parsed[1] >= model.keyword_count:
            return None
        return parsed[1]

    def _change(self, model: CampaignModel, state: CampaignState, changes: dict[int, int], *, bid: bool) -> None:
        """Freeze the keywords' totals at the old rates, then set new bids (``bid``) or pause
        them; bump the revision and update the cached rates for just those keywords."""
        if not changes:
            return
        rates = self._rates_of(model, state)
        for index, value in changes.items():
            ks = state.keyword(index)
            ks.carry = freeze(model, rates, state, index)
            if bid:
                ks.bid = value
            else:
                ks.active = False
        state.rev += 1
        self._rates[model.external_id] = compile_rates(model, state, rates, changes)


def _sum(per_keyword: list[Totals]) -> Totals:
    return Totals(
        sum(t.views for t in per_keyword),
        sum(t.clicks for t in per_keyword),
        sum(t.orders for t in per_keyword),
        sum(t.spent for t in per_keyword),
        sum(t.revenue for t in per_keyword),
        None,
    )


def _storage_key(marketplace: Marketplace, idempotency_key: str) -> str:
    key = f"{marketplace}:{idempotency_key}"
    if len(key) <= 250:
        return key
    return f"{marketplace}:sha256:{hashlib.sha256(idempotency_key.encode()).hexdigest()}"


__all__ = ["RawRow", "SimulatedMarket", "UnknownEntity"]
