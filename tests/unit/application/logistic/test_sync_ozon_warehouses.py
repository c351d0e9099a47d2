"""``logistic.sync_ozon_warehouses``: Ozon's cluster list upserted, none deleted."""

from __future__ import annotations

from adolf.application.logistic.clusters_sync import sync_ozon_warehouses
from adolf.application.logistic.ozon_fbo import ClusterRow
from adolf.domain.logistic.articles import Cluster
from tests.support.fakes.logistic_services import FakeLogisticServices


def test_clusters_are_added_renamed_and_never_deleted(services: FakeLogisticServices) -> None:
    services.unit_of_work.logistic_clusters.upsert([Cluster(1, "Moscow"), Cluster(9, "Gone")], services.clock.now())
    services.ozon_fbo.cluster_rows = [
        ClusterRow(1, "Москва, МО и Дальние регионы"),
        ClusterRow(2, "Казань"),
        ClusterRow(2, "Казань"),
        ClusterRow(3, "  "),
    ]

    report = sync_ozon_warehouses(services)

    clusters = services.unit_of_work.logistic.clusters
    assert {i: c.name for i, c in clusters.items()} == {1: "Москва, МО и Дальние регионы", 2: "Казань", 9: "Gone"}
    assert report == {"clusters": 2, "added": 1, "invalid": 1, "duplicates": 1}
