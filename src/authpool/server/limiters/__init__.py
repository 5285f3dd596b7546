"""Shared storage for the sign-in throttle (``authpool.server.ratelimit``), so that every process
counts the same failures:

* ``AUTHPOOL_REDIS_URL`` set: :class:`RedisLimiter` (a sorted set per key); when Redis does not
  answer, sign-in **fails closed** (``ThrottleUnavailable``) and everything else keeps working;
* otherwise: :class:`StoreLimiter`, one row per failure in the database (``throttle_failures``).

:class:`authpool.server.ratelimit.MemoryLimiter` stays for tests and embedded use. Keys never leave
the process in clear: they are HMAC-SHA256 under a key derived from the master key (pool, user
name and address are personal data), so neither Redis nor the table holds them.
"""

from __future__ import annotations

import hashlib
import hmac

from ..ratelimit import IP_POLICY, USER_IP_POLICY, USER_POLICY, SignInThrottle
from .redis import RedisLimiter
from .store import StoreLimiter

__all__ = ["KeyHasher", "RedisLimiter", "StoreLimiter", "build_throttle"]


class KeyHasher:
    """``scope`` + key -> 64 hex characters, keyed so the hash reveals nothing without the master key."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def __call__(self, scope: str, key: str) -> str:
        return hmac.new(self._secret, f"{scope}\x00{key}".encode(), hashlib.sha256).hexdigest()


def build_throttle(*, db, master_key, redis=None) -> SignInThrottle:
    """The process's sign-in throttle: over Redis when a connection is given, else over the store."""
    hasher = KeyHasher(master_key.derive("sign-in-throttle"))
    if redis is not None:
        make = lambda scope, policy: RedisLimiter(redis, policy, scope=scope, hasher=hasher)
    else:
        make = lambda scope, policy: StoreLimiter(db, policy, scope=scope, hasher=hasher)
    return SignInThrottle(make("user_ip", USER_IP_POLICY), make("user", USER_POLICY), make("ip", IP_POLICY))
