"""Marketing's SQL repositories keep exactly what they are given, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, delete, func, select

from adolf.adapters.sqlalchemy import marketing_stats
from adolf.adapters.sqlalchemy.app_unit_of_work import AppSqlUnitOfWork
from adolf.adapters.sqlalchemy.engine import build_session_factory
from adolf.adapters.sqlalchemy.tables import campaigns, daily_stats, keyword_daily_stats, keywords
from adolf.application.marketing.ports import (
    BidChangeRecord,
    DailyStats,
    KeywordDailyStats,
    MonthlyStats,
    Recommendation,
    StatsSnapshot,
)
from adolf.application.ports.ads_marketplace import RemoteCampaign, RemoteKeyword
from adolf.application.ports.alerts import AlertRecord
from adolf.domain.alerts.users import Contact, Role, User
from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign import Campaign, CampaignStatus, Keyword, KeywordStatus
from adolf.domain.marketing.campaign_settings import change_settings, check_settings
from adolf.domain.marketing.metrics import StatsTotals
from adolf.domain.marketing.safety_thresholds import SafetyThresholds
from adolf.domain.marketplace import Marketplace
from tests.support.fakes.marketing_repos import FakeStatsRepository

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
DAY = date(2026, 3, 10)


class Db:
    """Opens a fresh unit of work per block, like a use case does."""

    def __init__(self, engine: Engine) -> None:
        self.factory = build_session_factory(engine)

    def uow(self) -> AppSqlUnitOfWork:
        return AppSqlUnitOfWork(self.factory)


@pytest.fixture
def db(migrated_engine: Engine) -> Iterator[Db]:
    yield Db(migrated_engine)


def campaign(external_id: str = "c1", **changes: object) -> Campaign:
    base = Campaign(
        id=0,
        marketplace=Marketplace.WB,
        external_id=external_id,
        name=f"Campaign {external_id}",
        brand="ohana_market",
        status=CampaignStatus.ACTIVE,
        strategy=StrategyType.TARGET_DRR,
        min_bid=Decimal("50.00"),
        max_bid=Decimal("400.00"),
        daily_budget=Decimal("5000.00"),
        target_drr=Decimal("15.00"),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def keyword(external_id: str, bid: str = "100.00", **changes: object) -> Keyword:
    base = Keyword(id=0, campaign_id=0, external_id=external_id, phrase=f"phrase {external_id}", bid=Decimal(bid))
    return replace(base, **changes)  # type: ignore[arg-type]


def totals(
    views: int = 1000, clicks: int = 50, orders: int = 5, spent: str = "500.00", revenue: str = "5000.00"
) -> StatsTotals:
    return StatsTotals(views=views, clicks=clicks, orders=orders, spent=Decimal(spent), revenue=Decimal(revenue))


def add(db: Db, items: list[tuple[Campaign, list[Keyword]]]) -> list[Campaign]:
    with db.uow() as uow:
        stored = [uow.campaigns.add(c, kws) for c, kws in items]
        uow.commit()
    return stored


# --- campaigns and keywords -------------------------------------------------------------


def test_a_campaign_and_its_keywords_round_trip_with_exact_money_and_safety_overrides(db: Db) -> None:
    safety = SafetyThresholds.with_overrides({"max_drr": "25.5", "min_views_for_ctr": 500})
    original = campaign(
        max_bid=Decimal("9999999999.99"),
        daily_budget=Decimal("123456789012.34"),
        target_cpo=Decimal("0.10"),
        target_position=Decimal("2.50"),
        safety=safety,
        kill_switch=True,
        dry_run=True,
    )
    [stored] = add(
        db, [(original, [keyword("k1", "12.35", marketplace_min_bid=Decimal("0.01")), keyword("k2", "0.10")])]
    )

    with db.uow() as uow:
        assert uow.campaigns.get(stored.id) == replace(original, id=stored.id)
        found = uow.campaigns.keywords_of([stored.id])[stored.id]
        assert [(k.external_id, k.bid, k.marketplace_min_bid) for k in found] == [
            ("k1", Decimal("12.35"), Decimal("0.01")),
            ("k2", Decimal("0.10"), None),
        ]
        assert [str(k.bid) for k in found] == ["12.35", "0.10"]
        assert uow.campaigns.get_keyword(found[0].id) == found[0]
        assert found[0].campaign_id == stored.id
        loaded = uow.campaigns.get(stored.id)
        assert loaded is not None
        assert str(loaded.daily_budget) == "123456789012.34"
        assert loaded.safety == safety
        assert uow.campaigns.get(stored.id + 1000) is None
        assert uow.campaigns.get_keyword(10**9) is None


def test_saved_settings_replace_the_operators_fields_only(db: Db) -> None:
    [first, other] = add(db, [(campaign("c1"), [keyword("k1")]), (campaign("c2"), [])])
    with db.uow() as uow:
        uow.campaigns.set_status(first.id, CampaignStatus.PAUSED, "budget_exceeded")
        uow.commit()
    changed = replace(
        first,
        strategy=StrategyType.TARGET_CPO,
        target_cpo=Decimal("250.50"),
        min_bid=Decimal("0.10"),
        max_bid=Decimal("99.99"),
        daily_budget=None,
        kill_switch=True,
        dry_run=True,
        safety=SafetyThresholds.with_overrides({"max_drr": "25"}),
    )
    with db.uow() as uow:
        uow.campaigns.save_settings(changed)
        uow.commit()
    with db.uow() as uow:
        stored = uow.campaigns.get(first.id)
        assert stored == replace(changed, status=CampaignStatus.PAUSED, pause_reason="budget_exceeded")
        assert uow.campaigns.get(other.id) == other
        assert [k.bid for k in uow.campaigns.keywords_of([first.id])[first.id]] == [Decimal("100.00")]


def test_campaigns_added_in_bulk_get_ids_in_order_with_all_their_keywords(db: Db) -> None:
    items = [(campaign(f"c{i}"), [keyword(f"c{i}-k{j}") for j in range(3)]) for i in range(5)]
    with db.uow() as uow:
        stored = uow.campaigns.add_many(items)
        uow.commit()
    assert [c.external_id for c in stored] == [f"c{i}" for i in range(5)]
    with db.uow() as uow:
        by_campaign = uow.campaigns.keywords_of([c.id for c in stored])
    for c in stored:
        assert [k.external_id for k in by_campaign[c.id]] == [f"{c.external_id}-k{j}" for j in range(3)]


def test_active_lists_only_active_campaigns_of_the_asked_marketplace(db: Db) -> None:
    wb, _, ozon = add(
        db,
        [
            (campaign("a"), []),
            (campaign("b", status=CampaignStatus.PAUSED), []),
            (campaign("c", marketplace=Marketplace.OZON), []),
        ],
    )
    with db.uow() as uow:
        assert [c.external_id for c in uow.campaigns.active(Marketplace.WB)] == ["a"]
        assert [c.external_id for c in uow.campaigns.active()] == ["a", "c"]
        assert [c.external_id for c in uow.campaigns.all(Marketplace.WB)] == ["a", "b"]
        uow.campaigns.set_status(wb.id, CampaignStatus.PAUSED, "budget_exceeded")
        uow.commit()
    with db.uow() as uow:
        paused = uow.campaigns.get(wb.id)
        assert paused is not None and paused.status is CampaignStatus.PAUSED
        assert paused.pause_reason == "budget_exceeded"
        assert [c.id for c in uow.campaigns.active()] == [ozon.id]


def test_keywords_of_many_campaigns_spans_chunks_and_skips_paused_keywords(db: Db) -> None:
    items = [(campaign(f"c{i}"), [keyword(f"k{i}")]) for i in range(1005)]
    items.append((campaign("mixed"), [keyword("on"), keyword("off", status=KeywordStatus.PAUSED)]))
    items.append((campaign("empty"), []))
    with db.uow() as uow:
        stored = uow.campaigns.add_many(items)
        uow.commit()
    ids = [c.id for c in stored]
    with db.uow() as uow:
        active = uow.campaigns.keywords_of(ids)
        every = uow.campaigns.keywords_of(ids[-2:], active_only=False)
    assert set(active) == set(ids)
    assert [k.external_id for k in active[ids[0]]] == ["k0"]
    assert [k.external_id for k in active[ids[1004]]] == ["k1004"]
    assert [k.external_id for k in active[ids[-2]]] == ["on"]
    assert active[ids[-1]] == []
    assert [k.external_id for k in every[ids[-2]]] == ["on", "off"]


def _all_keywords(db: Db, campaign_ids: list[int]) -> dict[str, Keyword]:
    with db.uow() as uow:
        found = uow.campaigns.keywords_of(campaign_ids, active_only=False)
    return {k.external_id: k for kws in found.values() for k in kws}


def test_bulk_set_bids_changes_exactly_the_given_keywords(db: Db) -> None:
    # 2 500 keywords: more than one bulk-update chunk.
    items = [(campaign(f"c{i}"), [keyword(f"c{i}-k{j}", "100.00") for j in range(50)]) for i in range(50)]
    with db.uow() as uow:
        ids = [c.id for c in uow.campaigns.add_many(items)]
        uow.commit()
    before = _all_keywords(db, ids)
    chosen = sorted(before.values(), key=lambda k: k.id)[::2]
    with db.uow() as uow:
        uow.campaigns.set_bids([(k.id, Decimal("100.00") + Decimal(k.id % 97) + Decimal("0.01")) for k in chosen])
        uow.commit()
    after = _all_keywords(db, ids)
    changed = {k.external_id for k in chosen}
    for name, kw in after.items():
        if name in changed:
            assert kw.bid == Decimal("100.01") + Decimal(kw.id % 97)
        else:
            assert kw == before[name]


def test_pausing_keywords_sets_status_and_reason_of_exactly_those_keywords(db: Db) -> None:
    [stored] = add(db, [(campaign(), [keyword(f"k{j}") for j in range(5)])])
    before = _all_keywords(db, [stored.id])
    with db.uow() as uow:
        uow.campaigns.pause_keywords([(before["k1"].id, "spend_without_orders"), (before["k3"].id, "drr_too_high")])
        uow.commit()
    after = _all_keywords(db, [stored.id])
    assert (after["k1"].status, after["k1"].pause_reason) == (KeywordStatus.PAUSED, "spend_without_orders")
    assert (after["k3"].status, after["k3"].pause_reason) == (KeywordStatus.PAUSED, "drr_too_high")
    assert after["k1"].bid == before["k1"].bid
    for name in ("k0", "k2", "k4"):
        assert after[name] == before[name]
    with db.uow() as uow:
        assert [k.external_id for k in uow.campaigns.keywords_of([stored.id])[stored.id]] == ["k0", "k2", "k4"]


def _remote(budget: str | None = "3000", name: str = "Spring", status: str = "active") -> list[RemoteCampaign]:
    return [
        RemoteCampaign("r1", name, status, Decimal(budget) if budget else None),
        RemoteCampaign("r2", "Summer", "paused", None),
    ]


def _remote_keywords(bid: str = "55.50") -> dict[str, list[RemoteKeyword]]:
    return {
        "r1": [
            RemoteKeyword("r1-a", "r1", "boots", Decimal(bid), "active", Decimal("10")),
            RemoteKeyword("r1-b", "r1", "shoes", Decimal("70"), "paused"),
        ],
        "r2": [RemoteKeyword("r2-a", "r2", "hats", Decimal("30"), "active")],
    }


def _count(db: Db, table: object) -> int:
    with db.uow() as uow:
        return int(uow.session.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_sync_inserts_then_updates_only_what_changed_without_duplicates(db: Db) -> None:
    with db.uow() as uow:
        first = uow.campaigns.sync(Marketplace.WB, _remote(), _remote_keywords(), "ohana_kids")
        uow.commit()
    assert (first.campaigns_added, first.campaigns_updated, first.keywords_added, first.keywords_updated) == (
        2,
        0,
        3,
        0,
    )

    with db.uow() as uow:
        again = uow.campaigns.sync(Marketplace.WB, _remote(), _remote_keywords(), "ohana_kids")
        uow.commit()
    assert (again.campaigns_added, again.campaigns_updated, again.keywords_added, again.keywords_updated) == (
        0,
        0,
        0,
        0,
    )

    with db.uow() as uow:
        changed = uow.campaigns.sync(
            Marketplace.WB, _remote(name="Spring sale", budget=None), _remote_keywords("60"), "x"
        )
        uow.commit()
    assert (changed.campaigns_added, changed.campaigns_updated, changed.keywords_added, changed.keywords_updated) == (
        0,
        1,
        0,
        1,
    )
    assert _count(db, campaigns) == 2
    assert _count(db, keywords) == 3

    with db.uow() as uow:
        [r1, r2] = uow.campaigns.all(Marketplace.WB)
        kws = {k.external_id: k for k in uow.campaigns.keywords_of([r1.id], active_only=False)[r1.id]}
    assert (r1.name, r1.brand, r1.strategy, r1.status) == (
        "Spring sale",
        "ohana_kids",
        StrategyType.MANUAL,
        CampaignStatus.ACTIVE,
    )
    assert r1.daily_budget == Decimal("3000.00")  # no remote limit keeps the local one
    assert (r1.min_bid, r1.max_bid) == (Decimal("10"), Decimal("70"))  # default_bounds: lowest minimum … highest bid
    assert r2.status is CampaignStatus.PAUSED
    assert kws["r1-a"].bid == Decimal("60.00")
    assert kws["r1-a"].marketplace_min_bid == Decimal("10.00")
    assert kws["r1-b"].status is KeywordStatus.PAUSED


def test_sync_keeps_a_pause_reason_while_paused_and_clears_it_when_active_again(db: Db) -> None:
    with db.uow() as uow:
        uow.campaigns.sync(Marketplace.OZON, _remote(), _remote_keywords(), "b")
        [r1, _] = uow.campaigns.all(Marketplace.OZON)
        uow.campaigns.set_status(r1.id, CampaignStatus.PAUSED, "budget_exceeded")
        uow.commit()
    with db.uow() as uow:
        uow.campaigns.sync(Marketplace.OZON, _remote(status="paused"), _remote_keywords(), "b")
        kept = uow.campaigns.get(r1.id)
        uow.campaigns.sync(Marketplace.OZON, _remote(status="active"), _remote_keywords(), "b")
        cleared = uow.campaigns.get(r1.id)
    assert kept is not None and kept.pause_reason == "budget_exceeded"
    assert cleared is not None and (cleared.status, cleared.pause_reason) == (CampaignStatus.ACTIVE, None)


@pytest.mark.parametrize("marketplace", list(Marketplace))
def test_a_synced_new_campaign_starts_with_bounds_that_pass_the_settings_rules(
    db: Db, marketplace: Marketplace
) -> None:
    """min_bid > 0: its keywords' lowest marketplace minimum, else one bid step (1.0 ₽; 0.1 for
    YM's percent bids) — never the 0.00 the settings rules refuse; max_bid: its highest bid."""
    remote = {
        "r1": [
            RemoteKeyword("r1-a", "r1", "boots", Decimal("55.50"), "active", Decimal("12.50")),
            RemoteKeyword("r1-b", "r1", "shoes", Decimal("70"), "paused", Decimal("8.25")),
            RemoteKeyword("r1-c", "r1", "socks", Decimal("9"), "active"),
        ],
        "r2": [RemoteKeyword("r2-a", "r2", "hats", Decimal("30"), "active")],  # no minimum known
    }
    with db.uow() as uow:
        uow.campaigns.sync(marketplace, _remote(), remote, "b")
        uow.commit()

    with db.uow() as uow:
        found = {c.external_id: c for c in uow.campaigns.all(marketplace)}
        stored = uow.campaigns.keywords_of([found["r1"].id], active_only=False)[found["r1"].id]
    r1, r2 = found["r1"], found["r2"]
    lowest = min(k.marketplace_min_bid for k in stored if k.marketplace_min_bid is not None)
    assert r1.min_bid == lowest == Decimal("8.25") and r1.max_bid == Decimal("70")
    step = Decimal("0.1") if marketplace is Marketplace.YM else Decimal("1")
    assert (r2.min_bid, r2.max_bid) == (step, Decimal("30"))
    for synced in (r1, r2):
        assert synced.min_bid > 0 and isinstance(synced.min_bid, Decimal)
        check_settings(synced)  # as synced
        configured = change_settings(synced, {"strategy": "target_drr", "target_drr": "12"})
        assert (configured.min_bid, configured.max_bid) == (synced.min_bid, synced.max_bid)


# --- bid history --------------------------------------------------------------------------


def _change(campaign_id: int, at: datetime, source: str = "bid_cycle", new: str = "110.00") -> BidChangeRecord:
    return BidChangeRecord(
        keyword_id=1,
        campaign_id=campaign_id,
        old_bid=Decimal("100.00"),
        new_bid=Decimal(new),
        source=source,
        strategy="target_drr",
        reason="below_target",
        created_at=at,
        idempotency_key=None,
    )


def test_bid_history_is_listed_newest_first_counted_by_source_and_pruned_by_age(db: Db) -> None:
    old = _change(1, T0 - timedelta(days=400))
    records = [
        old,
        _change(1, T0, new="120.55"),
        _change(1, T0 + timedelta(minutes=15), "dry_run"),
        _change(2, T0, "manual"),
    ]
    with db.uow() as uow:
        uow.bid_history.add_many(records)
        uow.commit()
    with db.uow() as uow:
        assert uow.bid_history.for_campaign(1) == [records[2], records[1], old]
        assert uow.bid_history.for_campaign(1, limit=1) == [records[2]]
        assert uow.bid_history.count_between(T0, T0 + timedelta(minutes=15)) == {"bid_cycle": 1, "manual": 1}
        assert uow.bid_history.delete_before(T0 - timedelta(days=365)) == 1
        uow.commit()
    with db.uow() as uow:
        assert old not in uow.bid_history.for_campaign(1)


# --- stats --------------------------------------------------------------------------------


def test_the_last_campaign_level_snapshot_of_the_day_is_its_day_total(db: Db) -> None:
    snapshots = [
        StatsSnapshot(1, DAY, T0, totals(views=100)),
        StatsSnapshot(1, DAY, T0 + timedelta(hours=3), totals(views=300, spent="12.34")),
        StatsSnapshot(1, DAY, T0 + timedelta(hours=4), totals(views=999), keyword_id=7, avg_position=Decimal("3.5")),
        StatsSnapshot(1, DAY + timedelta(days=1), T0 + timedelta(days=1), totals(views=5)),
        StatsSnapshot(2, DAY, T0 + timedelta(hours=1), totals(views=20), avg_position=Decimal("1.25")),
    ]
    with db.uow() as uow:
        assert uow.stats.add_snapshots(snapshots) == 5
        uow.commit()
    with db.uow() as uow:
        assert uow.stats.last_snapshots_of_day(DAY) == [snapshots[1], snapshots[4]]
        assert uow.stats.last_snapshots_of_day(DAY - timedelta(days=1)) == []


def test_daily_upsert_is_idempotent_and_keeps_the_latest_values(db: Db) -> None:
    with db.uow() as uow:
        uow.stats.upsert_daily([DailyStats(1, DAY, totals(views=10)), DailyStats(2, DAY, totals(views=20))])
        uow.commit()
    with db.uow() as uow:
        assert (
            uow.stats.upsert_daily(
                [DailyStats(1, DAY, totals(views=11, revenue="0.01")), DailyStats(2, DAY, totals(views=20))]
            )
            == 2
        )
        uow.stats.upsert_daily([DailyStats(1, DAY + timedelta(days=1), totals(views=1))])
        uow.commit()
    assert _count(db, daily_stats) == 3
    with db.uow() as uow:
        assert uow.stats.daily_between(DAY, DAY) == [
            DailyStats(1, DAY, totals(views=11, revenue="0.01")),
            DailyStats(2, DAY, totals(views=20)),
        ]
        assert uow.stats.daily_between(DAY, DAY + timedelta(days=1), campaign_ids=[1]) == [
            DailyStats(1, DAY, totals(views=11, revenue="0.01")),
            DailyStats(1, DAY + timedelta(days=1), totals(views=1)),
        ]
        assert uow.stats.daily_between(DAY, DAY, campaign_ids=[]) == []


def test_monthly_upsert_is_keyed_on_campaign_year_and_month(db: Db) -> None:
    with db.uow() as uow:
        uow.stats.upsert_monthly([MonthlyStats(1, 2026, 2, totals(views=1)), MonthlyStats(1, 2026, 3, totals(views=2))])
        uow.commit()
    with db.uow() as uow:
        uow.stats.upsert_monthly(
            [MonthlyStats(1, 2026, 2, totals(views=10, spent="99999999.99")), MonthlyStats(2, 2026, 2, totals())]
        )
        uow.commit()
    with db.uow() as uow:
        assert uow.stats.monthly(2026, 2) == [
            MonthlyStats(1, 2026, 2, totals(views=10, spent="99999999.99")),
            MonthlyStats(2, 2026, 2, totals()),
        ]
        assert uow.stats.monthly(2026, 3) == [MonthlyStats(1, 2026, 3, totals(views=2))]


def test_retention_deletes_only_rows_older_than_the_cutoff(db: Db) -> None:
    cutoff = T0 - timedelta(days=30)
    with db.uow() as uow:
        uow.stats.add_snapshots(
            [
                StatsSnapshot(1, cutoff.date() - timedelta(days=1), cutoff - timedelta(days=1), totals()),
                StatsSnapshot(1, cutoff.date(), cutoff - timedelta(seconds=1), totals(), keyword_id=3),
                StatsSnapshot(1, cutoff.date(), cutoff, totals()),
                StatsSnapshot(1, DAY, T0, totals()),
            ]
        )
        uow.stats.upsert_daily([DailyStats(1, DAY - timedelta(days=800), totals()), DailyStats(1, DAY, totals())])
        uow.commit()
    with db.uow() as uow:
        assert uow.stats.delete_snapshots_before(cutoff) == 2
        assert uow.stats.delete_daily_before(DAY - timedelta(days=730)) == 1
        uow.commit()
    with db.uow() as uow:
        assert [s.captured_at for s in uow.stats.last_snapshots_of_day(cutoff.date())] == [cutoff]
        assert len(uow.stats.daily_between(DAY - timedelta(days=1000), DAY)) == 1


# --- keyword daily rows -----------------------------------------------------------------

TODAY = DAY


def _keyword_world(db: Db, campaigns_count: int = 2, per_campaign: int = 3) -> dict[int, list[int]]:
    """Campaign id → its keyword ids (the rows need real ones: foreign keys)."""
    stored = add(
        db,
        [(campaign(f"c{i}"), [keyword(f"k{i}-{j}") for j in range(per_campaign)]) for i in range(campaigns_count)],
    )
    with db.uow() as uow:
        found = uow.campaigns.keywords_of([c.id for c in stored], active_only=False)
    return {cid: [k.id for k in ks] for cid, ks in found.items()}


def _ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def test_keyword_daily_upsert_is_keyed_on_keyword_and_day(db: Db) -> None:
    world = _keyword_world(db, campaigns_count=1, per_campaign=2)
    [(cid, [k1, k2])] = world.items()
    with db.uow() as uow:
        assert uow.stats.upsert_keyword_daily([]) == 0
        written = uow.stats.upsert_keyword_daily(
            [
                KeywordDailyStats(k1, cid, _ago(1), totals(views=10)),
                KeywordDailyStats(k2, cid, _ago(1), totals(views=20)),
                KeywordDailyStats(k1, cid, _ago(2), totals(views=30)),
            ]
        )
        assert written == 3
        uow.commit()
    with db.uow() as uow:  # a re-run overwrites; within one batch the last row of a key wins
        uow.stats.upsert_keyword_daily(
            [
                KeywordDailyStats(k1, cid, _ago(1), totals(views=99)),
                KeywordDailyStats(k1, cid, _ago(1), totals(views=11, spent="0.01", revenue="12345678.91")),
            ]
        )
        uow.commit()
    assert _count(db, keyword_daily_stats) == 3
    with db.uow() as uow:
        assert uow.stats.keyword_windows([cid], TODAY, [1]) == {
            k1: (totals(views=11, spent="0.01", revenue="12345678.91"),),
            k2: (totals(views=20),),
        }


def _window_rows(world: dict[int, list[int]]) -> list[KeywordDailyStats]:
    (c1, [k1, k2, k3]), (c2, [k4, _k5, _k6]) = world.items()
    return [
        # k1: a row in every span, one outside the longest, one of today (not a closed day)
        KeywordDailyStats(k1, c1, _ago(1), totals(views=1, clicks=1, orders=0, spent="0.10", revenue="0.00")),
        KeywordDailyStats(k1, c1, _ago(3), totals(views=3, clicks=2, orders=1, spent="0.20", revenue="1.05")),
        KeywordDailyStats(k1, c1, _ago(7), totals(views=7, clicks=3, orders=2, spent="0.40", revenue="2.10")),
        KeywordDailyStats(k1, c1, _ago(8), totals(views=1000)),
        KeywordDailyStats(k1, c1, TODAY, totals(views=1000)),
        # k2: only older than 3 days; large counts and money (BIGINT and Numeric(14, 2) sums)
        KeywordDailyStats(k2, c1, _ago(4), totals(views=3_000_000_000, spent="999999999999.99", revenue="0.01")),
        KeywordDailyStats(k2, c1, _ago(5), totals(views=3_000_000_000, spent="0.01", revenue="0.02")),
        # k3: nothing within 7 days — absent
        KeywordDailyStats(k3, c1, _ago(30), totals()),
        # k4: another campaign, one row yesterday
        KeywordDailyStats(k4, c2, _ago(1), totals(views=5, spent="5.55")),
    ]


def test_keyword_windows_sum_each_span_of_closed_days_in_one_pass_like_the_fake(db: Db) -> None:
    world = _keyword_world(db)
    (c1, [k1, k2, _k3]), (c2, [k4, _k5, _k6]) = world.items()
    rows = _window_rows(world)
    with db.uow() as uow:
        uow.stats.upsert_keyword_daily(rows)
        uow.commit()
    zero = StatsTotals()
    spans = (1, 3, 7)
    with db.uow() as uow:
        found = uow.stats.keyword_windows([c1, c2], TODAY, spans)
        only_c2 = uow.stats.keyword_windows([c2], TODAY, spans)
        assert uow.stats.keyword_windows([], TODAY, spans) == {}
        assert uow.stats.keyword_windows([c1], TODAY, []) == {}
        assert uow.stats.keyword_windows([c1], TODAY, [7, 1]) == {
            k1: (found[k1][2], found[k1][0]),
            k2: (found[k2][2], zero),
        }
    assert found == {
        k1: (
            totals(views=1, clicks=1, orders=0, spent="0.10", revenue="0.00"),
            totals(views=4, clicks=3, orders=1, spent="0.30", revenue="1.05"),
            totals(views=11, clicks=6, orders=3, spent="0.70", revenue="3.15"),
        ),
        k2: (zero, zero, totals(views=6_000_000_000, clicks=100, orders=10, spent="1000000000000.00", revenue="0.03")),
        k4: (totals(views=5, spent="5.55"),) * 3,
    }
    assert only_c2 == {k4: found[k4]}
    assert all(isinstance(t.views, int) and isinstance(t.spent, Decimal) for w in found.values() for t in w)
    assert all(replace(t) == t for w in found.values() for t in w)  # built unchecked, yet valid
    fake = FakeStatsRepository()
    fake.upsert_keyword_daily(rows)
    assert fake.keyword_windows([c1, c2], TODAY, spans) == found


def test_keyword_windows_chunk_the_campaigns_and_merge(db: Db, monkeypatch: pytest.MonkeyPatch) -> None:
    world = _keyword_world(db, campaigns_count=5, per_campaign=2)
    rows = [
        KeywordDailyStats(kid, cid, _ago(days), StatsTotals(views=days))
        for cid, kids in world.items()
        for kid in kids
        for days in (1, 2)
    ]
    with db.uow() as uow:
        uow.stats.upsert_keyword_daily(rows)
        uow.commit()
    with db.uow() as uow:
        whole = uow.stats.keyword_windows(list(world), TODAY, (1, 2))
        monkeypatch.setattr(marketing_stats, "WINDOW_CHUNK", 2)
        chunked = uow.stats.keyword_windows([*world, *world], TODAY, (1, 2))  # duplicates are harmless
    assert chunked == whole
    assert set(whole) == {kid for kids in world.values() for kid in kids}
    assert all(w == (StatsTotals(views=1), StatsTotals(views=3)) for w in whole.values())


def test_keyword_daily_rows_before_a_day_are_deleted_and_go_with_their_campaign(db: Db) -> None:
    world = _keyword_world(db)
    (c1, [k1, k2, _k3]), (c2, [k4, _k5, _k6]) = world.items()
    with db.uow() as uow:
        uow.stats.upsert_keyword_daily(
            [
                KeywordDailyStats(k1, c1, _ago(91), totals()),
                KeywordDailyStats(k2, c1, _ago(91), totals()),
                KeywordDailyStats(k1, c1, _ago(90), totals()),
                KeywordDailyStats(k4, c2, _ago(1), totals()),
            ]
        )
        uow.commit()
    with db.uow() as uow:
        assert uow.stats.delete_keyword_daily_before(_ago(90)) == 2
        uow.commit()
    with db.uow() as uow:
        assert uow.stats.delete_keyword_daily_before(_ago(90)) == 0
        assert set(uow.stats.keyword_windows([c1, c2], TODAY, [90])) == {k1, k4}
        uow.session.execute(delete(campaigns).where(campaigns.c.id == c2))  # its keywords and their rows go
        uow.commit()
    assert _count(db, keyword_daily_stats) == 1


# --- alerts, competitor bids, users, recommendations --------------------------------------


def _alert(type_: str, at: datetime, module: str = "marketing", campaign_id: str | None = "7") -> AlertRecord:
    return AlertRecord(
        module=module, type=type_, severity="warning", message=type_, created_at=at, campaign_id=campaign_id
    )


def test_alert_queries_find_count_and_prune_a_modules_alerts(db: Db) -> None:
    with db.uow() as uow:
        for alert in [
            _alert("budget_warning", T0),
            _alert("budget_warning", T0 + timedelta(hours=1), campaign_id="8"),
            _alert("budget_exceeded", T0 + timedelta(hours=2)),
            _alert("budget_warning", T0 - timedelta(days=200)),
            _alert("budget_warning", T0 - timedelta(days=200), module="watcher"),
        ]:
            uow.alerts.add(alert)
        uow.commit()
    with db.uow() as uow:
        queries = uow.alert_queries
        assert queries.exists_since("marketing", "budget_warning", "7", T0) is True
        assert queries.exists_since("marketing", "budget_warning", "7", T0 + timedelta(seconds=1)) is False
        assert queries.exists_since("marketing", "budget_exceeded", "8", T0) is False
        assert queries.counts_between("marketing", T0, T0 + timedelta(days=1)) == {
            "budget_warning": 2,
            "budget_exceeded": 1,
        }
        assert queries.delete_before("marketing", T0 - timedelta(days=180)) == 1
        uow.commit()
    with db.uow() as uow:
        assert len(uow.alerts.recent(module="watcher")) == 1
        assert len(uow.alerts.recent(module="marketing")) == 3


def test_competitor_bids_are_replaced_per_keyword_and_read_highest_first(db: Db) -> None:
    with db.uow() as uow:
        uow.competitor_bids.replace(
            Marketplace.WB, {"k1": [Decimal("10.5"), Decimal("300.25")], "k2": [Decimal("1")]}, T0
        )
        uow.competitor_bids.replace(Marketplace.OZON, {"k1": [Decimal("7")]}, T0)
        uow.commit()
    with db.uow() as uow:
        uow.competitor_bids.replace(Marketplace.WB, {"k1": [Decimal("99.99")], "k3": []}, T0 + timedelta(hours=1))
        uow.commit()
    with db.uow() as uow:
        found = uow.competitor_bids.bids_for(Marketplace.WB, ["k1", "k2", "k3", "unknown"])
        assert found == {"k1": (Decimal("99.99"),), "k2": (Decimal("1"),), "k3": ()}
        assert uow.competitor_bids.bids_for(Marketplace.OZON, ["k1"]) == {"k1": (Decimal("7"),)}
        uow.competitor_bids.replace(Marketplace.YM, {"k": [Decimal("1"), Decimal("300.25"), Decimal("10.5")]}, T0)
        assert uow.competitor_bids.bids_for(Marketplace.YM, ["k"]) == {
            "k": (Decimal("300.25"), Decimal("10.5"), Decimal("1"))
        }


def test_the_user_directory_lists_active_users_once_with_their_contacts(db: Db) -> None:
    manager = User("m1", "Manager", Role.MANAGER, "ohana_kids", contacts=(Contact("telegram", "@m1"),))
    with db.uow() as uow:
        uow.users.add(manager)
        uow.users.add(User("a1", "Admin", Role.ADMIN, "all"))
        uow.users.add(User("gone", "Former", Role.SENIOR, "all", active=False))
        uow.users.add(replace(manager, name="Manager Renamed"))
        uow.commit()
    with db.uow() as uow:
        assert uow.users.active() == [User("a1", "Admin", Role.ADMIN, "all"), replace(manager, name="Manager Renamed")]


def test_recommendations_are_kept_per_day(db: Db) -> None:
    items = [
        Recommendation(1, DAY, "anomaly", "CTR dropped", T0),
        Recommendation(2, DAY, "advice", "Raise the bid", T0),
        Recommendation(1, DAY + timedelta(days=1), "trend", "Spend rising", T0),
    ]
    with db.uow() as uow:
        uow.recommendations.add_many(items)
        uow.commit()
    with db.uow() as uow:
        assert uow.recommendations.for_day(DAY) == items[:2]


AWKWARD = ['say "hi"', "back\\slash", "a,b {c} d", "NULL", "", "кроссовки детские", "tab\tnew\nline", "'quoted'"]


def test_bulk_writes_keep_awkward_text_and_nulls_exactly(db: Db) -> None:
    keywords_in = [keyword(f"k{i}", phrase=text) for i, text in enumerate(AWKWARD)]
    [stored] = add(db, [(campaign(name=AWKWARD[0]), keywords_in)])
    with db.uow() as uow:
        found = uow.campaigns.keywords_of([stored.id])[stored.id]
        uow.campaigns.pause_keywords([(k.id, AWKWARD[i]) for i, k in enumerate(found)])
        uow.competitor_bids.replace(Marketplace.WB, {text: [Decimal("1.5")] for text in AWKWARD}, T0)
        uow.commit()
    with db.uow() as uow:
        paused = uow.campaigns.keywords_of([stored.id], active_only=False)[stored.id]
        bids = uow.competitor_bids.bids_for(Marketplace.WB, AWKWARD)
    assert [k.phrase for k in paused] == AWKWARD
    assert [k.pause_reason for k in paused] == AWKWARD
    assert bids == {text: (Decimal("1.5"),) for text in AWKWARD}


def test_a_bulk_update_may_set_a_column_to_null_on_every_row(db: Db) -> None:
    remote = {"r2": [RemoteKeyword("r2-a", "r2", "hats", Decimal("30"), "active", Decimal("5"))]}
    with db.uow() as uow:
        uow.campaigns.sync(Marketplace.YM, _remote(), remote, "b")
        uow.commit()
    remote = {"r2": [RemoteKeyword("r2-a", "r2", "hats", Decimal("30"), "active", None)]}
    with db.uow() as uow:
        counts = uow.campaigns.sync(Marketplace.YM, _remote(), remote, "b")
        [r2] = [c for c in uow.campaigns.all(Marketplace.YM) if c.external_id == "r2"]
        [kw] = uow.campaigns.keywords_of([r2.id])[r2.id]
    assert counts.keywords_updated == 1
    assert kw.marketplace_min_bid is None


def test_sync_leaves_a_campaign_archived_in_adolf_archived(db: Db) -> None:
    with db.uow() as uow:
        uow.campaigns.sync(Marketplace.WB, _remote(), _remote_keywords(), "b")
        [r1, _] = uow.campaigns.all(Marketplace.WB)
        uow.campaigns.set_status(r1.id, CampaignStatus.ARCHIVED, "closed by the manager")
        counts = uow.campaigns.sync(Marketplace.WB, _remote(name="Renamed"), _remote_keywords(), "b")
        archived = uow.campaigns.get(r1.id)
    assert counts.campaigns_updated == 1
    assert archived is not None
    assert (archived.name, archived.status, archived.pause_reason) == (
        "Renamed",
        CampaignStatus.ARCHIVED,
        "closed by the manager",
    )
