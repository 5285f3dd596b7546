"""authpool.server.ratelimit: Cognito's lockout curve (2^(n-5) s after five failures, about 15 min
at most, reset after 15 quiet minutes), per user+IP, per user and per IP; never permanent."""

from __future__ import annotations

import threading

import pytest

from authpool.server.errors import NotAuthorized, TooManyRequests
from authpool.server.ratelimit import MemoryLimiter, Policy, SignInThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_policy_curve_matches_cognito():
    policy = Policy(threshold=5)
    assert [policy.delay(n) for n in range(4, 9)] == [0, 1, 2, 4, 8]
    assert policy.delay(40) == 900  # capped: "a maximum of approximately 15 minutes"


def test_limiter_blocks_then_releases_by_itself():
    clock = Clock()
    limiter = MemoryLimiter(Policy(threshold=3), clock=clock)
    for _ in range(3):
        assert limiter.blocked_for("k") == 0
        limiter.record_failure("k")
    assert limiter.blocked_for("k") == pytest.approx(1)
    clock.now += 1
    assert limiter.blocked_for("k") == 0
    limiter.record_failure("k")
    assert limiter.blocked_for("k") == pytest.approx(2)
    clock.now += 901  # a quiet window forgets every failure
    assert limiter.blocked_for("k") == 0
    limiter.record_failure("k")
    assert limiter.blocked_for("k") == 0


def test_limiter_memory_is_bounded():
    limiter = MemoryLimiter(Policy(threshold=1), clock=Clock(), max_keys=10)
    for i in range(50):
        limiter.record_failure(f"k{i}")
    assert len(limiter._failures) == 10
    assert limiter.blocked_for("k49") > 0 and limiter.blocked_for("k0") == 0


def test_limiter_is_thread_safe():
    limiter = MemoryLimiter(Policy(threshold=10_000), clock=Clock())
    threads = [threading.Thread(target=lambda: [limiter.record_failure("k") for _ in range(500)])
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(limiter._failures["k"]) == 2000


def test_throttle_per_user_and_ip():
    clock = Clock()
    throttle = SignInThrottle.in_memory(clock=clock)
    for _ in range(5):
        throttle.check("p", "Alice", "198.51.100.1")
        throttle.failed("p", "Alice", "198.51.100.1")
    with pytest.raises(NotAuthorized, match="Password attempts exceeded"):
        throttle.check("p", "alice", "198.51.100.1")  # user names are case-insensitive
    throttle.check("p", "alice", "198.51.100.2")  # the real user elsewhere is not locked out
    throttle.check("p", "bob", "198.51.100.1")
    throttle.check("other-pool", "alice", "198.51.100.1")
    clock.now += 1
    throttle.check("p", "alice", "198.51.100.1")
    throttle.succeeded("p", "alice", "198.51.100.1")
    throttle.failed("p", "alice", "198.51.100.1")
    throttle.check("p", "alice", "198.51.100.1")


def test_throttle_per_ip_spraying_many_users():
    throttle = SignInThrottle.in_memory(clock=Clock())
    for i in range(100):
        throttle.failed("p", f"user{i}", "203.0.113.9")
    with pytest.raises(TooManyRequests):
        throttle.check("p", "someone-else", "203.0.113.9")
    throttle.check("p", "someone-else", "203.0.113.10")


def test_throttle_per_user_from_many_ips():
    throttle = SignInThrottle.in_memory(clock=Clock())
    for i in range(20):
        throttle.failed("p", "carol", f"192.0.2.{i}")
    with pytest.raises(NotAuthorized, match="Password attempts exceeded"):
        throttle.check("p", "carol", "192.0.2.200")
