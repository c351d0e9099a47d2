"""``IpBlocks`` on Redis: ``watcher:ip_blocked:{ip}`` holds the reason, with a TTL (SET EX)."""

from __future__ import annotations

from typing import Any

from redis import Redis

from adolf.adapters.redis.watcher_stats import glob_escape, text
from adolf.application.watcher.state_ports import IP_BLOCK_TTL, IP_BLOCKED_PREFIX, ip_blocked_key


class RedisIpBlocks:
    def __init__(self, client: Redis, prefix: str = "") -> None:
        self.client = client
        self.prefix = prefix

    def block(self, ip: str, seconds: int = IP_BLOCK_TTL, reason: str = "") -> None:
        if seconds < 1:
            raise ValueError(f"an IP block lasts at least 1 s, not {seconds}")
        self.client.set(self.prefix + ip_blocked_key(ip), reason, ex=seconds)

    def is_blocked(self, ip: str) -> bool:
        return bool(self.client.exists(self.prefix + ip_blocked_key(ip)))

    def blocked(self) -> list[str]:
        start = len(self.prefix + IP_BLOCKED_PREFIX)
        keys: Any = self.client.scan_iter(match=glob_escape(self.prefix + IP_BLOCKED_PREFIX) + "*", count=500)
        return sorted({text(key)[start:] for key in keys})

    def unblock(self, ip: str) -> bool:
        return bool(self.client.delete(self.prefix + ip_blocked_key(ip)))
