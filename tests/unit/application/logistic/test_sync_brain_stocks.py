"""``logistic.sync_brain_stocks``: the 1C extract classified by the domain → validated applied
with history, anomalies kept aside, unknown codes noted, junk and duplicates counted."""

from __future__ import annotations

from adolf.application.logistic.brain_sync import sync_brain_stocks
from adolf.application.logistic.ports import BalanceLine
from tests.support.fakes.logistic_services import FakeLogisticServices
from tests.unit.application.logistic.world import add_articles

TABLE = "brain_stock_balance"


def load(services: FakeLogisticServices, *rows: tuple[str, str | None] | tuple[str, str | None, str]) -> None:
    lines = [
        BalanceLine(line, row[0], row[1], row[2] if len(row) > 2 else None)  # type: ignore[misc]
        for line, row in enumerate(rows, start=2)
    ]
    services.unit_of_work.logistic.load_brain(TABLE, lines, services.clock.now())


def history(services: FakeLogisticServices) -> list[tuple[int, int, str, str | None]]:
    rows = services.unit_of_work.logistic.history.values()
    return sorted((r.article_id, r.quantity, r.classification, r.reason) for r in rows)


def test_each_row_lands_where_the_domain_classifies_it(services: FakeLogisticServices) -> None:
    [a, b, c, d] = add_articles(services, 4)
    services.unit_of_work.logistic.warehouse.update({c.id: 100})
    load(
        services,
        (f" {a.code} ", "1 234,000"),  # 1C's spaces and decimal comma: 1234
        (b.code, "12"),
        (c.code, "900"),  # 9x the 100 applied last: a jump
        (d.code, "-4"),  # negative
        ("UNKNOWN-1", "5", "Чайник синий"),
        ("", "3"),  # no code
        (a.code + "x", "abc"),  # junk quantity
        ("DUP", "1"),
        ("DUP", "2"),
    )

    report = sync_brain_stocks(services)

    tables = services.unit_of_work.logistic
    assert tables.warehouse == {a.id: 1234, b.id: 12, c.id: 100}  # c's anomaly not applied
    assert history(services) == sorted(
        [
            (a.id, 1234, "validated", None),
            (b.id, 12, "validated", None),
            (c.id, 900, "anomaly", "jump"),
            (d.id, -4, "anomaly", "negative"),
        ]
    )
    assert report == {
        "status": "success",
        "rows": 9,
        "validated": 2,
        "anomalies": 2,
        "unmapped": 1,
        "invalid": 2,
        "duplicates": 1,
        "absent_read_as_zero": 0,
    }
    [unmapped] = tables.unmapped.values()
    assert (unmapped.code, unmapped.name, unmapped.times) == ("UNKNOWN-1", "Чайник синий", 1)


def test_an_unknown_code_seen_again_is_counted_again(services: FakeLogisticServices) -> None:
    load(services, ("UNKNOWN-1", "5"))
    sync_brain_stocks(services)
    services.clock.advance(86_400)

    sync_brain_stocks(services)

    [unmapped] = services.unit_of_work.logistic.unmapped.values()
    assert unmapped.times == 2 and unmapped.last_seen == services.clock.now()


def test_an_article_the_extract_leaves_out_is_read_as_zero_through_the_same_rules(
    services: FakeLogisticServices,
) -> None:
    [few, many, listed] = add_articles(services, 3)
    services.unit_of_work.logistic.warehouse.update({few.id: 4, many.id: 500, listed.id: 10})
    load(services, (listed.code, "11"))

    report = sync_brain_stocks(services)

    warehouse = services.unit_of_work.logistic.warehouse
    assert warehouse[few.id] == 0  # a sell-out of 4: trade
    assert warehouse[many.id] == 500  # 500 → nothing at once: an anomaly, kept aside
    assert (many.id, 0, "anomaly", "jump") in history(services)
    assert report["absent_read_as_zero"] == 2


def test_an_empty_extract_applies_nothing(services: FakeLogisticServices) -> None:
    [a] = add_articles(services)
    services.unit_of_work.logistic.warehouse[a.id] = 40

    report = sync_brain_stocks(services)

    assert report["status"] == "empty"
    assert services.unit_of_work.logistic.warehouse == {a.id: 40}
    assert services.unit_of_work.logistic.history == {}


def test_the_import_is_one_apply_whatever_the_rows(services: FakeLogisticServices) -> None:
    articles = add_articles(services, 50)
    load(services, *((a.code, str(i)) for i, a in enumerate(articles)))

    sync_brain_stocks(services)

    calls = services.unit_of_work.logistic.calls
    assert calls["warehouse.apply"] == 1 and calls["articles.ids_by_code"] == 1
    assert len(services.unit_of_work.logistic.warehouse) == 50
