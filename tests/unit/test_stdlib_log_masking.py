"""Standard-library log records (Celery's, RQ's, kombu's) are masked as they are created,
and ``mask_text``/``redactor`` mask a configured secret whole, whatever surrounds it."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from adolf.adapters.observability.logging import install_log_masking, mask_text, redactor

SECRET = "wb-secret-0123456789"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    factory = logging.getLogRecordFactory()
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("celery.app.trace.test")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, out
    finally:
        logger.removeHandler(handler)
        logging.setLogRecordFactory(factory)


def test_a_celery_style_line_with_args_is_masked(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = captured
    install_log_masking([SECRET])
    logger.info(
        "Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s",
        {"name": "e2e.echo", "id": "abc", "runtime": 0.1, "return_value": {"echo": f"with {SECRET} now"}},
    )
    assert SECRET not in out.getvalue()
    assert "Task e2e.echo[abc] succeeded in 0.1s: {'echo': 'with *** now'}" in out.getvalue()


def test_a_traceback_and_extra_values_are_masked(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, out = captured
    install_log_masking([SECRET])
    try:
        raise RuntimeError(f"refused {SECRET}")
    except RuntimeError:
        logger.exception("job %s failed", "j1", extra={"arguments": ["x", SECRET]})
    text = out.getvalue()
    assert "job j1 failed" in text and "RuntimeError: refused ***" in text
    assert SECRET not in text


def test_installing_again_replaces_the_secrets_instead_of_stacking(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, out = captured
    install_log_masking(["first-secret"])
    install_log_masking([SECRET])
    logger.warning("%s and first-secret", SECRET)
    assert out.getvalue().strip().endswith("*** and first-secret")


def test_a_secret_no_pattern_knows_is_masked_only_once_configured(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, out = captured
    install_log_masking([])
    logger.info("with %s", "ab12cd34ef56")
    install_log_masking(["ab12cd34ef56"])
    logger.info("with %s", "ab12cd34ef56")
    assert out.getvalue().splitlines() == [
        "INFO celery.app.trace.test with ab12cd34ef56",
        "INFO celery.app.trace.test with ***",
    ]


def test_a_configured_secret_is_masked_whole_even_where_a_pattern_would_cut_it() -> None:
    assert mask_text(f"calling WB with {SECRET} now", [SECRET]) == "calling WB with *** now"
    assert mask_text(f"{SECRET}-2", [SECRET, f"{SECRET}-2"]) == "***"


def test_the_redactor_is_mask_text_bound_to_the_secrets() -> None:
    redact = redactor([SECRET])
    assert redact(f"Traceback…\nRuntimeError: refused {SECRET}") == "Traceback…\nRuntimeError: refused ***"
    assert redact("nothing to hide") == "nothing to hide"
