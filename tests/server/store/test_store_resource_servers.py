from __future__ import annotations

import pytest

from authpool.server.errors import AlreadyExists, Kind, NotFound

SCOPES = [
    {"ScopeName": "read", "ScopeDescription": "Read"},
    {"ScopeName": "write", "ScopeDescription": "Write"},
]


def test_crud(database, pool_id):
    with database.transaction() as tx:
        rs = tx.resource_servers.create(
            pool_id, identifier="https://api.example.com", name="API", scopes=SCOPES
        )
    assert rs.scopes == SCOPES and rs.settings == {}
    with database.transaction() as tx:
        rs = tx.resource_servers.update(
            pool_id, "https://api.example.com", name="API 2", scopes=SCOPES[:1], settings={"enc": "x"}
        )
    assert (rs.name, rs.scopes, rs.settings) == ("API 2", SCOPES[:1], {"enc": "x"})
    with database.transaction(readonly=True) as tx:
        assert tx.resource_servers.require(pool_id, "https://api.example.com") == rs
    with database.transaction() as tx:
        tx.resource_servers.delete(pool_id, "https://api.example.com")
        with pytest.raises(NotFound) as info:
            tx.resource_servers.require(pool_id, "https://api.example.com")
    assert info.value.kind is Kind.RESOURCE_SERVER


def test_duplicate_unknown_and_list(database, pool_id):
    with database.transaction() as tx:
        tx.resource_servers.create(pool_id, identifier="b", name="B", scopes=SCOPES)
        tx.resource_servers.create(pool_id, identifier="a", name="A", scopes=SCOPES[1:])
    with pytest.raises(AlreadyExists), database.transaction() as tx:
        tx.resource_servers.create(pool_id, identifier="a", name="again")
    with pytest.raises(NotFound), database.transaction() as tx:
        tx.resource_servers.create("us-east-1_nope", identifier="a", name="A")
    with database.transaction(readonly=True) as tx:
        page = tx.resource_servers.list(pool_id, limit=1)
        rest = tx.resource_servers.list(pool_id, limit=1, next_token=page.next_token)
        assert [r.identifier for r in page.items + rest.items] == ["a", "b"]
        assert tx.resource_servers.all_scopes(pool_id) == {"a/write", "b/read", "b/write"}
    with database.transaction() as tx, pytest.raises(NotFound):
        tx.resource_servers.update(pool_id, "zzz", name="x")
