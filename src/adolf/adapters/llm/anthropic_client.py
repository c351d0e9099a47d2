"""One Anthropic client for every use of Claude in ADOLF (Marketing's advice, Reputation's reading
and drafting): the SDK client with its timeout and retries, and a daily token budget.

- Retries: the SDK retries connection errors, 408/409/429 and 5xx with exponential backoff
  itself; ``MAX_RETRIES`` = 2 keeps a job's worst case short (the job's own retry comes later).
- Timeouts: ``TIMEOUT`` for the client; a caller may pass a shorter one per request (Reputation
  answers one item inside a job with a 300 s soft limit; advice for 20 campaigns takes longer).
- Budget: ``TokenBudget`` counts input + output tokens per UTC day and refuses a request once the
  day's budget is spent (``BudgetSpent``) until the next UTC midnight. The count lives in this
  process only: each worker process has its own budget, so a deployment's daily ceiling is the
  budget × its worker processes (set it accordingly); a restart starts the day's count again.
  A request is refused only before it starts, so the last one of the day may overshoot by its own
  tokens (at most ``max_tokens`` of output plus its input).

The API key is never logged; errors are reported by type and status only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import anthropic

TIMEOUT = 60.0
MAX_RETRIES = 2
DAILY_TOKENS = 2_000_000  # ~ a few thousand short answers a day; a runaway loop stops here


class BudgetSpent(RuntimeError):
    """The day's token budget is spent; the next UTC day has a new one."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class TokenBudget:
    """Tokens spent today (UTC), shared by every caller of one ``AnthropicClient``; thread-safe."""

    def __init__(self, daily_tokens: int = DAILY_TOKENS, clock: Callable[[], datetime] = _utc_now) -> None:
        if isinstance(daily_tokens, bool) or not isinstance(daily_tokens, int) or daily_tokens < 1:
            raise ValueError(f"daily_tokens={daily_tokens!r} must be a whole number >= 1")
        self.daily_tokens = daily_tokens
        self._clock = clock
        self._lock = threading.Lock()
        self._day: date | None = None
        self._spent = 0

    def _today(self) -> date:
        day = self._clock().astimezone(UTC).date()
        if day != self._day:
            self._day, self._spent = day, 0
        return day

    @property
    def spent(self) -> int:
        with self._lock:
            self._today()
            return self._spent

    def check(self) -> None:
        """``BudgetSpent`` when today's tokens are used up."""
        with self._lock:
            day = self._today()
            if self._spent >= self.daily_tokens:
                raise BudgetSpent(
                    f"token budget spent for {day.isoformat()} (UTC): {self._spent} of {self.daily_tokens}"
                )

    def record(self, tokens: int) -> None:
        with self._lock:
            self._today()
            self._spent += max(0, int(tokens))


class AnthropicClient:
    """A Messages API call with the budget around it: ``ask(system, user)`` → the answer's text."""

    def __init__(self, client: anthropic.Anthropic, model: str, budget: TokenBudget | None = None) -> None:
        self.sdk = client
        self.model = model
        self.budget = budget or TokenBudget()

    def ask(self, system: str, user: str, *, max_tokens: int, timeout: float | None = None) -> str:
        """Raises ``BudgetSpent`` before calling when the day's budget is spent, and the SDK's
        ``anthropic.APIError`` subclasses when the call fails after the SDK's retries."""
        self.budget.check()
        options: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        message = self.sdk.messages.create(
            model=self.model,
            max_tokens=max_tokens,
            system=system,
            messages=[{"role": "user", "content": user}],
            **options,
        )
        usage = getattr(message, "usage", None)
        if usage is not None:
            self.budget.record((usage.input_tokens or 0) + (usage.output_tokens or 0))
        return "".join(block.text for block in message.content if block.type == "text")


def build_anthropic_client(
    api_key: str,
    model: str,
    *,
    base_url: str | None = None,
    timeout: float = TIMEOUT,
    max_retries: int = MAX_RETRIES,
    daily_tokens: int = DAILY_TOKENS,
    http_client: Any = None,
) -> AnthropicClient:
    """The one client a process holds (the composition root builds it once and hands it to every
    model adapter). ``http_client``: an ``httpx.Client`` to use instead of the SDK's (tests)."""
    options: dict[str, Any] = {} if http_client is None else {"http_client": http_client}
    sdk = anthropic.Anthropic(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries, **options)
    return AnthropicClient(sdk, model, TokenBudget(daily_tokens))
