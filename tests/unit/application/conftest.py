from __future__ import annotations

import pytest

from tests.support.fakes import FakeServices


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()
