"""Comparing a presented API token with a known one, for every HTTP router.

In constant time, and as bytes: ``hmac.compare_digest`` raises ``TypeError`` on a ``str`` that
is not ASCII, and a client may put any byte in an ``Authorization`` header — that must be a 401,
never a 500. ``surrogateescape`` keeps bytes the header decoding could not map comparable.
"""

from __future__ import annotations

import hmac


def token_bytes(token: str) -> bytes:
    return token.encode("utf-8", "surrogateescape")


def same_token(known: str | bytes, presented: str | bytes) -> bool:
    """Whether ``presented`` is ``known``, taking the same time wherever they differ."""
    left = known if isinstance(known, bytes) else token_bytes(known)
    right = presented if isinstance(presented, bytes) else token_bytes(presented)
    return hmac.compare_digest(left, right)
