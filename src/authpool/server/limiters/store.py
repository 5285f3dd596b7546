"""The sign-in throttle's failures in the database (``store/throttle.py``), for deployments without
Redis: every process sharing the database sees the same windows.

Same sliding window and backoff as :class:`authpool.server.ratelimit.MemoryLimiter`: failures newer
than ``policy.window`` count; the key is closed until the latest one plus ``policy.delay(count)``.
Reads are one indexed query in a read-only transaction; a failure is one insert. Old rows are
purged by the process that records a failure, at most once a minute per limiter. A store that does
not answer raises as every other store read does (the sign-in fails with an internal error).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..ratelimit import Policy

PURGE_INTERVAL = 60.0


class StoreLimiter:
    def __init__(self, db, policy: Policy, *, scope: str, hasher: Callable[[str, str], str],
                 clock: Callable[[], float] = time.time) -> None:
        self._db, self.policy, self._scope, self._hash, self._clock = db, policy, scope, hasher, clock
        self._next_purge = 0.0

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def _window(self, key_hash: str, now_ms: int) -> tuple[int, int | None]:
        with self._db.transaction(readonly=True) as tx:
            return tx.throttle.window(key_hash, since_ms=now_ms - self.policy.window * 1000)

    def blocked_for(self, key: str) -> float:
        now_ms = self._now_ms()
        count, last_ms = self._window(self._hash(self._scope, key), now_ms)
        if not count or last_ms is None:
            return 0.0
        until_ms = last_ms + self.policy.delay(count) * 1000
        return max(0.0, (until_ms - now_ms) / 1000)

    def record_failure(self, key: str) -> None:
        now_ms = self._now_ms()
        with self._db.transaction() as tx:
            tx.throttle.add(self._hash(self._scope, key), at_ms=now_ms)
            if self._clock() >= self._next_purge:
                self._next_purge = self._clock() + PURGE_INTERVAL
                tx.throttle.purge(before_ms=now_ms - self.policy.window * 1000)

    def reset(self, key: str) -> None:
        key_hash = self._hash(self._scope, key)
        if self._window(key_hash, self._now_ms())[0] == 0:
            return  # the usual case after a good password: no write at all
        with self._db.transaction() as tx:
            tx.throttle.clear(key_hash)
