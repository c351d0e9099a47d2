"""Is a Redis server there? A short, single-attempt answer for commands that must fail fast.

A client of the container retries and waits as long as the OS lets a connect hang; a person
who typed ``adolf tasks run`` wants one line within seconds instead. ``redis_problem`` asks
once, with ``timeout`` for the connect and the reply, and says what went wrong.
"""

from __future__ import annotations

PROBE_TIMEOUT = 2.0


def redis_problem(url: str, timeout: float = PROBE_TIMEOUT) -> str | None:
    """None when the Redis at ``url`` answers PING within ``timeout`` s; otherwise why not."""
    # imported here: every command imports this module, and `adolf[core]` has no redis
    from redis import Redis
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import RedisError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from redis.retry import Retry

    client = Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout, retry=Retry(NoBackoff(), 0))
    try:
        client.ping()
    except RedisTimeoutError:
        return f"no answer within {timeout:g} s"
    except RedisConnectionError as exc:
        return str(exc).strip() or type(exc).__name__
    except RedisError as exc:  # e.g. NOAUTH / WRONGPASS: reachable, but refusing us
        return f"{type(exc).__name__}: {exc}"
    finally:
        client.close()
    return None


def unreachable_errors() -> tuple[type[BaseException], ...]:
    """What a queue client raises when its broker or store cannot be reached."""
    errors: list[type[BaseException]] = []
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # the redis extra is not installed
        pass
    else:
        errors += [RedisConnectionError, RedisTimeoutError]
    try:
        from kombu.exceptions import OperationalError
    except ImportError:  # the celery extra is not installed
        pass
    else:
        errors.append(OperationalError)
    return tuple(errors)
