"""``inspect_token`` / ``classify``: the rule in authpool/tokens/inspect.py, case by case."""

from __future__ import annotations

import time

import jwt as pyjwt
import pytest

from authpool.jose import JWK, JoseError
from authpool.tokens import Session, TokenMinter, classify, inspect_token

NOW = int(time.time())


@pytest.fixture(scope="module")
def issued():
    minter = TokenMinter("http://issuer/p", id_key=JWK.generate("ES256"), access_key=JWK.generate("ES256"))
    session = Session(issuer="http://issuer/p", sub="s", client_id="c1", auth_time=NOW, origin_jti="o",
                      username="alice", scopes=("orders/read", "orders/write"),
                      attributes={"email": "a@example.com", "custom:tier": "premium"})
    return minter.mint(session, now=NOW, access_ttl=600, id_ttl=600, nonce="n")


def test_id_token_must_not_go_to_an_api(issued):
    result = inspect_token(issued.id_token, now=NOW)
    assert result.kind == "id"
    assert not result.api_allowed
    assert "ID token" in result.api_verdict and "access token" in result.api_verdict
    assert "client app 'c1'" in result.audience
    assert result.pii_claims == ["cognito:username", "custom:tier", "email"]


def test_access_token_lists_scopes_and_may_go_to_an_api(issued):
    result = inspect_token(issued.access_token, now=NOW)
    assert result.kind == "access" and result.api_allowed
    assert result.scopes == ["orders/read", "orders/write"]
    assert result.pii_claims == []
    assert not result.expired


def test_expired_token_is_reported(issued):
    assert inspect_token(issued.access_token, now=NOW + 601).expired


@pytest.mark.parametrize("header,claims,kind", [
    ({"typ": "at+jwt"}, {"scope": "a"}, "access"),
    ({"typ": "application/at+jwt"}, {}, "access"),
    ({"typ": "at+jwt"}, {"nonce": "x", "aud": "c"}, "id"),  # ID token in disguise
    ({}, {"token_use": "access", "at_hash": "x"}, "id"),
    ({}, {"token_use": "id"}, "id"),
    ({}, {"nonce": "x", "aud": "c"}, "id"),
    ({}, {"scope": "read", "client_id": "c"}, "access"),
    ({}, {"sub": "x"}, "unknown"),
])
def test_classification_rule(header, claims, kind):
    assert classify(header, claims)[0] == kind


def test_foreign_token_from_another_library():
    key = JWK.generate("RS256")
    token = pyjwt.encode({"sub": "x", "aud": "app", "nonce": "n", "email": "e@example.com"},
                         pyjwt.PyJWK(key.to_private_dict()).key, algorithm="RS256")
    result = inspect_token(token, now=NOW)
    assert result.kind == "id" and result.pii_claims == ["email"]


@pytest.mark.parametrize("garbage", ["", "garbage", "a.b", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
def test_garbage_raises_a_jose_error(garbage):
    with pytest.raises(JoseError):
        inspect_token(garbage, now=NOW)
