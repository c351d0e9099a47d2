"""The daily analytics, the archive (moved, never lost, counts checked) and the Office
Dashboard's three Reputation employees."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.application.reputation import archiving
from adolf.application.reputation.archiving import ArchiveMismatch, archive_old_items
from adolf.application.reputation.daily_analytics import calculate_daily_analytics
from adolf.application.reputation.office_reporting import office_heartbeat
from adolf.domain.marketplace import Marketplace
from adolf.domain.reputation.items import Analysis, Response, ResponseSource, ResponseStatus, Sentiment, Urgency
from adolf.domain.reputation.lifecycle import ItemStatus
from tests.support.fakes.reputation_services import FakeReputationServices
from tests.unit.application.reputation.conftest import review, stored

NOW = datetime(2024, 5, 10, 9, 7, tzinfo=UTC)  # 12:07 in Moscow


def test_analytics_count_yesterday_in_moscow_per_platform_and_brand(services: FakeReputationServices) -> None:
    yesterday_msk = datetime(2024, 5, 8, 21, 30, tzinfo=UTC)  # 9 May 00:30 in Moscow
    late = datetime(2024, 5, 9, 20, 59, tzinfo=UTC)  # 9 May 23:59 in Moscow
    today_msk = datetime(2024, 5, 9, 21, 0, tzinfo=UTC)  # 10 May 00:00 in Moscow
    good = stored(services, review("a", yesterday_msk, rating=5))
    stored(services, review("b", late, rating=2))
    stored(services, review("c", today_msk, rating=1))
    stored(services, review("d", late, rating=4, platform=Marketplace.OZON, brand="ohana_kids"))
    services.unit_of_work.reputation_analyses.save(
        Analysis(good, Sentiment.POSITIVE, Urgency.LOW, "fake-model", yesterday_msk)
    )

    done = calculate_daily_analytics(services)
    rerun = calculate_daily_analytics(services, date(2024, 5, 9))

    assert done == rerun == {"day": "2024-05-09", "items": 3, "rows": 6}  # 3 platforms × 2 brands
    rows = {
        (r.platform, r.brand): r
        for r in services.unit_of_work.reputation_analytics.rows(date(2024, 5, 9), date(2024, 5, 9))
    }
    wb = rows[(Marketplace.WB, "ohana_market")]
    assert (wb.total, wb.reviews, wb.positive, wb.avg_rating) == (2, 2, 1, Decimal("3.50"))
    assert rows[(Marketplace.OZON, "ohana_kids")].total == 1
    assert rows[(Marketplace.YM, "ohana_kids")].total == 0


def old(services: FakeReputationServices, n: int, status: ItemStatus, days: int) -> list[int]:
    at = services.clock.now() - timedelta(days=days)
    return [stored(services, review(f"{status.value}-{days}-{i}", at), status) for i in range(n)]


def test_archive_moves_published_and_skipped_items_older_than_a_year_in_batches(
    services: FakeReputationServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archiving, "BATCH", 2)
    moved = old(services, 3, ItemStatus.PUBLISHED, 400) + old(services, 2, ItemStatus.SKIPPED, 366)
    for item_id in moved[:1]:
        services.unit_of_work.reputation_responses.save(
            Response(item_id, "Спасибо!", ResponseSource.MODEL, ResponseStatus.PUBLISHED, NOW, published_at=NOW)
        )
    kept = old(services, 2, ItemStatus.FAILED, 400) + old(services, 1, ItemStatus.PUBLISHED, 300)

    done = archive_old_items(services)

    assert (done["archived"], done["batches"], done["live"], done["archive"]) == (5, 3, 3, 5)
    assert sorted(services.unit_of_work.reputation.items) == sorted(kept)
    assert archive_old_items(services)["archived"] == 0


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(list(ItemStatus)), st.integers(300, 500)), max_size=12))
def test_archive_never_loses_an_item(rows: list[tuple[ItemStatus, int]]) -> None:
    services = FakeReputationServices()
    for i, (status, days) in enumerate(rows):
        stored(services, review(f"r{i}", services.clock.now() - timedelta(days=days)), status)

    done = archive_old_items(services)

    due = sum(status in (ItemStatus.PUBLISHED, ItemStatus.SKIPPED) and days > 365 for status, days in rows)
    assert done["archived"] == due and done["live"] + done["archive"] == len(rows)


def test_an_archive_batch_that_loses_items_is_rolled_back_and_fails(services: FakeReputationServices) -> None:
    old(services, 2, ItemStatus.PUBLISHED, 400)
    archive = services.unit_of_work.reputation_archive
    real = archive.move_before

    def losing(cutoff: datetime, limit: int) -> int:
        moved = real(cutoff, limit)
        services.unit_of_work.reputation.archive.clear()  # an archive that drops what it took
        return moved

    archive.move_before = losing  # type: ignore[method-assign]

    with pytest.raises(ArchiveMismatch, match="moved=2"):
        archive_old_items(services)
    assert len(services.unit_of_work.reputation.items) == 2


def test_office_heartbeat_reports_each_marketplaces_employee(services: FakeReputationServices) -> None:
    now = services.clock.now()
    published = stored(services, review("a", now - timedelta(minutes=50)), ItemStatus.PUBLISHED)
    services.unit_of_work.reputation_responses.save(
        Response(published, "Спасибо!", ResponseSource.MODEL, ResponseStatus.PUBLISHED, now, published_at=now)
    )
    stored(services, review("b", now), ItemStatus.PENDING_REVIEW)
    stored(services, review("c", now), ItemStatus.FAILED)
    stored(services, review("d", now), ItemStatus.NEW)
    stored(services, review("e", now - timedelta(days=2)), ItemStatus.APPROVED)
    stored(services, review("f", now, platform=Marketplace.OZON), ItemStatus.APPROVED)

    beat = office_heartbeat(services)
    json.dumps(beat)

    assert beat["agents"] == 3
    assert beat["metrics"]["wb"] == {"reviews_today": 4, "avg_response_min": "50.0", "queue_size": 3}
    assert beat["metrics"]["ozon"]["queue_size"] == 1 and beat["metrics"]["ym"]["reviews_today"] == 0
    assert beat["metrics"]["ozon"]["avg_response_min"] == "0"  # WB's answer is WB's alone
    card = services.status_board.get("office:agent:reputation_wb")
    assert card["department"] == "reputation" and card["fte_coefficient"] == "1.0" and card["status"] == "idle"
    assert card["metric:queue_size"] == "3"
    assert set(services.status_board.hashes) >= {f"office:agent:reputation_{mp}" for mp in ("wb", "ozon", "ym")}
