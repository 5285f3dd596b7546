"""authpool.server.keyservice.cache: the resource servers' encryption settings are cached per pool
(here with a long TTL, as in a server with an invalidation channel), every change committed in this
process empties the cache at commit whoever wrote it, a rollback does not, a load that raced an
invalidation is not kept, and the change reaches another process through the channel at once."""

from __future__ import annotations

import json
import time

import pytest
from tests.server.keyservice.conftest import BILLING, KYC, POOL

from authpool.server import cache as shared_cache
from authpool.server.invalidation import build_cache_sync
from authpool.server.keyservice import KeyService, configure
from authpool.server.keyservice import cache as keyservice_cache
from authpool.server.pool import PoolService, ResourceServerService
from authpool.server.store import Database

LONG = 60.0


@pytest.fixture
def published():
    """The invalidations this process publishes (what CacheSync sends to the others)."""
    seen: list[tuple[str, str | None]] = []
    remove = shared_cache.add_listener(lambda name, key: seen.append((name, key)))
    yield seen
    remove()


def _attributes(keys: KeyService, audience: str = KYC) -> tuple[str, ...]:
    return keys.settings(POOL, audience).attributes


def test_changes_committed_here_are_seen_at_once_and_published(world, published):
    keys = KeyService(world.db, ttl=LONG)
    assert _attributes(keys) == ("custom:national_id",)
    configure(world.db, POOL, KYC, attributes=["birthdate"])  # authpool encryption set
    assert _attributes(keys) == ("birthdate",)
    assert (keyservice_cache.NAME, None) in published

    ResourceServerService(world.db).delete(POOL, BILLING)  # DeleteResourceServer
    assert BILLING not in keys.pool(POOL).servers
    ResourceServerService(world.db).create(POOL, BILLING, "billing")  # CreateResourceServer
    assert BILLING in keys.pool(POOL).servers

    with world.db.transaction() as tx:  # any writer: a raw repository update of the pool's options
        pool = tx.pools.require(POOL)
        tx.pools.update(POOL, settings={**pool.settings, "AuthpoolHooks": {"MaxTokenBytes": 2048}})
    assert keys.pool(POOL).max_token_bytes == 2048
    PoolService(world.db).delete(POOL)  # DeleteUserPool
    assert keys.pool(POOL).servers == {}


def test_a_rolled_back_change_neither_empties_nor_publishes(world, published):
    keys = KeyService(world.db, ttl=LONG)
    before = keys.pool(POOL)
    published.clear()
    with pytest.raises(RuntimeError), world.db.transaction() as tx:
        server = tx.resource_servers.require(POOL, KYC)
        tx.resource_servers.update(POOL, KYC, settings={**server.settings, "Encryption": {"Attributes": []}})
        raise RuntimeError("rolled back")
    assert keys.pool(POOL) is before and published == []


def test_a_load_that_raced_a_commit_is_not_kept(world):
    keys = KeyService(world.db, ttl=LONG)
    load = keys._load

    def load_while_someone_commits(pool_id):
        value = load(pool_id)  # reads the old settings ...
        configure(world.db, POOL, KYC, attributes=["birthdate"])  # ... as a change commits
        return value

    keys._load = load_while_someone_commits
    assert _attributes(keys) == ("custom:national_id",)  # this request used what it read
    keys._load = load
    assert _attributes(keys) == ("birthdate",)  # but did not keep it


def test_a_change_in_another_process_arrives_through_the_channel(world, database):
    """Two CacheSyncs (PostgreSQL NOTIFY) stand for two processes, with the flushers a server
    registers; the change is written past the session (as another process's write looks here), and
    the other process's publish reaches this one's cache well before its TTL."""
    if database.dialect != "postgresql":
        pytest.skip("the channel of a PostgreSQL store (Redis on SQLite: tests/server/test_invalidation.py)")
    dbs = [Database.from_url(database.engine.url.render_as_string(hide_password=False)) for _ in range(2)]
    syncs = [build_cache_sync(db, flushers={keyservice_cache.NAME: keyservice_cache.clear_local}) for db in dbs]
    try:
        for sync in syncs:
            sync.start()
        deadline = time.monotonic() + 5
        while not all(s.synced for s in syncs):
            assert time.monotonic() < deadline, "channel not connected"
            time.sleep(0.02)
        keys = KeyService(world.db, ttl=LONG)
        assert _attributes(keys) == ("custom:national_id",)
        with world.db.engine.begin() as conn:
            settings = conn.exec_driver_sql("SELECT settings FROM resource_servers WHERE pool_id = %s "
                                            "AND identifier = %s", (POOL, KYC)).scalar_one()
            settings["Encryption"]["Attributes"] = ["birthdate"]
            conn.exec_driver_sql("UPDATE resource_servers SET settings = %s WHERE pool_id = %s AND identifier = %s",
                                 (json.dumps(settings), POOL, KYC))
        assert _attributes(keys) == ("custom:national_id",)  # not seen yet: cached, nobody said
        received = syncs[1].received
        syncs[0].invalidate(keyservice_cache.NAME)  # what the writing process's commit publishes
        started = time.monotonic()
        while _attributes(keys) != ("birthdate",):
            assert time.monotonic() - started < 2, "the invalidation did not arrive"
            time.sleep(0.02)
        assert syncs[1].received > received and time.monotonic() - started < 1.0
    finally:
        for sync, db in zip(syncs, dbs, strict=True):
            sync.close()
            db.dispose()
