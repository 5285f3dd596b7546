"""Token profiles (DESIGN.md, COGNITO.md §1): minted tokens verified by an independent library."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid

import jwt as pyjwt
import pytest

from authpool.jose import JWK
from authpool.tokens import (
    ACCESS_TOKEN_TYP,
    Session,
    TokenMinter,
    new_jti,
    new_refresh_token,
    token_hash,
)

ISSUER = "http://127.0.0.1:8000/us-east-1_AbCdEf123"
NOW = 1_780_000_000


def _session(**overrides) -> Session:
    values = {"issuer": ISSUER, "sub": "6f0d6c5e-3d1a-4a61-9d8e-1c2b3a4d5e6f", "client_id": "client123",
              "auth_time": NOW - 100, "origin_jti": "origin-1", "username": "alice", "groups": ("admin",),
              "scopes": ("openid", "orders/read"),
              "attributes": {"email": "alice@example.com", "email_verified": "true", "name": "Alice",
                             "custom:tier": "premium"}}
    values.update(overrides)
    return Session(**values)


def _pyjwt_key(key: JWK):
    return pyjwt.PyJWK(key.to_public_dict()).key


@pytest.fixture(params=["RS256", "ES256", "EdDSA"])
def minter(request) -> TokenMinter:
    return TokenMinter(ISSUER, id_key=JWK.generate(request.param), access_key=JWK.generate(request.param))


def _decode(token: str, key: JWK, **kwargs):
    return pyjwt.decode(token, _pyjwt_key(key), algorithms=[key.alg], options={"verify_exp": False}, **kwargs)


def test_id_and_access_tokens_are_signed_with_different_keys(minter):
    issued = minter.mint(_session(), now=NOW, access_ttl=3600, id_ttl=3600)
    access_header = pyjwt.get_unverified_header(issued.access_token)
    id_header = pyjwt.get_unverified_header(issued.id_token)
    assert access_header["kid"] != id_header["kid"]
    assert access_header["typ"] == ACCESS_TOKEN_TYP
    assert "typ" not in id_header
    assert _decode(issued.access_token, minter._access_signer.key)["token_use"] == "access"
    assert _decode(issued.id_token, minter._id_signer.key, audience="client123")["token_use"] == "id"


def test_access_token_profile_has_no_pii_and_no_aud(minter):
    issued = minter.mint(_session(), now=NOW, access_ttl=3600, id_ttl=3600)
    claims = _decode(issued.access_token, minter._access_signer.key)
    assert claims["client_id"] == "client123"
    assert "aud" not in claims
    assert claims["scope"] == "openid orders/read"
    assert claims["username"] == "alice" and "cognito:username" not in claims
    assert claims["cognito:groups"] == ["admin"]
    assert claims["version"] == 2
    assert claims["exp"] - claims["iat"] == 3600 and claims["iat"] == NOW
    assert claims["auth_time"] == NOW - 100 and claims["origin_jti"] == "origin-1"
    for pii in ("email", "email_verified", "name", "custom:tier"):
        assert pii not in claims


def test_id_token_profile_carries_identity_for_the_client(minter):
    issued = minter.mint(_session(), now=NOW, access_ttl=3600, id_ttl=1800, nonce="n-0S6")
    claims = _decode(issued.id_token, minter._id_signer.key, audience="client123")
    assert claims["aud"] == "client123"  # a string, not a list (COGNITO.md §1.3)
    assert claims["cognito:username"] == "alice" and "username" not in claims
    assert claims["email"] == "alice@example.com"
    assert claims["email_verified"] is True
    assert claims["custom:tier"] == "premium"
    assert claims["nonce"] == "n-0S6"
    assert claims["exp"] - claims["iat"] == 1800
    access = _decode(issued.access_token, minter._access_signer.key)
    assert claims["event_id"] == access["event_id"]  # one sign-in event
    assert claims["jti"] != access["jti"]


def test_groups_omitted_when_empty(minter):
    issued = minter.mint(_session(groups=()), now=NOW, access_ttl=60, id_ttl=60)
    assert "cognito:groups" not in _decode(issued.access_token, minter._access_signer.key)
    assert "cognito:groups" not in _decode(issued.id_token, minter._id_signer.key, audience="client123")


def test_resource_indicator_sets_access_token_audience(minter):
    issued = minter.mint(_session(audience="https://api.example.com"), now=NOW, access_ttl=60, id_ttl=60)
    claims = _decode(issued.access_token, minter._access_signer.key, audience="https://api.example.com")
    assert claims["aud"] == "https://api.example.com"


def test_client_credentials_token_has_no_id_token_and_sub_is_client():
    key = JWK.generate("RS256")
    minter = TokenMinter(ISSUER, id_key=JWK.generate("RS256"), access_key=key)
    session = Session(issuer=ISSUER, sub="client123", client_id="client123", auth_time=NOW, origin_jti="o",
                      scopes=("orders/read",))
    issued = minter.mint(session, now=NOW, access_ttl=60, id_ttl=None)
    assert issued.id_token is None
    claims = _decode(issued.access_token, key)
    assert claims["sub"] == claims["client_id"] == "client123" and "username" not in claims


@pytest.mark.parametrize("alg,hash_fn", [("RS256", hashlib.sha256), ("ES256", hashlib.sha256),
                                         ("EdDSA", hashlib.sha512)])
def test_at_hash_is_the_left_half_of_the_alg_hash(alg, hash_fn):
    minter = TokenMinter(ISSUER, id_key=JWK.generate(alg), access_key=JWK.generate(alg))
    issued = minter.mint(_session(), now=NOW, access_ttl=60, id_ttl=60, with_at_hash=True)
    claims = _decode(issued.id_token, minter._id_signer.key, audience="client123")
    digest = hash_fn(issued.access_token.encode()).digest()
    expected = base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()
    assert claims["at_hash"] == expected == token_hash(issued.access_token, alg)


def test_oidc_core_at_hash_example():
    # OIDC Core §A.3 example: access token and at_hash for RS256.
    assert token_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y", "RS256") == "77QmUPtjPfzWtF2AnpK9RQ"


def test_refresh_tokens_are_opaque_and_random():
    tokens = {new_refresh_token() for _ in range(100)}
    assert len(tokens) == 100
    token = tokens.pop()
    assert len(base64.urlsafe_b64decode(token + "=")) == 32  # 256 bits
    assert "." not in token  # not a JWT


def test_jti_is_a_version_4_uuid():
    values = {new_jti() for _ in range(200)}
    assert len(values) == 200
    for value in values:
        parsed = uuid.UUID(value)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122 and str(parsed) == value


def test_claims_serialise_as_compact_json(minter):
    token = minter.mint_access_token(_session(), now=NOW, ttl=60)
    payload = token.split(".")[1]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert b" " not in raw.replace(b"openid orders/read", b"")
    assert json.loads(raw)["iss"] == ISSUER
