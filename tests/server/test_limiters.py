"""Shared sign-in throttle counters (authpool.server.limiters): the database limiter on SQLite and
PostgreSQL, the Redis limiter on the local Redis, the same sliding window and backoff as the in-process
limiter, keys that hold no personal data, and a closed door when Redis does not answer."""

from __future__ import annotations

import os
import secrets
import socket
import time

import pytest

from authpool.server.limiters import KeyHasher, RedisLimiter, StoreLimiter, build_throttle
from authpool.server.ratelimit import MemoryLimiter, Policy, SignInThrottle, ThrottleUnavailable
from authpool.server.redisconn import RedisConnection

REDIS_URL = os.environ.get("AUTHPOOL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POLICY = Policy(threshold=3, window=60)


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def hasher() -> KeyHasher:
    return KeyHasher(secrets.token_bytes(32))


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_conn():
    conn = RedisConnection(REDIS_URL)
    yield conn
    conn.close()


@pytest.fixture(params=["memory", "store", "redis"])
def limiter_and_clock(request, tmp_path):
    clock = Clock()
    if request.param == "memory":
        return MemoryLimiter(POLICY, clock=clock), clock
    if request.param == "store":
        db = request.getfixturevalue("database")
        return StoreLimiter(db, POLICY, scope="t", hasher=hasher(), clock=clock), clock
    return RedisLimiter(request.getfixturevalue("redis_conn"), POLICY, scope="t", hasher=hasher(), clock=clock), clock


@pytest.mark.parametrize("backend", ["sqlite"])  # the store limiter: here on SQLite; shared on both below
def test_every_backend_has_the_same_window_and_backoff(limiter_and_clock, backend):
    limiter, clock = limiter_and_clock
    for _ in range(2):
        limiter.record_failure("k")
    assert limiter.blocked_for("k") == 0  # under the threshold
    limiter.record_failure("k")
    assert limiter.blocked_for("k") == pytest.approx(1.0)  # 2^(3-3) s
    clock.now += 0.5
    assert limiter.blocked_for("k") == pytest.approx(0.5)
    clock.now += 0.6
    assert limiter.blocked_for("k") == 0
    limiter.record_failure("k")
    assert limiter.blocked_for("k") == pytest.approx(2.0)  # doubles
    assert limiter.blocked_for("other") == 0
    clock.now += 61  # the window forgets
    assert limiter.blocked_for("k") == 0
    for _ in range(3):
        limiter.record_failure("k")
    limiter.reset("k")
    assert limiter.blocked_for("k") == 0


def test_the_store_limiter_is_shared_through_the_database(database):
    clock = Clock()
    secret = hasher()
    one = StoreLimiter(database, POLICY, scope="user", hasher=secret, clock=clock)
    two = StoreLimiter(database, POLICY, scope="user", hasher=secret, clock=clock)  # another process, same store
    one.record_failure("alice")
    two.record_failure("alice")
    one.record_failure("alice")
    assert two.blocked_for("alice") == pytest.approx(1.0)
    with database.transaction(readonly=True) as tx:
        assert tx.throttle.window(secret("user", "alice"), since_ms=0)[0] == 3
    clock.now += 61
    one.record_failure("bob")  # recording purges what left the window (at most once a minute)
    with database.transaction(readonly=True) as tx:
        assert tx.throttle.window(secret("user", "alice"), since_ms=0)[0] == 0


def test_keys_are_keyed_hashes_without_personal_data(redis_conn):
    secret = hasher()
    limiter = RedisLimiter(redis_conn, POLICY, scope="user_ip", hasher=secret)
    limiter.record_failure("pool\x00alice@example.com\x00203.0.113.7")
    keys = redis_conn.redis.keys("authpool:throttle:" + secret("user_ip", "pool\x00alice@example.com\x00203.0.113.7"))
    assert len(keys) == 1 and b"alice" not in keys[0] and b"203.0.113.7" not in keys[0]
    assert 0 < redis_conn.redis.pttl(keys[0]) <= POLICY.window * 1000  # nothing outlives the window
    assert secret("user_ip", "x") != hasher()("user_ip", "x")  # another master key, other keys
    redis_conn.redis.delete(*keys)


def test_a_redis_that_does_not_answer_closes_sign_in_fast():
    conn = RedisConnection(f"redis://127.0.0.1:{unused_port()}/0")
    throttle = build_throttle(db=None, master_key=_master_key(), redis=conn)
    started = time.monotonic()
    with pytest.raises(ThrottleUnavailable) as closed:
        throttle.check("us-east-1_x", "alice", "203.0.113.7")
    assert closed.value.message == "Sign-in is temporarily unavailable; try again later."
    with pytest.raises(ThrottleUnavailable):  # the breaker answers at once now
        throttle.check("us-east-1_x", "alice", "203.0.113.7")
    with pytest.raises(ThrottleUnavailable):
        throttle.failed("us-east-1_x", "alice", "203.0.113.7")
    throttle.succeeded("us-east-1_x", "alice", "203.0.113.7")  # a right password is not undone
    assert time.monotonic() - started < 1.0


def test_the_throttle_uses_redis_when_given_and_the_store_otherwise(database, redis_conn):
    key = _master_key()
    assert isinstance(build_throttle(db=database, master_key=key, redis=redis_conn)._user, RedisLimiter)
    assert isinstance(build_throttle(db=database, master_key=key)._user, StoreLimiter)
    throttle: SignInThrottle = build_throttle(db=database, master_key=key)
    for _ in range(5):
        throttle.failed("us-east-1_x", "Alice", "203.0.113.7")
    with pytest.raises(Exception, match="Password attempts exceeded"):
        throttle.check("us-east-1_x", "alice", "203.0.113.7")  # user names are case-insensitive
    throttle.succeeded("us-east-1_x", "alice", "203.0.113.7")
    throttle.check("us-east-1_x", "alice", "203.0.113.7")


def _master_key():
    from authpool.server.secrets import MasterKey

    return MasterKey.generate()
