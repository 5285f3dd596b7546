"""Sign-in throttling: failed password attempts slow down, per user and per client IP.

Cognito's documented behaviour (developer guide, "Authentication with a user pool", section
"Lockout behavior for failed sign-in attempts"): after five failed password attempts the user is
locked out for one second, doubling with each further failure (2^(n-5) s) up to about 15 minutes;
attempts during a lockout answer ``NotAuthorizedException`` "Password attempts exceeded" and do not
count; 15 minutes without attempts reset the count; no permanent lockout.
authpool does the same with three sliding windows, so an attacker cannot lock a real user out for
good and cannot spray one password over many accounts from one address:

* ``user+ip`` (pool, user name, client IP): 5 failures, then 1 s, 2 s, 4 s ... capped at 15 min;
* ``user`` (pool, user name, from any IP): 20 failures, same backoff (a distributed guesser);
* ``ip`` (client IP, any user): 100 failures, same backoff -> ``TooManyRequestsException``.

Failures older than the window (15 minutes) are forgotten, so every lock ends by itself; a
successful sign-in clears the user's windows. Keys are counted for unknown user names too, so the
throttle reveals nothing about which accounts exist.

:class:`Limiter` is the storage seam (one small protocol). A server shares its counters between
processes (``authpool.server.limiters``): in Redis when ``AUTHPOOL_REDIS_URL`` is set, in the
database otherwise. :class:`MemoryLimiter` keeps them in this process (tests, embedded use).
When the shared store cannot answer, the check **fails closed**: :class:`ThrottleUnavailable`, so a
Redis outage can never switch password guessing limits off (docs/deploy.md).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from .errors import NotAuthorized, ServiceUnavailable, TooManyRequests

PASSWORD_ATTEMPTS_EXCEEDED = "Password attempts exceeded"
log = logging.getLogger("authpool.ratelimit")


class ThrottleUnavailable(ServiceUnavailable):
    """The shared counters did not answer: sign-in fails closed (Cognito: TooManyRequestsException;
    OAuth: temporarily_unavailable; the hosted login page: "temporarily unavailable", 503). An outage,
    not the user's attempts: never worded or answered like the throttle's own refusal (429)."""

    code = "throttle_unavailable"
    default_message = "Sign-in is temporarily unavailable; try again later."


@dataclass(frozen=True, slots=True)
class Policy:
    """Block after ``threshold`` failures within ``window`` seconds, for ``base`` * 2**(extra
    failures) seconds, at most ``max_delay``."""

    threshold: int
    window: int = 900
    base: float = 1.0
    max_delay: float = 900.0

    def delay(self, failures: int) -> float:
        if failures < self.threshold:
            return 0.0
        return min(self.base * 2.0 ** min(failures - self.threshold, 30), self.max_delay)


class Limiter(Protocol):
    """Failure counting for one kind of key. Implementations must be safe across threads, and raise
    :class:`ThrottleUnavailable` when their storage cannot answer."""

    def blocked_for(self, key: str) -> float:
        """Seconds until ``key`` may try again (0 when it may now)."""

    def record_failure(self, key: str) -> None: ...

    def reset(self, key: str) -> None: ...


class MemoryLimiter:
    """In-process sliding window with exponential backoff. Memory is bounded: at most
    ``max_keys`` keys are tracked (least recently failed are dropped first)."""

    def __init__(self, policy: Policy, *, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000) -> None:
        self.policy, self._clock, self._max_keys = policy, clock, max_keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _live(self, key: str, now: float) -> deque[float] | None:
        entries = self._failures.get(key)
        if entries is None:
            return None
        while entries and entries[0] <= now - self.policy.window:
            entries.popleft()
        if not entries:
            del self._failures[key]
            return None
        return entries

    def blocked_for(self, key: str) -> float:
        now = self._clock()
        with self._lock:
            entries = self._live(key, now)
            if entries is None:
                return 0.0
            until = entries[-1] + self.policy.delay(len(entries))
        return max(0.0, until - now)

    def record_failure(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            entries = self._live(key, now)
            if entries is None:
                entries = self._failures[key] = deque(maxlen=self.policy.threshold + 32)
            entries.append(now)
            self._failures.move_to_end(key)
            while len(self._failures) > self._max_keys:
                self._failures.popitem(last=False)

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


USER_IP_POLICY = Policy(threshold=5)
USER_POLICY = Policy(threshold=20)
IP_POLICY = Policy(threshold=100)


class SignInThrottle:
    """The three windows of the module docstring, used by every password sign-in (the Cognito API
    and the hosted login page share one instance per process)."""

    def __init__(self, user_ip: Limiter, user: Limiter, ip: Limiter) -> None:
        self._user_ip, self._user, self._ip = user_ip, user, ip

    @classmethod
    def in_memory(cls, *, clock: Callable[[], float] = time.monotonic) -> SignInThrottle:
        return cls(MemoryLimiter(USER_IP_POLICY, clock=clock), MemoryLimiter(USER_POLICY, clock=clock),
                   MemoryLimiter(IP_POLICY, clock=clock))

    @staticmethod
    def _keys(pool_id: str, username: str, source_ip: str | None) -> tuple[str, str, str]:
        name = username.casefold()[:256]  # user names are case-insensitive in authpool
        ip = source_ip or "-"
        return f"{pool_id}\x00{name}\x00{ip}", f"{pool_id}\x00{name}", ip

    def check(self, pool_id: str, username: str, source_ip: str | None) -> None:
        """Raise before any password work when a window is closed."""
        user_ip, user, ip = self._keys(pool_id, username, source_ip)
        if self._user_ip.blocked_for(user_ip) > 0 or self._user.blocked_for(user) > 0:
            raise NotAuthorized(PASSWORD_ATTEMPTS_EXCEEDED)
        if source_ip and self._ip.blocked_for(ip) > 0:
            raise TooManyRequests("Too many failed sign-in attempts from this address; try again later.")

    def failed(self, pool_id: str, username: str, source_ip: str | None) -> None:
        user_ip, user, ip = self._keys(pool_id, username, source_ip)
        self._user_ip.record_failure(user_ip)
        self._user.record_failure(user)
        if source_ip:
            self._ip.record_failure(ip)

    def succeeded(self, pool_id: str, username: str, source_ip: str | None) -> None:
        """Clear the user's windows. The password was right and the check passed, so a storage
        failure here does not undo the sign-in; the old failures then simply age out."""
        user_ip, user, _ = self._keys(pool_id, username, source_ip)
        try:
            self._user_ip.reset(user_ip)
            self._user.reset(user)
        except ThrottleUnavailable:
            log.warning("sign-in throttle: could not clear a user's failures (storage unavailable)")
