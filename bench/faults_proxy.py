"""The TCP proxy the ``pg-cut`` scenario cuts PostgreSQL with: the tests' own
(``tests/support/tcp_proxy.py``), so the suite and the tests cut the database the same way."""

from __future__ import annotations

from tests.support.tcp_proxy import TcpProxy

__all__ = ["TcpProxy"]
