"""The in-memory ``CircuitBreaker`` under the name the tests use. It is the embedded default's
own implementation (``adolf.adapters.redis.memory_circuit_breaker``), so there is one copy, and
the Redis adapter is checked against it step by step
(tests/integration/reputation/test_redis_circuit_breaker.py). Assert on ``state(key)``,
``snapshot(key)`` and ``transitions(key)``.
"""

from __future__ import annotations

from adolf.adapters.redis.memory_circuit_breaker import MemoryCircuitBreaker

FakeCircuitBreaker = MemoryCircuitBreaker

__all__ = ["FakeCircuitBreaker", "MemoryCircuitBreaker"]
