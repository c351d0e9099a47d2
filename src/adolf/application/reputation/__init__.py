"""Reputation's use cases: polling reviews and questions behind a shared circuit breaker,
analysis and drafts through a language-model port, a manager's approval, idempotent publishing,
the archive and daily analytics (SPEC §3 Reputation, §4.6)."""
