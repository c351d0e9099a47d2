"""A small Logistic world for the use case tests: articles, clusters, FBO stock, the 1C
warehouse, people — written straight into the fake tables (as committed rows)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from adolf.application.logistic.ozon_fbo import ClusterRow, StockRow
from adolf.domain.alerts.users import Role, User
from adolf.domain.logistic.articles import Article, Cluster
from adolf.domain.logistic.stock import FboStock
from tests.support.fakes.logistic_services import FakeLogisticServices

MORNING = datetime(2024, 5, 10, 4, 0, tzinfo=UTC)  # 07:00 in Moscow
SKU = 100_000


def add_articles(
    services: FakeLogisticServices, count: int = 1, *, brand: str = "acme", with_sku: bool = True
) -> list[Article]:
    repo = services.unit_of_work.logistic_articles
    start = len(services.unit_of_work.logistic.articles)
    made = [
        Article(0, brand, f"{brand}-{start + i:04d}", f"Kettle {start + i}", SKU + start + i if with_sku else None)
        for i in range(count)
    ]
    ids = repo.add(made, services.clock.now())
    return [services.unit_of_work.logistic.articles[i] for i in ids]


def add_clusters(services: FakeLogisticServices, *ids: int) -> list[Cluster]:
    clusters = [Cluster(i, f"Cluster {i}") for i in ids or (1, 2)]
    services.unit_of_work.logistic_clusters.upsert(clusters, services.clock.now())
    services.ozon_fbo.cluster_rows = [ClusterRow(c.id, c.name) for c in clusters]
    return clusters


def stock(
    article_id: int,
    cluster_id: int,
    available: int,
    velocity: str = "1",
    *,
    in_transit: int = 0,
    days_left: str | None = None,
    at: datetime = MORNING,
) -> FboStock:
    return FboStock(
        article_id,
        cluster_id,
        available,
        in_transit,
        0,
        Decimal(velocity),
        at,
        Decimal(days_left) if days_left is not None else None,
    )


def put_stock(services: FakeLogisticServices, *stocks: FboStock) -> None:
    services.unit_of_work.logistic_stock.record(list(stocks), services.clock.now())


def ozon_row(sku: int, cluster_id: int, available: int, ads: str = "1", *, in_transit: int = 0) -> StockRow:
    ads_value = Decimal(ads)
    idc = (Decimal(available) / ads_value).quantize(Decimal("0.01")) if ads_value else None
    return StockRow(sku, cluster_id, available, in_transit, 0, ads_value, idc, "GOOD")


def people(services: FakeLogisticServices) -> dict[str, User]:
    users = {
        "manager": User("m-acme", "Manager Acme", Role.MANAGER, "acme"),
        "other": User("m-other", "Manager Other", Role.MANAGER, "other"),
        "senior": User("senior", "Senior", Role.SENIOR, "all"),
        "director": User("director", "Director", Role.DIRECTOR, "all"),
        "admin": User("admin", "Admin", Role.ADMIN, "all"),
        "gone": User("gone", "Left", Role.ADMIN, "all", active=False),
    }
    for user in users.values():
        services.unit_of_work.users.add(user)
    return users


def recipients_of(services: FakeLogisticServices, subject_part: str) -> set[str]:
    return {n.recipient for n in services.notifier.sent if subject_part in n.subject}
