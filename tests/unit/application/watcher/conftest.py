from __future__ import annotations

import pytest

from tests.support.fakes.watcher_services import FakeWatcherServices


@pytest.fixture
def services() -> FakeWatcherServices:
    return FakeWatcherServices()
