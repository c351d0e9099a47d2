"""``logistic.sync_ozon_warehouses`` (Mondays 02:00; seed 003 §8.4.3, SPEC §3): Ozon's FBO
cluster list (``/v1/cluster/list``, type ``CLUSTER_TYPE_OZON``; the seed's
``/v1/warehouse/list`` lists FBS warehouses only) → ``logistic_clusters``, upserted: new ones
added, renamed ones renamed, none deleted (snapshots and tasks refer to them).

The seed loops over its two brands' adapters and syncs the same list twice; clusters are
Ozon's, not a brand's, so one call. A cluster Ozon sends twice is stored once (the last name);
a row the domain refuses (blank name, id ≤ 0) is skipped and counted.
"""

from __future__ import annotations

from typing import Any

from adolf.application.logistic.ports import LogisticServices
from adolf.domain.logistic.articles import Cluster
from adolf.domain.logistic.errors import InvalidLogistic


def sync_ozon_warehouses(services: LogisticServices) -> dict[str, Any]:
    now = services.clock.now()
    rows = services.ozon_fbo.clusters()
    found: dict[int, Cluster] = {}
    invalid = 0
    for row in rows:
        try:
            cluster = Cluster(row.id, row.name)
        except InvalidLogistic:
            invalid += 1
            continue
        found[cluster.id] = cluster
    with services.uow() as uow:
        known = {cluster.id for cluster in uow.logistic_clusters.all()}
        uow.logistic_clusters.upsert(list(found.values()), now)
        uow.commit()
    return {
        "clusters": len(found),
        "added": len(set(found) - known),
        "invalid": invalid,
        "duplicates": len(rows) - invalid - len(found),
    }
