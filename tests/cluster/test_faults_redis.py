"""Two server processes on PostgreSQL with ``AUTHPOOL_REDIS_URL`` (through a TCP proxy to the local
Redis): the sign-in throttle counts in Redis across processes; when Redis is down or stalled, sign-in
fails closed at once with a clear error and everything else keeps working; it recovers by itself."""

from __future__ import annotations

import time

import pytest
from tests.cluster.proxy import TcpProxy
from tests.cluster.support import PASSWORD, ApiError, Cluster, claims, wait_until

UNAVAILABLE = ("TooManyRequestsException", "Sign-in is temporarily unavailable; try again later.")
#: redisconn.py: 0.5 s to connect or answer, then the breaker answers at once for a second.
FAST = 1.5


@pytest.fixture(scope="module")
def proxy():
    with TcpProxy(6379) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, pg_url, proxy):
    with Cluster(tmp_path_factory.mktemp("redis"), pg_url, n=2,
                 redis_url=f"redis://127.0.0.1:{proxy.port}/0") as cluster:
        yield cluster


@pytest.fixture(scope="module")
def world(cluster):
    return cluster.seed(users=3)


@pytest.fixture(scope="module")
def apis(cluster):
    apis = [cluster.api(0), cluster.api(1)]
    yield apis
    for api in apis:
        api.close()


def test_throttling_counts_across_processes_in_redis(world, apis):
    a, b = apis
    for api in (b, a, b, a, b):
        with pytest.raises(ApiError) as wrong:
            api.sign_in(world, "user0", "Wrong-Horse-42")
        assert wrong.value.code == "NotAuthorizedException"
    for api in (a, b):
        with pytest.raises(ApiError) as locked:
            api.sign_in(world, "user0", PASSWORD)
        assert locked.value.message == "Password attempts exceeded"
    import redis

    keys = redis.Redis(host="127.0.0.1", port=6379).keys("authpool:throttle:*")
    assert keys and all(b"user0" not in key for key in keys)  # HMAC'd: no user names in Redis
    time.sleep(1.1)
    assert a.sign_in(world, "user0")["AccessToken"]


@pytest.mark.parametrize("fault", ["cut", "stall"])
def test_redis_down_fails_sign_in_closed_and_nothing_else(world, apis, proxy, fault):
    a, b = apis
    session = a.sign_in(world, "user1")
    getattr(proxy, fault)()
    try:
        for api in (a, b, a, b):
            started = time.monotonic()
            with pytest.raises(ApiError) as refused:
                api.sign_in(world, "user1")
            assert (refused.value.code, refused.value.message) == UNAVAILABLE
            assert time.monotonic() - started < FAST
        with pytest.raises(ApiError) as srp:  # SRP sign-in shares the throttle
            a.cognito("InitiateAuth", {"ClientId": world.app_id, "AuthFlow": "USER_SRP_AUTH",
                                       "AuthParameters": {"USERNAME": "user1", "SRP_A": "02"}})
        assert (srp.value.code, srp.value.message) == UNAVAILABLE
        # everything that is not a password check goes on
        refreshed = b.refresh(world, session["RefreshToken"])
        assert claims(refreshed["access_token"])["origin_jti"] == claims(session["AccessToken"])["origin_jti"]
        assert a.refresh_cognito(world, refreshed["refresh_token"])["AccessToken"]
        assert b.client_credentials(world)["access_token"]
        assert a.get_user(session["AccessToken"])["Username"] == "user1"
        a.revoke(world, refreshed["refresh_token"])
        assert b.jwks_kids(world)
        assert a.health() == 200 and b.health() == 200  # still ready: only password checks need Redis
    finally:
        proxy.restore()
    wait_until(lambda: a.sign_in(world, "user1") and b.sign_in(world, "user2"), timeout=10)
