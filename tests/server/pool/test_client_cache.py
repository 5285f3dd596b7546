"""ClientService.find's cache (pool/clients.py over server/cache.py): every change made through the
services is seen at once, a change made behind them (another process) within the TTL; SQLite and PostgreSQL."""

from __future__ import annotations

import time

import pytest

from authpool.server.cache import WouldBlock, non_blocking
from authpool.server.pool import ClientService, PoolService

SETTINGS = {"AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": True,
            "AllowedOAuthScopes": ["openid"], "CallbackURLs": ["https://app.example/cb"]}


@pytest.fixture
def pool(pools):
    return pools.create("cache")


def test_find_is_served_from_memory_once_loaded(clients, pool):
    client = clients.create(pool.id, "app", generate_secret=True)
    first = clients.find(client.client_id)
    with non_blocking():  # no store access allowed here: a miss or a transaction would raise
        assert clients.find(client.client_id) is first
    assert first.client_secret == client.client_secret


def test_update_and_delete_through_any_service_of_the_process_are_seen_at_once(clients, pool, database):
    other = ClientService(database)  # another context of the same process (e.g. the Cognito API's)
    client = clients.create(pool.id, "app")
    assert clients.find(client.client_id).settings["AllowedOAuthFlows"] == []
    other.update(pool.id, client.client_id, settings=SETTINGS)
    assert clients.find(client.client_id).settings["AllowedOAuthFlows"] == ["code"]
    other.delete(pool.id, client.client_id)
    assert clients.find(client.client_id) is None


def test_pool_deletion_forgets_its_clients(clients, pool, database):
    client = clients.create(pool.id, "app")
    assert clients.find(client.client_id) is not None
    PoolService(database).delete(pool.id)
    assert clients.find(client.client_id) is None


def test_a_change_in_a_rolled_back_transaction_leaves_the_cache_alone(clients, pool, database):
    client = clients.create(pool.id, "app")
    cached = clients.find(client.client_id)
    with pytest.raises(RuntimeError), database.transaction() as tx:
        clients.update(pool.id, client.client_id, settings=SETTINGS, tx=tx)
        raise RuntimeError("abort")
    with non_blocking():
        assert clients.find(client.client_id) is cached  # not invalidated: nothing was committed


def test_a_caller_transaction_invalidates_when_it_commits(clients, pool, database):
    client = clients.create(pool.id, "app")
    clients.find(client.client_id)
    with database.transaction() as tx:
        clients.update(pool.id, client.client_id, settings=SETTINGS, tx=tx)
        assert clients.find(client.client_id, tx=tx).settings["AllowedOAuthFlows"] == ["code"]  # tx reads the store
    assert clients.find(client.client_id).settings["AllowedOAuthFlows"] == ["code"]


def test_changes_behind_the_services_back_are_seen_within_the_ttl(pool, database):
    """What another process's change looks like here until cross-process invalidation is wired."""
    clients = ClientService(database, cache_ttl=0.2)
    client = clients.create(pool.id, "app")
    clients.find(client.client_id)
    with database.transaction() as tx:
        tx.clients.update(pool.id, client.client_id, settings={**client.settings, "AllowedOAuthFlows": ["code"]})
    assert clients.find(client.client_id).settings["AllowedOAuthFlows"] == []
    time.sleep(0.25)
    assert clients.find(client.client_id).settings["AllowedOAuthFlows"] == ["code"]


def test_unknown_ids_are_remembered_too(pool, database):
    clients = ClientService(database, cache_ttl=0.2)
    assert clients.find("unknownclient0000000000000") is None
    with non_blocking():  # answered from memory: an unknown id costs what a known one does
        assert clients.find("unknownclient0000000000000") is None
        with pytest.raises(WouldBlock):
            clients.find("neverseen00000000000000000")
    with database.transaction() as tx:  # created behind the cache's back (another process)
        tx.clients.create(pool.id, client_id="unknownclient0000000000000", name="late", client_secret=None,
                          settings={})
    time.sleep(0.25)
    assert clients.find("unknownclient0000000000000").name == "late"
