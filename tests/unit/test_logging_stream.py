"""Logging to standard error follows ``sys.stderr`` as it is when a line is written."""

from __future__ import annotations

import io
import sys

import pytest
import structlog

from adolf.adapters.observability.logging import configure_logging


def test_a_line_logged_after_stderr_was_swapped_and_closed_goes_to_the_new_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    configure_logging(fmt="json")  # as a CLI command run inside a test runner does
    structlog.get_logger().info("while the runner held stderr")
    monkeypatch.setattr(sys, "stderr", second)
    first.close()  # the runner is done with its stream
    structlog.get_logger().error("a job failing later", task="watcher.handle_panic_mode")
    assert "a job failing later" in second.getvalue()
