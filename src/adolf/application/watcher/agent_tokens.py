"""Parsing agents' API tokens (issue 10: each agent has its own token and the role ``agent``).

An operator registers an agent with a token (``register_agent``; ``issue_token`` makes one)
and hands the token to the agent's host; ADOLF keeps only its SHA-256 (``hash_token``), in
the agents table's unique ``token_hash``, so a presented token finds its one agent in one
lookup (``authenticate_agent``) and a copy of the table opens nothing.

Choices:
- SHA-256 without salt or stretching: a token is at least ``MIN_TOKEN_LENGTH`` characters of
  a random secret, not a password a person chose, so a fast hash already makes a leaked table
  useless; an unsalted hash is what lets the unique index find the agent;
- a token is printable ASCII without spaces (it travels in an ``Authorization: Bearer``
  header), ``MIN_TOKEN_LENGTH`` to ``MAX_TOKEN_LENGTH`` characters;
- a token belongs to one agent: registering a second agent with it is refused.
"""

from __future__ import annotations

import hashlib
import secrets

from adolf.application.watcher.ports import WatcherServices
from adolf.domain.errors import DomainError
from adolf.domain.watcher.agents import Agent

AGENT_ROLE = "agent"
MIN_TOKEN_LENGTH = 32
MAX_TOKEN_LENGTH = 512
MAX_AGENT_ID_LENGTH = 64  # watcher_agents.id
MAX_AGENT_NAME_LENGTH = 200  # watcher_agents.name


class AgentRegistrationRefused(DomainError):
    """The agent or its token cannot be registered; the message says which and why."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token() -> str:
    """A new random token (43 URL-safe characters, 256 bits)."""
    return secrets.token_urlsafe(32)


def register_agent(services: WatcherServices, agent: Agent, token: str | None = None) -> str:
    """Store a new agent with the hash of ``token`` (a new one when None); returns the token,
    which is shown to the operator once and never stored."""
    _check_agent(agent)
    token = issue_token() if token is None else token
    _check_token(token)
    digest = hash_token(token)
    with services.uow() as uow:
        if uow.watcher_agents.get(agent.id) is not None:
            raise AgentRegistrationRefused(f"agent_id={agent.id!r} is already registered")
        if uow.watcher_agents.by_token_hash(digest) is not None:
            raise AgentRegistrationRefused(f"the token given for agent_id={agent.id!r} belongs to another agent")
        uow.watcher_agents.add(agent, digest)
        uow.commit()
    return token


def authenticate_agent(services: WatcherServices, token: str) -> Agent | None:
    """The agent this bearer token belongs to, or None."""
    if not MIN_TOKEN_LENGTH <= len(token) <= MAX_TOKEN_LENGTH:
        return None  # no registered token has this length: no need to ask the database
    with services.uow() as uow:
        return uow.watcher_agents.by_token_hash(hash_token(token))


def _check_agent(agent: Agent) -> None:
    if not isinstance(agent.id, str) or not agent.id.strip() or len(agent.id) > MAX_AGENT_ID_LENGTH:
        raise AgentRegistrationRefused(f"agent_id={agent.id!r:.80} must be 1 to {MAX_AGENT_ID_LENGTH} characters")
    if agent.id != agent.id.strip() or "/" in agent.id:
        raise AgentRegistrationRefused(f"agent_id={agent.id!r} must not contain '/' or surrounding spaces (a URL path)")
    if not isinstance(agent.name, str) or not agent.name.strip() or len(agent.name) > MAX_AGENT_NAME_LENGTH:
        raise AgentRegistrationRefused(
            f"name={agent.name!r:.80} must be 1 to {MAX_AGENT_NAME_LENGTH} characters (agent {agent.id})"
        )


def _check_token(token: str) -> None:
    # The message never shows the token: it is a secret even when it is refused.
    if not isinstance(token, str) or not MIN_TOKEN_LENGTH <= len(token) <= MAX_TOKEN_LENGTH:
        length = len(token) if isinstance(token, str) else type(token).__name__
        raise AgentRegistrationRefused(
            f"token length={length}: a token must be {MIN_TOKEN_LENGTH} to {MAX_TOKEN_LENGTH} characters"
        )
    if not all("!" <= char <= "~" for char in token):
        raise AgentRegistrationRefused("token: only printable ASCII without spaces may travel in a bearer header")
