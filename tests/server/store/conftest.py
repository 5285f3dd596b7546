"""Small builders on top of the shared ``database`` fixture (tests/server/conftest.py)."""

from __future__ import annotations

import pytest

from authpool.server.store import Database

POOL = "us-east-1_TestPool1"


@pytest.fixture
def pool_id(database: Database) -> str:
    with database.transaction() as tx:
        tx.pools.create(id=POOL, name="test", settings={})
    return POOL


@pytest.fixture
def client_id(database: Database, pool_id: str) -> str:
    with database.transaction() as tx:
        tx.clients.create(pool_id, client_id="client1", name="app", client_secret=None, settings={})
    return "client1"


@pytest.fixture
def user_sub(database: Database, pool_id: str) -> str:
    with database.transaction() as tx:
        return tx.users.create(pool_id, username="alice", attributes={"email": "alice@example.com"}).sub
