"""No secret reaches the log output, whatever key or text it hides in."""

from __future__ import annotations

import io
import json

import pytest
import structlog
from hypothesis import given, settings
from hypothesis import strategies as st

from adolf.adapters.observability.logging import configure_logging, mask_text


def _log(secret_values: list[str], **event: object) -> str:
    out = io.StringIO()
    configure_logging("json", "INFO", secret_values, stream=out)
    structlog.get_logger().info("event", **event)
    return out.getvalue()


@pytest.mark.parametrize(
    ("field", "value", "secret"),
    [
        ("api_key", "k-123456", "k-123456"),
        ("token", "t-abcdef", "t-abcdef"),
        ("password", "hunter22", "hunter22"),
        ("url", "postgresql://adolf:pa55w0rd@db:5432/adolf", "pa55w0rd"),
        ("header", "Authorization: Bearer eyJhbGciOi.xyz", "eyJhbGciOi.xyz"),
        ("query", "https://api/x?api_key=qwerty12&page=2", "qwerty12"),
        ("nested", {"client_secret": "s3cr3t!!"}, "s3cr3t!!"),
    ],
)
def test_a_secret_in_a_log_event_never_appears_in_the_output(field: str, value: object, secret: str) -> None:
    output = _log([], **{field: value})
    assert secret not in output
    assert json.loads(output)["event"] == "event"


def test_a_configured_secret_is_masked_even_under_an_innocent_key() -> None:
    output = _log(["wb-token-0123456789"], note="calling WB with wb-token-0123456789 now")
    assert "wb-token-0123456789" not in output
    assert "calling WB with" in output


def test_an_ordinary_field_is_left_alone() -> None:
    output = json.loads(_log([], campaign="12345", spent="100.50"))
    assert output["campaign"] == "12345" and output["spent"] == "100.50"


@settings(max_examples=200)
@given(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="@/:"), min_size=6))
def test_a_url_password_is_always_masked(password: str) -> None:
    masked = mask_text(f"redis://user:{password}@cache:6379/0")
    assert password not in masked.replace("redis://user:", "").replace("@cache:6379/0", "")
