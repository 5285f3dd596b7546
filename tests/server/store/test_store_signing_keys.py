from __future__ import annotations

import pytest

from authpool.server.errors import AlreadyExists, Kind, NotFound
from authpool.server.store import KeyPurpose, KeyState

PRIVATE = {"kty": "OKP", "crv": "Ed25519", "x": "pub", "d": "VERY-PRIVATE-D-VALUE"}
PUBLIC = {"kty": "OKP", "crv": "Ed25519", "x": "pub"}


def _add(tx, pool_id, kid, purpose=KeyPurpose.ID, state=KeyState.NEXT):
    return tx.signing_keys.add(
        pool_id,
        kid=kid,
        purpose=purpose,
        alg="EdDSA",
        private_jwk={**PRIVATE, "kid": kid},
        public_jwk={**PUBLIC, "kid": kid},
        state=state,
    )


def test_add_get_private_encrypted(database, pool_id, clock):
    with database.transaction() as tx:
        k = _add(tx, pool_id, "k1")
    assert k.state is KeyState.NEXT and k.purpose is KeyPurpose.ID and k.created_at == clock.now
    assert k.private_jwk["d"] == "VERY-PRIVATE-D-VALUE" and "VERY-PRIVATE" not in repr(k)
    with database.engine.connect() as conn:
        raw = bytes(conn.exec_driver_sql("SELECT private_jwk FROM signing_keys").scalar())
    assert b"VERY-PRIVATE" not in raw
    with database.transaction(readonly=True) as tx:
        assert tx.signing_keys.get("k1") == k
        assert tx.signing_keys.get("nope") is None


def test_rotation_life_cycle(database, pool_id, clock):
    with database.transaction() as tx:
        _add(tx, pool_id, "id1", state=KeyState.ACTIVE)
        _add(tx, pool_id, "acc1", purpose=KeyPurpose.ACCESS, state=KeyState.ACTIVE)
        _add(tx, pool_id, "id2")
    clock.advance(100)
    with database.transaction() as tx:
        new = tx.signing_keys.activate("id2", retired_remove_after=clock.now + 50)
    assert new.state is KeyState.ACTIVE and new.activated_at == clock.now
    with database.transaction(readonly=True) as tx:
        old = tx.signing_keys.get("id1")
        assert (
            old.state is KeyState.RETIRED
            and old.retired_at == clock.now
            and old.remove_after == clock.now + 50
        )
        assert tx.signing_keys.active(pool_id, KeyPurpose.ID).kid == "id2"
        assert tx.signing_keys.active(pool_id, KeyPurpose.ACCESS).kid == "acc1"  # other purpose untouched
        assert [k.kid for k in tx.signing_keys.list(pool_id, purpose=KeyPurpose.ID)] == ["id1", "id2"]
        assert [k.kid for k in tx.signing_keys.list(pool_id, states=[KeyState.ACTIVE])] == ["acc1", "id2"]
    with database.transaction() as tx:
        assert tx.signing_keys.purge() == 0
    clock.advance(50)
    with database.transaction() as tx:
        assert tx.signing_keys.purge() == 1
        assert tx.signing_keys.get("id1") is None


def test_one_active_key_per_pool_and_purpose(database, pool_id):
    with database.transaction() as tx:
        _add(tx, pool_id, "a1", state=KeyState.ACTIVE)
    with pytest.raises(AlreadyExists), database.transaction() as tx:
        _add(tx, pool_id, "a2", state=KeyState.ACTIVE)


def test_retire_delete_unknown(database, pool_id):
    with database.transaction() as tx:
        _add(tx, pool_id, "k")
        k = tx.signing_keys.retire("k", remove_after=None)
        assert k.state is KeyState.RETIRED
        assert tx.signing_keys.purge() == 0  # no remove_after: kept until told
        tx.signing_keys.delete("k")
        for call in (
            lambda: tx.signing_keys.delete("k"),
            lambda: tx.signing_keys.retire("k", remove_after=1),
            lambda: tx.signing_keys.activate("k"),
        ):
            with pytest.raises(NotFound) as info:
                call()
            assert info.value.kind is Kind.SIGNING_KEY
    with pytest.raises(NotFound), database.transaction() as tx:
        _add(tx, "us-east-1_nope", "x")


def test_concurrent_activations_leave_exactly_one_active(database, pool_id):
    import threading

    from authpool.server.errors import Conflict

    with database.transaction() as tx:
        _add(tx, pool_id, "old", state=KeyState.ACTIVE)
        for i in range(8):
            _add(tx, pool_id, f"n{i}")
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def activate(kid):
        barrier.wait()
        try:
            with database.transaction() as tx:
                tx.signing_keys.activate(kid, retired_remove_after=None)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=activate, args=(f"n{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 8 and "ok" in outcomes
    with database.transaction(readonly=True) as tx:
        assert len(tx.signing_keys.list(pool_id, states=[KeyState.ACTIVE])) == 1
