"""Every module's catalogue, merged: the one list of tasks a deployment runs."""

from __future__ import annotations

from adolf.application.catalogue import Catalogue
from adolf.application.logistic.catalogue import LOGISTIC_CATALOGUE
from adolf.application.marketing.catalogue import MARKETING_CATALOGUE
from adolf.application.reputation.catalogue import REPUTATION_CATALOGUE
from adolf.application.system.catalogue import SYSTEM_CATALOGUE
from adolf.application.watcher.catalogue import WATCHER_CATALOGUE


def build_catalogue(*extra: Catalogue) -> Catalogue:
    catalogue = (
        SYSTEM_CATALOGUE.merged(MARKETING_CATALOGUE)
        .merged(WATCHER_CATALOGUE)
        .merged(LOGISTIC_CATALOGUE)
        .merged(REPUTATION_CATALOGUE)
    )
    for more in extra:
        catalogue = catalogue.merged(more)
    return catalogue
