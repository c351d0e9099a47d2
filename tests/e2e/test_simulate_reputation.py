"""`adolf simulate` with Reputation (issue 12, "In the main job"): reviews and questions arrive
through the day, Ozon goes down for an hour in the first afternoon (both its breakers open,
half-open, reopen while it is down and close once it is back), drafts wait for the simulated
manager who approves most, edits some, sends a couple back to the model and skips a few, and
one answer fails twice before it goes through — with nothing published twice.

The run's rules are checked on their own first: which fires the thinning keeps, the manager's
draw, the fault plan's item."""

from __future__ import annotations

import itertools
import json
import os
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adolf.application.reputation.catalogue import REPUTATION_CATALOGUE
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import Item, ItemType
from adolf.entrypoints.simulation import reputation_run
from adolf.entrypoints.simulation.reputation_run import MANAGER, POLL_TASKS, ROUNDS, decide, drives, events
from adolf.entrypoints.simulation.reputation_setup import MOSCOW, fault_plan, outage_window
from tests.e2e.conftest import ADOLF
from tests.support import processes

START = date(2026, 1, 12)
START_AT = datetime(2026, 1, 12, tzinfo=MOSCOW).astimezone(UTC)


def report_of(stdout: str) -> dict[str, Any]:
    return json.loads(stdout[stdout.index("{") :])


# --- the run's rules on their own -------------------------------------------------------------


@given(st.integers(0, 7 * 24 * 60 - 1))
def test_polls_run_every_5_minutes_around_the_outage_and_every_15_elsewhere(minute: int) -> None:
    begin, end = outage_window(START)
    for spec in REPUTATION_CATALOGUE:
        if spec.name not in POLL_TASKS:
            continue
        at = START_AT + timedelta(minutes=minute, seconds=spec.schedule.offset)  # type: ignore[union-attr]
        if minute % 5:
            continue  # not a fire of the schedule
        around = begin - timedelta(minutes=30) <= at < end + timedelta(minutes=60)
        assert drives(spec, at, START_AT) is (around or minute % reputation_run.POLL_EVERY == 0)


def test_the_heartbeat_is_hourly_and_the_other_jobs_keep_their_schedule() -> None:
    on_the_hour, past = START_AT + timedelta(hours=5), START_AT + timedelta(hours=5, minutes=1)
    for spec in REPUTATION_CATALOGUE:
        if spec.name == reputation_run.HEARTBEAT:
            assert drives(spec, on_the_hour, START_AT) and not drives(spec, past, START_AT)
        elif spec.name not in POLL_TASKS:
            assert drives(spec, past, START_AT)


def test_the_manager_comes_four_times_a_day_never_during_the_outage() -> None:
    found = events(START_AT, START_AT + timedelta(days=2))
    assert [name for _, name in found] == [MANAGER] * 2 * len(ROUNDS)
    begin, end = outage_window(START)
    assert not any(begin <= at < end for at, _ in found)


items = st.builds(
    lambda platform, kind, ident: Item(
        id=1,
        platform=platform,
        item_type=kind,
        brand="ohana_kids",
        external_id=ident,
        product_id="1",
        rating=5 if kind is ItemType.REVIEW else None,
        text="Отличная вещь",
        author="Анна",
        created_at=START_AT,
    ),
    st.sampled_from(Marketplace),
    st.sampled_from(ItemType),
    st.text(alphabet="0123456789abcdef", min_size=8, max_size=16),
)


@given(st.integers(0, 10_000), items)
def test_the_managers_draw_is_the_same_for_the_same_seed_and_item(seed: int, item: Item) -> None:
    assert decide(seed, item) == decide(seed, item) in {"skip", "edit", "regenerate", "approve"}


def test_the_plan_fails_a_first_morning_wb_review_twice_and_takes_ozon_down_for_an_hour() -> None:
    plan = fault_plan(7, START, ("ohana_market", "ohana_kids"))
    (outage,) = plan.outages
    assert outage.platform is Marketplace.OZON and outage.end - outage.start == timedelta(hours=1)
    assert outage.start.astimezone(MOSCOW).hour == 14
    (failing,) = plan.failing_publishes
    assert (failing.platform, failing.item_type, failing.times) == (Marketplace.WB, ItemType.REVIEW, 2)
    assert plan == fault_plan(7, START, ("ohana_market", "ohana_kids"))


# --- one simulated day ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_day(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    where = tmp_path_factory.mktemp("reputation-day")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOLF_")}
    env.update({"ADOLF_LOG_FORMAT": "json", "COLUMNS": "160"})
    try:
        result = processes.run(
            [ADOLF, "simulate", "--days", "1", "--modules", "reputation", "--json",
             "--database", f"sqlite:///{where / 'sim.sqlite3'}"],
            timeout=120, cwd=where, env=env, text=True,
        )  # fmt: skip
    finally:
        processes.reap_all()
    assert result.returncode == 0, result.stdout + result.stderr
    return report_of(result.stdout)


def test_the_report_has_the_reputation_section_and_no_dead_letter(one_day: dict[str, Any]) -> None:
    assert one_day["dead_letters"] == 0
    reputation = one_day["reputation"]
    assert set(reputation) >= {"polls", "breakers", "items", "answers", "publishing", "marketplace", "manager"}
    polls = reputation["polls"]
    assert set(polls) == {f"{mp}_{kind}" for mp in ("wb", "ozon", "ym") for kind in ("reviews", "questions")}
    for row in polls.values():
        assert row["new"] > 0 and row["fetched"] == row["new"] + row["duplicates"] and row["failed"] == 0


def test_both_ozon_breakers_opened_half_opened_and_closed_again_within_the_outage(one_day: dict[str, Any]) -> None:
    reputation = one_day["reputation"]
    for key in ("ozon:review", "ozon:question"):
        moves = reputation["breakers"][key]
        path = [moves[0]["from"]] + [m["to"] for m in moves]
        assert path[:3] == ["closed", "open", "half_open"] and path[-2:] == ["half_open", "closed"]
        assert all(a in (("closed", "open"), ("open", "half_open"), ("half_open", "open"), ("half_open", "closed"))
                   for a in itertools.pairwise(path))  # fmt: skip
        assert "2026-01-12 14:00" <= moves[0]["at"] < "2026-01-12 14:15"  # opened early in the outage
        assert "2026-01-12 15:00" <= moves[-1]["at"] < "2026-01-12 15:30"  # closed soon after it
        assert reputation["polls"][key.replace(":", "_") + "s"]["circuit_open"] > 0  # polls refused meanwhile
    for key in ("wb:review", "wb:question", "ym:review", "ym:question"):
        assert reputation["breakers"][key] == []
    assert reputation["marketplace"]["outage_refusals"] > 0


def test_nothing_is_published_twice_and_the_planted_failure_ends_published(one_day: dict[str, Any]) -> None:
    reputation = one_day["reputation"]
    market, answers, sending = reputation["marketplace"], reputation["answers"], reputation["publishing"]
    assert market["double_posts"] == 0
    assert market["published_equals_answers"] and market["answers"] == answers["published"] > 0
    published = sum(counts.get("published", 0) for counts in reputation["items"].values())
    assert published == answers["published"]
    (planted,) = sending["planted"]
    assert planted["status"] == "published" and planted["attempts"] == 3
    assert sending["send_failures"] >= 2 and sending["sent_more_than_once"] >= 1 and sending["failed_now"] == 0
    assert answers["average_minutes"] is not None and float(answers["average_minutes"]) > 0


def test_the_managers_actions_are_visible(one_day: dict[str, Any]) -> None:
    reputation = one_day["reputation"]
    manager, answers = reputation["manager"], reputation["answers"]
    assert manager["rounds"] == len(ROUNDS)
    assert manager["approved"] > manager["edited"] > 0 and manager["skipped"] > 0
    assert manager["regenerated"] == reputation_run.REGENERATE_MAX
    assert answers["by_manager"] == manager["edited"]
    assert answers["regenerated"] == manager["regenerated"]  # redrafted, then approved at the next round
    skipped = sum(counts.get("skipped", 0) for counts in reputation["items"].values())
    assert skipped == manager["skipped"]
    # what is still waiting arrived after the last round
    waiting = sum(counts.get("pending_review", 0) for counts in reputation["items"].values())
    assert waiting > 0


def test_the_table_form_prints_the_section(one_day: dict[str, Any]) -> None:
    from adolf.entrypoints.cli.context import console
    from adolf.entrypoints.cli.simulate import render_reputation

    with console.capture() as captured:
        render_reputation(one_day["reputation"])
    text = captured.get()
    assert "breaker ozon:review: closed → open" in text and "→ closed" in text
    assert "0 double posts" in text and "published after 3 attempts" in text
