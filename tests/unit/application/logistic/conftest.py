from __future__ import annotations

import pytest

from tests.support.fakes.logistic_services import FakeLogisticServices


@pytest.fixture
def services() -> FakeLogisticServices:
    return FakeLogisticServices()
