"""Cross-process cache invalidation (authpool.server.invalidation) over the real channels: PostgreSQL
LISTEN/NOTIFY and Redis pub/sub. Two CacheSync objects stand for two processes; a TCP proxy cuts one
of them off to show the heartbeat, the watchdog and the flush on reconnect."""

from __future__ import annotations

import os
import time
import uuid

import pytest
from tests.cluster.proxy import TcpProxy

from authpool.server import cache
from authpool.server.invalidation import HEARTBEAT, SYNC_TIMEOUT, CacheSync, build_cache_sync
from authpool.server.invalidation.redis import RedisChannel
from authpool.server.redisconn import RedisConnection
from authpool.server.store import Database

REDIS_URL = os.environ.get("AUTHPOOL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
pytestmark = pytest.mark.postgres


def wait_for(predicate, timeout: float) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout}s")
        time.sleep(0.02)
    return time.monotonic() - started


@pytest.fixture
def pg_pair(pg_session_url):
    dbs = [Database.from_url(pg_session_url), Database.from_url(pg_session_url)]
    seen: list[str] = []
    syncs = [build_cache_sync(db, flushers={"probe": lambda i=i: seen.append(f"probe@{i}")})
             for i, db in enumerate(dbs)]
    yield syncs, seen
    for sync, db in zip(syncs, dbs, strict=True):
        sync.close()
        db.dispose()


@pytest.fixture
def redis_pair():
    conns = [RedisConnection(REDIS_URL), RedisConnection(REDIS_URL)]
    seen: list[str] = []
    syncs = [CacheSync(RedisChannel(conn), flushers={"probe": lambda i=i: seen.append(f"probe@{i}")})
             for i, conn in enumerate(conns)]
    yield syncs, seen
    for sync, conn in zip(syncs, conns, strict=True):
        sync.close()
        conn.close()


@pytest.fixture(params=["postgresql", "redis"])
def pair(request):
    return request.getfixturevalue("pg_pair" if request.param == "postgresql" else "redis_pair")


def test_an_invalidation_reaches_the_other_process_and_not_the_sender(pair):
    (a, b), seen = pair
    for sync in (a, b):
        sync.start()
    wait_for(lambda: a.synced and b.synced, 5)
    seen.clear()  # each flushed everything on connecting
    name = f"test-{uuid.uuid4().hex[:8]}"
    shared: cache.Cache[str] = cache.Cache(name, ttl=60)
    assert shared.get_or_load("k", lambda: "old") == "old"
    a.publish(name, "k")  # as if "a" committed a change to k in another process
    elapsed = wait_for(lambda: shared.get("k") is None, 2)
    assert elapsed < 1.0 and b.received >= 1
    a.invalidate("probe")  # caches outside server/cache.py join through their flusher
    wait_for(lambda: "probe@1" in seen, 2)
    assert "probe@0" not in seen  # no echo: the sender's own messages are skipped
    b.apply("not json")  # malformed messages are ignored
    b.apply('{"s": "x", "n": 1, "k": null}')


def test_local_invalidations_are_published(pg_pair):
    (a, b), _ = pg_pair
    b.start()
    wait_for(lambda: b.synced, 5)
    before = a.published
    cache.invalidate(f"test-{uuid.uuid4().hex[:8]}", "k")  # what a service does after its commit
    assert a.published == before + 1 and b.published >= 1  # every live CacheSync is a listener
    wait_for(lambda: b.received >= 1, 2)


def test_connecting_flushes_what_may_have_been_missed(pg_pair):
    (a, _), seen = pg_pair
    name = f"test-{uuid.uuid4().hex[:8]}"
    shared: cache.Cache[str] = cache.Cache(name, ttl=60)
    shared.get_or_load("k", lambda: "loaded before listening")
    assert not a.synced
    a.start()
    wait_for(lambda: a.synced, 5)
    assert shared.get("k") is None and "probe@0" in seen


def test_a_lost_channel_stops_the_caches_until_it_is_back(pg_session_url):
    from sqlalchemy.engine import make_url

    with TcpProxy(5432) as proxy:
        url = make_url(pg_session_url).set(port=proxy.port).render_as_string(hide_password=False)
        db = Database.from_url(url)
        sync = build_cache_sync(db)
        try:
            sync.start()
            wait_for(lambda: sync.synced, 5)
            name = f"test-{uuid.uuid4().hex[:8]}"
            shared: cache.Cache[str] = cache.Cache(name, ttl=60)
            proxy.cut()
            lost = wait_for(lambda: not sync.synced, SYNC_TIMEOUT + HEARTBEAT + 1)
            assert lost <= SYNC_TIMEOUT + HEARTBEAT + 1
            shared.get_or_load("k", lambda: "loaded while disconnected")
            wait_for(lambda: shared.get("k") is None, HEARTBEAT + 1)  # the watchdog keeps flushing
            proxy.restore()
            wait_for(lambda: sync.synced, 5)
            assert sync.reconnects >= 1 and sync.flushes >= 3
        finally:
            sync.close()
            db.dispose()


def test_no_channel_without_postgresql_or_redis(tmp_path):
    db = Database.from_url(f"sqlite:///{tmp_path / 'a.db'}")
    assert build_cache_sync(db) is None
    conn = RedisConnection(REDIS_URL)
    sync = build_cache_sync(db, redis=conn)
    assert sync is not None and sync.channel.kind == "redis"
    sync.close()
    conn.close()
    db.dispose()
