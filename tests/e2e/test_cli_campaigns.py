"""`adolf campaigns`, `adolf alerts`, `adolf recommendations` on the embedded SQLite database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from adolf.adapters.sqlalchemy import migrate
from adolf.adapters.sqlalchemy.app_unit_of_work import AppSqlUnitOfWork
from adolf.adapters.sqlalchemy.engine import build_engine, build_session_factory
from adolf.application.marketing.ports import Recommendation
from adolf.application.ports.alerts import AlertRecord
from adolf.domain.marketing.bid_context import StrategyType
from adolf.domain.marketing.campaign import Campaign, CampaignStatus, Keyword
from adolf.domain.marketplace import Marketplace
from tests.e2e.conftest import Run

D = Decimal
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> tuple[dict[str, str], AppSqlUnitOfWork]:
    url = f"sqlite:///{tmp_path / 'ops.sqlite3'}"
    engine = build_engine(url)
    migrate.upgrade(engine)
    factory = build_session_factory(engine)
    with AppSqlUnitOfWork(factory) as uow:
        uow.campaigns.add_many(
            [
                (
                    Campaign(
                        0,
                        Marketplace.WB,
                        "w1",
                        "Пледы весна",
                        "acme",
                        CampaignStatus.ACTIVE,
                        StrategyType.MANUAL,
                        D("10"),
                        D("500"),
                        daily_budget=D("3000"),
                    ),
                    [Keyword(0, 0, "k1", "плед", D("120")), Keyword(0, 0, "k2", "плед детский", D("80"))],
                ),
                (
                    Campaign(
                        0,
                        Marketplace.OZON,
                        "o1",
                        "Bags",
                        "acme",
                        CampaignStatus.PAUSED,
                        StrategyType.TARGET_DRR,
                        D("5"),
                        D("50"),
                        target_drr=D("12"),
                    ),
                    [],
                ),
            ]
        )
        uow.alerts.add(
            AlertRecord("marketing", "budget_exceeded", "warning", "Пледы весна paused: budget", NOW, campaign_id="1")
        )
        uow.recommendations.add_many([Recommendation(1, date(2026, 3, 9), "advice", "Lower bids on плед", NOW)])
        uow.commit()
    engine.dispose()
    return {"ADOLF_DATABASE_URL": url}, AppSqlUnitOfWork(factory)


def test_list_filters_by_marketplace_and_status(adolf: Run, db: tuple[dict[str, str], AppSqlUnitOfWork]) -> None:
    env, _ = db
    out = adolf("campaigns", "list", env=env).stdout
    assert "Пледы весна" in out and "Bags" in out and "2 campaign(s)" in out
    only = adolf("campaigns", "list", "--marketplace", "ozon", "--status", "paused", env=env).stdout
    assert "Bags" in only and "Пледы" not in only and "drr 12" in only


def test_set_changes_what_the_bid_engine_does_and_show_reports_it(
    adolf: Run, db: tuple[dict[str, str], AppSqlUnitOfWork]
) -> None:
    env, uow = db
    out = adolf(
        "campaigns",
        "set",
        "1",
        "--strategy",
        "target_drr",
        "--target-drr",
        "15",
        "--max-bid",
        "300",
        "--safety",
        "max_drr=25",
        "--dry-run",
        env=env,
    ).stdout
    assert "strategy target_drr" in out and "flags dry_run" in out
    with uow:
        stored = uow.campaigns.get(1)
    assert stored is not None
    assert (stored.strategy, stored.target_drr, stored.max_bid, stored.dry_run) == (
        StrategyType.TARGET_DRR,
        D("15"),
        D("300"),
        True,
    )
    assert stored.safety.max_drr == D("25")
    shown = adolf("campaigns", "show", "1", env=env).stdout
    assert "25 (set for this campaign)" in shown and "2 active, 0 paused" in shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--strategy", "target_cpo"], "strategy=target_cpo needs target_cpo"),
        (["--min-bid", "abc"], "min_bid='abc' is not a number"),
        (["--safety", "speed=1"], "'speed' is not a safety threshold"),
        (["--safety", "max_drr"], "--safety 'max_drr': expected NAME=VALUE"),
        ([], "nothing to change"),
    ],
)
def test_a_refused_change_exits_2_naming_the_field_and_writes_nothing(
    adolf: Run, db: tuple[dict[str, str], AppSqlUnitOfWork], args: list[str], message: str
) -> None:
    env, uow = db
    with uow:
        before = uow.campaigns.get(1)
    result = adolf("campaigns", "set", "1", *args, env=env, check=False)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    with uow:
        assert uow.campaigns.get(1) == before


def test_an_unknown_campaign_is_named(adolf: Run, db: tuple[dict[str, str], AppSqlUnitOfWork]) -> None:
    env, _ = db
    for args in (["show", "9"], ["set", "9", "--dry-run"]):
        result = adolf("campaigns", *args, env=env, check=False)
        assert result.returncode == 2 and "campaign_id=9 does not exist" in result.stderr


def test_alerts_and_recommendations_are_listed(adolf: Run, db: tuple[dict[str, str], AppSqlUnitOfWork]) -> None:
    env, _ = db
    alerts = adolf("alerts", "--module", "marketing", env=env).stdout
    assert "budget_exceeded" in alerts and "Пледы весна paused" in alerts
    assert "budget_exceeded" not in adolf("alerts", "--module", "system", env=env).stdout
    advice = adolf("recommendations", "--day", "2026-03-09", env=env).stdout
    assert "Lower bids on плед" in advice and "Пледы весна" in advice
    none = adolf("recommendations", "--day", "2026-03-08", env=env)
    assert "no recommendations for 2026-03-08" in none.stderr and env["ADOLF_DATABASE_URL"] in none.stderr
    assert "calculate_analytics" in none.stderr
    bad = adolf("recommendations", "--day", "March", env=env, check=False)
    assert bad.returncode == 2 and "--day='March' is not a date" in bad.stderr
