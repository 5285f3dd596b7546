"""Token families, refresh tokens and authorization codes, including the single-use races."""

from __future__ import annotations

import hashlib
import secrets
import threading

import pytest

from authpool.server.errors import Kind, NotFound
from authpool.server.store import CodeState, Database, RefreshState

CONCURRENCY = 50


@pytest.fixture
def family(database, pool_id, client_id, user_sub, clock):
    with database.transaction() as tx:
        return tx.token_families.create_family(
            pool_id,
            client_id=client_id,
            user_sub=user_sub,
            auth_time=clock.now - 5,
            scopes=["openid", "email"],
        )


def _race(database_url, master_key, clock, fn):
    """Run ``fn(tx)`` in CONCURRENCY threads, each in its own transaction, released together."""
    db = Database.from_url(database_url, master_key=master_key, clock=clock, pool_size=20, max_overflow=10)
    barrier = threading.Barrier(CONCURRENCY)
    results, errors = [], []

    def worker():
        barrier.wait()
        try:
            with db.transaction() as tx:
                results.append(fn(tx))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.dispose()
    assert errors == []
    return results


# -- families ---------------------------------------------------------------------------------


def test_family_create_get_revoke(database, family, pool_id, client_id, user_sub, clock):
    assert family.pool_id == pool_id and family.user_sub == user_sub and family.scopes == ["openid", "email"]
    assert family.auth_time == clock.now - 5 and family.revoked_at is None
    with database.transaction() as tx:
        assert tx.token_families.get_family(family.origin_jti) == family
        assert not tx.token_families.is_family_revoked(family.origin_jti)
        assert tx.token_families.is_family_revoked("never-issued")  # unknown fails closed
        tx.refresh_tokens.add("rt1", origin_jti=family.origin_jti, expires_at=clock.now + 100)
        assert tx.token_families.revoke_family(family.origin_jti) is True
        assert tx.token_families.revoke_family(family.origin_jti) is False
        assert tx.token_families.is_family_revoked(family.origin_jti)
        assert tx.token_families.get_family(family.origin_jti).revoked_at == clock.now
        # the family's refresh tokens are revoked with it
        assert tx.refresh_tokens.check("rt1", client_id=client_id).state is RefreshState.REVOKED
        assert tx.refresh_tokens.list_for_family(family.origin_jti)[0].revoked_at == clock.now


def test_client_credentials_family_has_no_user(database, pool_id, client_id):
    with database.transaction() as tx:
        fam = tx.token_families.create_family(
            pool_id,
            client_id=client_id,
            user_sub=None,
            auth_time=1,
            scopes=["api/read"],
            origin_jti="fixed-jti",
        )
    assert fam.user_sub is None and fam.origin_jti == "fixed-jti"
    with pytest.raises(NotFound) as info, database.transaction() as tx:
        tx.token_families.create_family(pool_id, client_id="nope", user_sub=None, auth_time=1, scopes=[])
    assert info.value.kind is Kind.CLIENT


def test_global_sign_out_revokes_only_that_users_live_families(database, pool_id, client_id, user_sub, clock):
    with database.transaction() as tx:
        bob = tx.users.create(pool_id, username="bob").sub
        mine = [
            tx.token_families.create_family(
                pool_id, client_id=client_id, user_sub=user_sub, auth_time=1, scopes=[]
            )
            for _ in range(3)
        ]
        theirs = tx.token_families.create_family(
            pool_id, client_id=client_id, user_sub=bob, auth_time=1, scopes=[]
        )
        tx.refresh_tokens.add("mine", origin_jti=mine[0].origin_jti, expires_at=clock.now + 100)
        tx.refresh_tokens.add("theirs", origin_jti=theirs.origin_jti, expires_at=clock.now + 100)
        tx.token_families.revoke_family(mine[2].origin_jti)
    with database.transaction() as tx:
        assert tx.token_families.revoke_user_families(pool_id, user_sub) == 2
        assert all(tx.token_families.is_family_revoked(f.origin_jti) for f in mine)
        assert not tx.token_families.is_family_revoked(theirs.origin_jti)
        assert tx.refresh_tokens.check("mine", client_id=client_id).state is RefreshState.REVOKED
        assert tx.refresh_tokens.check("theirs", client_id=client_id).ok


# -- refresh tokens ---------------------------------------------------------------------------


def test_refresh_token_stored_only_as_hash(database, family, clock):
    token = secrets.token_urlsafe(32)
    with database.transaction() as tx:
        rec = tx.refresh_tokens.add(token, origin_jti=family.origin_jti, expires_at=clock.now + 100)
    assert rec.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert rec.client_id == family.client_id and rec.user_sub == family.user_sub
    with database.engine.connect() as conn:
        dump = repr(conn.exec_driver_sql("SELECT * FROM refresh_tokens").all())
    assert token not in dump


def test_refresh_states(database, family, client_id, clock):
    with database.transaction() as tx:
        tx.refresh_tokens.add("live", origin_jti=family.origin_jti, expires_at=clock.now + 100)
        tx.refresh_tokens.add("old", origin_jti=family.origin_jti, expires_at=clock.now)
        check = tx.refresh_tokens.check("live", client_id=client_id)
        assert check.ok and check.family == family and check.token.rotated_at is None
        assert tx.refresh_tokens.check("old", client_id=client_id).state is RefreshState.EXPIRED
        assert tx.refresh_tokens.check("nope", client_id=client_id).state is RefreshState.UNKNOWN
        # bound to its client: another client learns nothing
        assert tx.refresh_tokens.check("live", client_id="other").state is RefreshState.UNKNOWN
        assert tx.refresh_tokens.consume_for_rotation("live", client_id="other").state is RefreshState.UNKNOWN
        assert (
            tx.refresh_tokens.consume_for_rotation("old", client_id=client_id).state is RefreshState.EXPIRED
        )
        won = tx.refresh_tokens.consume_for_rotation("live", client_id=client_id)
        assert won.ok and won.token.rotated_at == clock.now and won.family.origin_jti == family.origin_jti
        replay = tx.refresh_tokens.consume_for_rotation("live", client_id=client_id)
        assert replay.state is RefreshState.ROTATED and replay.token.rotated_at == clock.now
        assert tx.refresh_tokens.check("live", client_id=client_id).state is RefreshState.ROTATED
    with pytest.raises(NotFound), database.transaction() as tx:
        tx.refresh_tokens.add("x", origin_jti="no-family", expires_at=1)


def test_rotation_after_family_revoked(database, family, client_id, clock):
    with database.transaction() as tx:
        tx.refresh_tokens.add("rt", origin_jti=family.origin_jti, expires_at=clock.now + 100)
        tx.token_families.revoke_family(family.origin_jti)
        # a token added to a revoked family (should not happen, but) is still refused
        tx.refresh_tokens.add("late", origin_jti=family.origin_jti, expires_at=clock.now + 100)
        assert tx.refresh_tokens.consume_for_rotation("rt", client_id=client_id).state is RefreshState.REVOKED
        assert (
            tx.refresh_tokens.consume_for_rotation("late", client_id=client_id).state is RefreshState.REVOKED
        )


def test_concurrent_rotation_has_exactly_one_winner(
    database_url, database, master_key, clock, family, client_id
):
    token = secrets.token_urlsafe(32)
    with database.transaction() as tx:
        tx.refresh_tokens.add(token, origin_jti=family.origin_jti, expires_at=clock.now + 3600)
    results = _race(
        database_url,
        master_key,
        clock,
        lambda tx: tx.refresh_tokens.consume_for_rotation(token, client_id=client_id),
    )
    states = [r.state for r in results]
    assert len(states) == CONCURRENCY
    assert states.count(RefreshState.ACTIVE) == 1
    assert states.count(RefreshState.ROTATED) == CONCURRENCY - 1


def test_purge(database, family, client_id, pool_id, user_sub, clock):
    with database.transaction() as tx:
        tx.refresh_tokens.add("old", origin_jti=family.origin_jti, expires_at=clock.now + 10)
        live = tx.token_families.create_family(
            pool_id, client_id=client_id, user_sub=user_sub, auth_time=1, scopes=[]
        )
        tx.refresh_tokens.add("live", origin_jti=live.origin_jti, expires_at=clock.now + 10**6)
    clock.advance(10 + 86400 + 1)
    with database.transaction() as tx:
        assert tx.refresh_tokens.purge() == 1
        assert tx.token_families.get_family(family.origin_jti) is None  # emptied and old: gone
        assert tx.token_families.get_family(live.origin_jti) is not None
        assert tx.refresh_tokens.check("live", client_id=client_id).ok


# -- authorization codes ----------------------------------------------------------------------


def _add_code(tx, code, pool_id, client_id, user_sub, clock, ttl=60):
    return tx.auth_codes.add(
        code,
        pool_id=pool_id,
        client_id=client_id,
        user_sub=user_sub,
        redirect_uri="https://app.example.com/cb",
        scopes=["openid", "profile"],
        auth_time=clock.now,
        expires_at=clock.now + ttl,
        nonce="n-0S6",
        code_challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        code_challenge_method="S256",
        resource="https://api.example.com",
    )


def test_code_round_trip_and_replay(database, pool_id, client_id, user_sub, clock):
    code = secrets.token_urlsafe(32)
    with database.transaction() as tx:
        rec = _add_code(tx, code, pool_id, client_id, user_sub, clock)
    assert rec.code_hash == hashlib.sha256(code.encode()).hexdigest() and rec.consumed_at is None
    with database.transaction() as tx:
        assert tx.auth_codes.consume(code, client_id="other").state is CodeState.UNKNOWN  # not burnt
        used = tx.auth_codes.consume(code, client_id=client_id)
        assert used.ok and used.code.consumed_at == clock.now and used.code.nonce == "n-0S6"
        assert used.code.scopes == ["openid", "profile"] and used.code.code_challenge_method == "S256"
        fam = tx.token_families.create_family(
            pool_id,
            client_id=client_id,
            user_sub=user_sub,
            auth_time=used.code.auth_time,
            scopes=used.code.scopes,
        )
        tx.auth_codes.attach_family(code, fam.origin_jti)
    with database.transaction() as tx:
        replay = tx.auth_codes.consume(code, client_id=client_id)
        # RFC 6749 §4.1.2: the caller revokes what the code issued
        assert replay.state is CodeState.CONSUMED and replay.code.origin_jti == fam.origin_jti
        assert tx.auth_codes.consume("nope", client_id=client_id).state is CodeState.UNKNOWN
        with pytest.raises(NotFound):
            tx.auth_codes.attach_family("nope", fam.origin_jti)


def test_code_expiry_and_purge(database, pool_id, client_id, user_sub, clock):
    with database.transaction() as tx:
        _add_code(tx, "c1", pool_id, client_id, user_sub, clock, ttl=60)
    clock.advance(60)
    with database.transaction() as tx:
        assert tx.auth_codes.consume("c1", client_id=client_id).state is CodeState.EXPIRED
        assert tx.auth_codes.purge() == 0  # kept an hour to recognise replays
    clock.advance(3601)
    with database.transaction() as tx:
        assert tx.auth_codes.purge() == 1
        assert tx.auth_codes.consume("c1", client_id=client_id).state is CodeState.UNKNOWN


def test_code_for_unknown_client(database, pool_id, user_sub, clock):
    with pytest.raises(NotFound), database.transaction() as tx:
        _add_code(tx, "c", pool_id, "nope", user_sub, clock)


def test_concurrent_code_redemption_has_exactly_one_winner(
    database_url, database, master_key, clock, pool_id, client_id, user_sub
):
    code = secrets.token_urlsafe(32)
    with database.transaction() as tx:
        _add_code(tx, code, pool_id, client_id, user_sub, clock)
    results = _race(
        database_url, master_key, clock, lambda tx: tx.auth_codes.consume(code, client_id=client_id)
    )
    states = [r.state for r in results]
    assert states.count(CodeState.VALID) == 1
    assert states.count(CodeState.CONSUMED) == CONCURRENCY - 1
