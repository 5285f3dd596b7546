"""store/srp.py on SQLite and PostgreSQL: verifiers are encrypted at rest and bound to their row; a
challenge id is accepted once, even by concurrent writers; expired ids are pruned."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update

from authpool.server.pool import srp
from authpool.server.secrets import DecryptionError
from authpool.server.store.srp import SrpChallengeUsed, UserSrpVerifier


@pytest.fixture
def two_users(database, pools):
    pool = pools.create("store")
    with database.transaction() as t:
        a = t.users.create(pool.id, username="a", password_hash="x")
        b = t.users.create(pool.id, username="b", password_hash="x")
    return pool, a, b


def test_round_trip_encrypted_and_scoped(database, two_users):
    pool, a, _ = two_users
    salt, v = srp.new_salt(), srp.verifier("x", "a", "pw", 12345)
    with database.transaction() as t:
        t.srp.put(pool.id, a.sub, salt=salt, verifier=v)
    with database.transaction(readonly=True) as t:
        record = t.srp.get(pool.id, a.sub)
        assert t.srp.get("us-east-1_Other", a.sub) is None and t.srp.exists(pool.id, a.sub)
    assert record.salt == salt and record.verifier == v and str(v) not in repr(record)
    with database.engine.connect() as conn:
        stored = conn.execute(select(UserSrpVerifier.verifier, UserSrpVerifier.salt)).one()
    assert format(v, "x").encode() not in bytes(stored.verifier) and stored.salt == format(salt, "x")


def test_replacing_and_a_copied_blob_does_not_decrypt(database, two_users):
    pool, a, b = two_users
    with database.transaction() as t:
        t.srp.put(pool.id, a.sub, salt=1, verifier=111)
        t.srp.put(pool.id, a.sub, salt=2, verifier=222)
        t.srp.put(pool.id, b.sub, salt=3, verifier=333)
    with database.transaction(readonly=True) as t:
        assert (t.srp.get(pool.id, a.sub).salt, t.srp.get(pool.id, a.sub).verifier) == (2, 222)
    with database.engine.begin() as conn:
        blob = conn.execute(select(UserSrpVerifier.verifier).where(UserSrpVerifier.user_sub == a.sub)).scalar_one()
        conn.execute(update(UserSrpVerifier).where(UserSrpVerifier.user_sub == b.sub).values(verifier=blob))
    with pytest.raises(DecryptionError), database.transaction(readonly=True) as t:
        t.srp.get(pool.id, b.sub)


def test_deleted_with_the_user(database, two_users):
    pool, a, _ = two_users
    with database.transaction() as t:
        t.srp.put(pool.id, a.sub, salt=1, verifier=111)
        t.users.delete(pool.id, a.sub)
    with database.transaction(readonly=True) as t:
        assert not t.srp.exists(pool.id, a.sub)


def test_challenge_ids_are_single_use_and_pruned(database, two_users, clock):
    pool = two_users[0]
    with database.transaction() as t:
        assert t.srp.use_challenge(pool.id, "c1", expires_at=int(clock()) + 180)
    with database.transaction() as t:
        assert not t.srp.use_challenge(pool.id, "c1", expires_at=int(clock()) + 180)
        assert t.srp.use_challenge(pool.id, "c2", expires_at=int(clock()) + 180)
    clock.advance(181)
    with database.transaction() as t:
        assert t.srp.use_challenge(pool.id, "c3", expires_at=int(clock()) + 180)
    with database.engine.connect() as conn:
        assert sorted(conn.execute(select(SrpChallengeUsed.id)).scalars()) == ["c3"]  # c1, c2 expired


def test_one_winner_among_concurrent_answers(database, two_users, clock):
    pool = two_users[0]
    results: list[bool] = []
    barrier = threading.Barrier(6)

    def answer() -> None:
        barrier.wait()
        with database.transaction() as t:
            results.append(t.srp.use_challenge(pool.id, "same", expires_at=int(clock()) + 180))

    threads = [threading.Thread(target=answer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 5 + [True]
