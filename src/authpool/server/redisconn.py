"""The process's Redis connection (``AUTHPOOL_REDIS_URL``), shared by the sign-in throttle's counters
and the cache-invalidation publisher.

Redis is on the sign-in path, so every wait is short and bounded: half a second to connect or to
answer, no client-side retries, and a breaker: after a connection error or timeout, calls fail at
once for :data:`BREAKER_SECONDS` instead of each paying the timeout again. Callers decide what a
failure means (the throttle fails closed; docs/deploy.md). ``redis`` is imported only here, and only
when a URL is configured.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger("authpool.redis")

CONNECT_TIMEOUT = 0.5
SOCKET_TIMEOUT = 0.5
BREAKER_SECONDS = 1.0
T = TypeVar("T")


class RedisUnavailable(Exception):
    """Redis did not answer (down, unreachable, timed out, or the breaker is open)."""


def client(url: str, *, socket_timeout: float | None = SOCKET_TIMEOUT, name: str = "authpool") -> Any:
    """A ``redis.Redis`` with authpool's bounds and no client-side retries."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=socket_timeout,
                                retry=Retry(NoBackoff(), 0), client_name=name)


class RedisConnection:
    def __init__(self, url: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        import redis

        self._errors = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
        self.url = url
        self.redis = client(url)
        self._clock = clock
        self._open_until = 0.0
        self._lock = threading.Lock()

    def call(self, fn: Callable[[Any], T]) -> T:
        """``fn(redis)``; raises :class:`RedisUnavailable` when Redis cannot answer."""
        if self._clock() < self._open_until:
            raise RedisUnavailable("Redis is unreachable (retrying shortly)")
        try:
            return fn(self.redis)
        except self._errors as exc:
            with self._lock:
                first = self._clock() >= self._open_until
                self._open_until = self._clock() + BREAKER_SECONDS
            if first:
                log.warning("redis unavailable", extra={"error_type": type(exc).__name__})
            raise RedisUnavailable("Redis is unreachable") from None

    def close(self) -> None:
        try:
            self.redis.close()
        except Exception:  # noqa: BLE001, S110 - closing a broken connection may fail; nothing to do
            pass
