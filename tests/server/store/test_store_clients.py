from __future__ import annotations

import pytest

from authpool.server.errors import AlreadyExists, Kind, NotFound
from authpool.server.secrets import DecryptionError, MasterKey
from authpool.server.store import Database

SECRET = "s3cr3tvalue0123456789abcdefghijklmnopqrstuvwxyz01234"


def _raw_secret(database, client_id) -> bytes | None:
    with database.engine.connect() as conn:
        value = conn.exec_driver_sql(
            "SELECT client_secret FROM app_clients WHERE client_id = %s"
            if database.dialect == "postgresql"
            else "SELECT client_secret FROM app_clients WHERE client_id = ?",
            (client_id,),
        ).scalar()
    return bytes(value) if value is not None else None


def test_create_with_secret_encrypted_at_rest(database, pool_id):
    with database.transaction() as tx:
        c = tx.clients.create(
            pool_id,
            client_id="abc",
            name="web",
            client_secret=SECRET,
            settings={"AllowedOAuthFlows": ["code"]},
        )
    assert c.client_secret == SECRET and c.has_secret
    assert SECRET not in repr(c)
    raw = _raw_secret(database, "abc")
    assert raw is not None and SECRET.encode() not in raw and len(raw) > len(SECRET)
    with database.transaction(readonly=True) as tx:
        again = tx.clients.require(pool_id, "abc")
    assert again == c and again.settings == {"AllowedOAuthFlows": ["code"]}


def test_secret_bound_to_its_client(database, pool_id):
    """A sealed secret copied into another client's row does not decrypt there (context = client id)."""
    with database.transaction() as tx:
        tx.clients.create(pool_id, client_id="a", name="a", client_secret=SECRET, settings={})
        tx.clients.create(pool_id, client_id="b", name="b", client_secret="other", settings={})
    with database.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE app_clients SET client_secret = (SELECT client_secret FROM app_clients WHERE client_id = 'a') "
            "WHERE client_id = 'b'"
        )
    with pytest.raises(DecryptionError), database.transaction(readonly=True) as tx:
        tx.clients.find("b")


def test_wrong_master_key_cannot_read(database_url, database, pool_id):
    with database.transaction() as tx:
        tx.clients.create(pool_id, client_id="a", name="a", client_secret=SECRET, settings={})
    other = Database.from_url(database_url, master_key=MasterKey.generate())
    with pytest.raises(DecryptionError), other.transaction(readonly=True) as tx:
        tx.clients.find("a")
    other.dispose()


def test_public_client_and_lookups(database, pool_id):
    with database.transaction() as tx:
        c = tx.clients.create(pool_id, client_id="pub", name="spa", client_secret=None, settings={})
        tx.pools.create(id="us-east-1_Other", name="o", settings={})
    assert c.client_secret is None and not c.has_secret
    assert _raw_secret(database, "pub") is None
    with database.transaction(readonly=True) as tx:
        assert tx.clients.find("pub") == c
        assert tx.clients.get("us-east-1_Other", "pub") is None  # scoped to its pool
        with pytest.raises(NotFound) as info:
            tx.clients.require("us-east-1_Other", "pub")
    assert info.value.kind is Kind.CLIENT


def test_update_and_secret_change(database, pool_id, clock):
    with database.transaction() as tx:
        tx.clients.create(pool_id, client_id="c", name="c", client_secret=None, settings={"a": 1})
    clock.advance(1)
    with database.transaction() as tx:
        c = tx.clients.update(pool_id, "c", name="renamed", settings={"b": 2}, client_secret="new")
    assert (c.name, c.settings, c.client_secret) == ("renamed", {"b": 2}, "new")
    with database.transaction() as tx:
        c = tx.clients.update(pool_id, "c", settings={"b": 3})
        assert c.client_secret == "new"  # untouched unless given
        c = tx.clients.update(pool_id, "c", client_secret=None)
    assert c.client_secret is None
    with database.transaction() as tx, pytest.raises(NotFound):
        tx.clients.update(pool_id, "nope", name="x")


def test_duplicate_unknown_pool_and_delete(database, pool_id):
    with database.transaction() as tx:
        tx.clients.create(pool_id, client_id="c", name="c", client_secret=None, settings={})
    with pytest.raises(AlreadyExists) as info, database.transaction() as tx:
        tx.clients.create(pool_id, client_id="c", name="c2", client_secret=None, settings={})
    assert info.value.kind is Kind.CLIENT
    with pytest.raises(NotFound) as info, database.transaction() as tx:
        tx.clients.create("us-east-1_nope", client_id="d", name="d", client_secret=None, settings={})
    assert info.value.kind is Kind.POOL
    with database.transaction() as tx:
        fam = tx.token_families.create_family(
            pool_id, client_id="c", user_sub=None, auth_time=1, scopes=["x/y"]
        )
        tx.clients.delete(pool_id, "c")
        assert tx.clients.find("c") is None
        assert tx.token_families.get_family(fam.origin_jti) is None  # sessions go with the client
        with pytest.raises(NotFound):
            tx.clients.delete(pool_id, "c")


def test_list(database, pool_id):
    with database.transaction() as tx:
        for cid in ["c3", "c1", "c2"]:
            tx.clients.create(pool_id, client_id=cid, name=cid, client_secret=cid + "-secret", settings={})
    with database.transaction(readonly=True) as tx:
        p1 = tx.clients.list(pool_id, limit=2)
        p2 = tx.clients.list(pool_id, limit=2, next_token=p1.next_token)
    assert [c.client_id for c in p1.items + p2.items] == ["c1", "c2", "c3"]
    assert [c.client_secret for c in p1.items] == ["c1-secret", "c2-secret"]
