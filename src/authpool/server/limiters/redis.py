"""The sign-in throttle's failures in Redis (``AUTHPOOL_REDIS_URL``): one sorted set per key, scored
by the failure time in milliseconds, so every process sees the same sliding window.

Each operation is one round trip: a Lua script trims the window, and for a failure adds the entry,
caps the set at ``threshold + 32`` entries (as :class:`MemoryLimiter`'s deque) and sets the key to
expire with the window, so Redis holds nothing older than 15 minutes. Times come from this process's
clock (servers are assumed NTP-synchronised: delays are seconds to minutes).

When Redis does not answer (``redisconn.RedisUnavailable``), :class:`ThrottleUnavailable` is raised:
``SignInThrottle.check`` lets it through, so password and SRP sign-ins **fail closed** until Redis is
back; nothing else in authpool needs Redis.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from ..ratelimit import Policy, ThrottleUnavailable
from ..redisconn import RedisConnection, RedisUnavailable

PREFIX = "authpool:throttle:"
_CAP_EXTRA = 32

# KEYS[1]; ARGV: now_ms, window_ms. Returns {count, latest_ms}.
_WINDOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
local n = redis.call('ZCARD', KEYS[1])
if n == 0 then return {0, 0} end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
return {n, tonumber(last[2])}
"""
# KEYS[1]; ARGV: now_ms, window_ms, cap, member.
_RECORD = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[3]) + 1))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""


class RedisLimiter:
    def __init__(self, conn: RedisConnection, policy: Policy, *, scope: str, hasher: Callable[[str, str], str],
                 clock: Callable[[], float] = time.time) -> None:
        self._conn, self.policy, self._scope, self._hash, self._clock = conn, policy, scope, hasher, clock
        self._window_script = conn.redis.register_script(_WINDOW)
        self._record_script = conn.redis.register_script(_RECORD)
        self._window_ms = policy.window * 1000

    def _key(self, key: str) -> str:
        return PREFIX + self._hash(self._scope, key)

    def _call(self, fn):
        try:
            return self._conn.call(fn)
        except RedisUnavailable:
            raise ThrottleUnavailable() from None

    def blocked_for(self, key: str) -> float:
        now_ms = int(self._clock() * 1000)
        count, last_ms = self._call(lambda r: self._window_script(keys=[self._key(key)], args=[now_ms, self._window_ms],
                                                                  client=r))
        count, last_ms = int(count), int(last_ms)
        if count == 0:
            return 0.0
        until_ms = last_ms + self.policy.delay(count) * 1000
        return max(0.0, (until_ms - now_ms) / 1000)

    def record_failure(self, key: str) -> None:
        now_ms = int(self._clock() * 1000)
        member = f"{now_ms}:{secrets.token_hex(6)}"
        self._call(lambda r: self._record_script(
            keys=[self._key(key)], args=[now_ms, self._window_ms, self.policy.threshold + _CAP_EXTRA, member],
            client=r))

    def reset(self, key: str) -> None:
        self._call(lambda r: r.delete(self._key(key)))
