"""Signing-key policy (authpool/server/keys/service.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import jwt as pyjwt
import pytest
from sqlalchemy import text

from authpool.jose import JWK
from authpool.server.keys import MAX_TOKEN_LIFETIME, SigningKeys
from authpool.server.store.records import KeyPurpose, KeyState
from authpool.tokens import Session

POOL = "us-east-1_TestPool1"
ISSUER = f"http://127.0.0.1:8000/{POOL}"


@pytest.fixture
def keys(database, clock) -> SigningKeys:
    with database.transaction() as tx:
        tx.pools.create(id=POOL, name="test", settings={"SigningAlgorithm": "ES256"})
    service = SigningKeys(database, clock=clock)
    service.ensure(POOL)
    return service


def _states(database) -> dict[tuple[str, str], list[str]]:
    with database.transaction(readonly=True) as tx:
        records = tx.signing_keys.list(POOL)
    out: dict[tuple[str, str], list[str]] = {}
    for r in records:
        out.setdefault((r.purpose.value, r.state.value), []).append(r.kid)
    return out


def _mint(keys: SigningKeys, now: int):
    session = Session(issuer=ISSUER, sub="sub-1", client_id="client-1", auth_time=now, origin_jti="o",
                      username="alice")
    return keys.minter(POOL, ISSUER).mint(session, now=now, access_ttl=3600, id_ttl=3600)


def _verify_with_jwks(token: str, jwks: dict, now: int) -> dict:
    kid = pyjwt.get_unverified_header(token)["kid"]
    (jwk,) = [k for k in jwks["keys"] if k["kid"] == kid]
    return pyjwt.decode(token, pyjwt.PyJWK(jwk).key, algorithms=["ES256"],
                        options={"verify_exp": False, "verify_aud": False})


def test_ensure_gives_each_purpose_an_active_and_a_next_key(keys, database):
    states = _states(database)
    for purpose in ("id", "access"):
        assert len(states[(purpose, "active")]) == 1
        assert len(states[(purpose, "next")]) == 1
    keys.ensure(POOL)  # idempotent
    assert _states(database) == states


def test_jwks_publishes_public_keys_only(keys):
    jwks = keys.jwks_document(POOL)
    assert len(jwks["keys"]) == 4
    for jwk in jwks["keys"]:
        assert "d" not in jwk
        assert jwk["alg"] == "ES256" and jwk["use"] == "sig"
        assert JWK.from_dict(jwk).thumbprint() == jwk["kid"]
    assert keys.jwks_document("us-east-1_NoSuchPool") is None


def test_id_and_access_tokens_use_the_active_keys_of_their_purpose(keys, database, clock):
    issued = _mint(keys, int(clock()))
    states = _states(database)
    assert pyjwt.get_unverified_header(issued.access_token)["kid"] == states[("access", "active")][0]
    assert pyjwt.get_unverified_header(issued.id_token)["kid"] == states[("id", "active")][0]
    jwks = keys.jwks_document(POOL)
    assert _verify_with_jwks(issued.access_token, jwks, int(clock()))["token_use"] == "access"
    assert _verify_with_jwks(issued.id_token, jwks, int(clock()))["token_use"] == "id"


def test_rotation_promotes_next_and_keeps_retired_keys_until_their_tokens_expire(keys, database, clock):
    before = _states(database)
    old_token = _mint(keys, int(clock())).access_token
    promoted = keys.rotate(POOL)
    after = _states(database)
    assert promoted == {"id": before[("id", "next")][0], "access": before[("access", "next")][0]}
    assert after[("access", "active")] == before[("access", "next")]
    assert after[("access", "retired")] == before[("access", "active")]
    assert after[("access", "next")] != before[("access", "next")]
    new_token = _mint(keys, int(clock())).access_token
    assert pyjwt.get_unverified_header(new_token)["kid"] == promoted["access"]
    # The old token still verifies from the JWKS while it can be valid ...
    clock.advance(MAX_TOKEN_LIFETIME - 1)
    jwks = keys.jwks_document(POOL)
    assert len(jwks["keys"]) == 6
    _verify_with_jwks(old_token, jwks, int(clock()))
    # ... and its key leaves the JWKS once no token it signed can be valid.
    clock.advance(2)
    jwks = keys.jwks_document(POOL)
    assert len(jwks["keys"]) == 4
    assert before[("access", "active")][0] not in {k["kid"] for k in jwks["keys"]}
    keys.rotate(POOL)  # purges the expired retired keys from the store
    assert before[("access", "active")][0] not in {kid for kids in _states(database).values() for kid in kids}


def test_rotation_is_all_or_nothing(keys, database, monkeypatch):
    before = _states(database)
    calls = {"n": 0}
    real_generate = JWK.generate

    def failing_generate(alg, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the second purpose's new next key
            raise RuntimeError("injected failure")
        return real_generate(alg, **kwargs)

    monkeypatch.setattr(JWK, "generate", staticmethod(failing_generate))
    with pytest.raises(RuntimeError):
        keys.rotate(POOL)
    assert _states(database) == before


def test_private_keys_are_encrypted_at_rest(keys, database):
    with database.transaction(readonly=True) as tx:
        record = tx.signing_keys.active(POOL, KeyPurpose.ACCESS)
    with database.engine.connect() as conn:
        raw = conn.execute(text("SELECT private_jwk FROM signing_keys WHERE kid = :kid"), {"kid": record.kid}).scalar()
    assert record.private_jwk["d"].encode() not in bytes(raw)
    assert b'"d"' not in bytes(raw)
    assert record.state is KeyState.ACTIVE


def test_a_new_pool_gets_keys_on_first_use(database, clock):
    with database.transaction() as tx:
        tx.pools.create(id="us-east-1_Lazy", name="lazy", settings={"SigningAlgorithm": "EdDSA"})
    service = SigningKeys(database, clock=clock)
    assert len(service.jwks_document("us-east-1_Lazy")["keys"]) == 4
    minter = service.minter("us-east-1_Lazy", "http://x/us-east-1_Lazy")
    assert minter.id_alg == "EdDSA"


def test_unknown_pool_has_no_minter(database, clock):
    from authpool.server.errors import NotFound

    with pytest.raises(NotFound):
        SigningKeys(database, clock=clock).minter("us-east-1_Nope", "http://x/us-east-1_Nope")
