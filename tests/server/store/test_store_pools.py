from __future__ import annotations

import pytest

from authpool.server.errors import AlreadyExists, InvalidParameter, Kind, NotFound


def test_create_get_update_delete(database, clock):
    with database.transaction() as tx:
        created = tx.pools.create(id="us-east-1_Abc123xyZ", name="main", settings={"MfaConfiguration": "OFF"})
    assert created.id == "us-east-1_Abc123xyZ"
    assert created.created_at == created.updated_at == clock.now
    clock.advance(10)
    with database.transaction() as tx:
        updated = tx.pools.update(created.id, name="renamed", settings={"MfaConfiguration": "OFF", "x": 1})
    assert updated.name == "renamed"
    assert updated.settings == {"MfaConfiguration": "OFF", "x": 1}
    assert updated.updated_at == clock.now and updated.created_at == clock.now - 10
    with database.transaction() as tx:
        tx.pools.delete(created.id)
    with database.transaction(readonly=True) as tx:
        assert tx.pools.get(created.id) is None
        with pytest.raises(NotFound) as info:
            tx.pools.require(created.id)
    assert info.value.kind is Kind.POOL


def test_duplicate_id(database):
    with database.transaction() as tx:
        tx.pools.create(id="us-east-1_A", name="a", settings={})
    with pytest.raises(AlreadyExists) as info, database.transaction() as tx:
        tx.pools.create(id="us-east-1_A", name="b", settings={})
    assert info.value.kind is Kind.POOL and info.value.code == "already_exists"


def test_update_and_delete_unknown(database):
    with database.transaction() as tx:
        with pytest.raises(NotFound):
            tx.pools.update("us-east-1_nope", name="x")
        with pytest.raises(NotFound):
            tx.pools.delete("us-east-1_nope")


def test_list_paginates(database):
    with database.transaction() as tx:
        for i in range(5):
            tx.pools.create(id=f"us-east-1_P{i}", name=str(i), settings={})
    seen, token = [], None
    while True:
        with database.transaction(readonly=True) as tx:
            page = tx.pools.list(limit=2, next_token=token)
        seen += [p.id for p in page.items]
        token = page.next_token
        if token is None:
            break
    assert seen == [f"us-east-1_P{i}" for i in range(5)]


def test_forged_pagination_token(database):
    with database.transaction(readonly=True) as tx:
        with pytest.raises(InvalidParameter):
            tx.pools.list(next_token="not-a-token")
        with pytest.raises(InvalidParameter):
            tx.users.list("us-east-1_A", next_token="WyJ4Il0")  # ["x"]: wrong shape


def test_attribute_schema(database, pool_id):
    with database.transaction() as tx:
        tx.pools.add_attribute(pool_id, name="email", type="String", required=True)
        tx.pools.add_attribute(
            pool_id, name="custom:tenant", type="Number", mutable=False, constraints={"MinValue": "1"}
        )
    with database.transaction(readonly=True) as tx:
        attrs = {a.name: a for a in tx.pools.attributes(pool_id)}
    assert attrs["email"].required and attrs["email"].mutable and not attrs["email"].developer_only
    assert attrs["custom:tenant"].type == "Number" and not attrs["custom:tenant"].mutable
    assert attrs["custom:tenant"].constraints == {"MinValue": "1"}
    with pytest.raises(AlreadyExists) as info, database.transaction() as tx:
        tx.pools.add_attribute(pool_id, name="email", type="String")
    assert info.value.kind is Kind.ATTRIBUTE
    with pytest.raises(NotFound) as info, database.transaction() as tx:
        tx.pools.add_attribute("us-east-1_nope", name="email", type="String")
    assert info.value.kind is Kind.POOL


def test_delete_pool_cascades(database, pool_id, client_id, user_sub):
    with database.transaction() as tx:
        tx.groups.create(pool_id, name="admins")
        tx.groups.add_member(pool_id, "admins", user_sub)
        tx.resource_servers.create(pool_id, identifier="api", name="API")
        fam = tx.token_families.create_family(
            pool_id, client_id=client_id, user_sub=user_sub, auth_time=1, scopes=[]
        )
        tx.refresh_tokens.add("rt", origin_jti=fam.origin_jti, expires_at=10**10)
        tx.pools.delete(pool_id)
    with database.transaction(readonly=True) as tx:
        assert tx.users.get_by_sub(pool_id, user_sub) is None
        assert tx.clients.find(client_id) is None
        assert tx.groups.get(pool_id, "admins") is None
        assert tx.resource_servers.get(pool_id, "api") is None
        assert tx.token_families.get_family(fam.origin_jti) is None
        assert tx.refresh_tokens.check("rt", client_id=client_id).state == "unknown"
