"""RemoteKeys against a real JWKS server on 127.0.0.1: caching, rotation, cooldown, failures, async."""

from __future__ import annotations

import pytest

from authpool.client import IdTokenValidator, KeyNotFound, KeysUnavailable, RemoteKeys, StaticKeys
from authpool.jose import JWK

from .conftest import CLIENT, ISS, NOW, Signer, id_claims


@pytest.fixture
def remote(jwks_server, rsa_signer, clock):
    jwks_server.document = {"keys": [rsa_signer.jwk]}
    return IdTokenValidator(issuer=ISS, client_id=CLIENT, jwks_uri=jwks_server.url, clock=clock)


def test_fetched_once_then_cached(remote, jwks_server, rsa_signer):
    token = rsa_signer.sign(id_claims())
    for _ in range(5):
        assert remote.validate(token).name == "Alice Example"
    assert jwks_server.requests == 1


def test_rotation_unknown_kid_refetches_once_per_cooldown(remote, jwks_server, rsa_signer, clock):
    remote.validate(rsa_signer.sign(id_claims()))
    rotated = Signer("RS256", "id-rsa-2")
    jwks_server.document = {"keys": [rsa_signer.jwk, rotated.jwk]}
    clock.now += 31  # past the 30 s cooldown since the first fetch
    assert remote.validate(rotated.sign(id_claims())).subject
    assert jwks_server.requests == 2
    for _ in range(3):  # made-up kids do not make us hammer the issuer
        with pytest.raises(KeyNotFound):
            remote.validate(rsa_signer.sign(id_claims(), kid="made-up"))
    assert jwks_server.requests == 2


def test_cache_expires_after_max_age(remote, jwks_server, rsa_signer, clock):
    token = rsa_signer.sign(id_claims(exp=NOW + 10_000))
    remote.validate(token)
    clock.now += 601
    remote.validate(token)
    assert jwks_server.requests == 2


def test_stale_keys_used_when_refresh_fails(remote, jwks_server, rsa_signer, clock):
    token = rsa_signer.sign(id_claims(exp=NOW + 10_000))
    remote.validate(token)
    jwks_server.status = 500
    clock.now += 601
    assert remote.validate(token).subject
    assert jwks_server.requests == 2


def test_unavailable_without_any_keys_fails_closed(jwks_server, rsa_signer, clock):
    jwks_server.status = 503
    validator = IdTokenValidator(issuer=ISS, client_id=CLIENT, jwks_uri=jwks_server.url, clock=clock)
    with pytest.raises(KeysUnavailable) as err:
        validator.validate(rsa_signer.sign(id_claims()))
    assert "HTTP 503" in str(err.value)
    with pytest.raises(KeysUnavailable):  # within the cooldown: no refetch, still unavailable
        validator.validate(rsa_signer.sign(id_claims()))
    assert jwks_server.requests == 1


@pytest.mark.parametrize("document", [b"not json", b'{"no": "keys"}', b"[1]", b'{"keys": [' + b"1," * 200_000 + b"1]}"])
def test_bad_documents(jwks_server, rsa_signer, clock, document):
    jwks_server.document = document
    validator = IdTokenValidator(issuer=ISS, client_id=CLIENT, jwks_uri=jwks_server.url, clock=clock)
    with pytest.raises(KeysUnavailable):
        validator.validate(rsa_signer.sign(id_claims()))


def test_unreachable(rsa_signer, clock):
    validator = IdTokenValidator(issuer=ISS, client_id=CLIENT, jwks_uri="http://127.0.0.1:9/jwks.json",
                                 clock=clock, jwks_options={"timeout": 1})
    with pytest.raises(KeysUnavailable):
        validator.validate(rsa_signer.sign(id_claims()))


@pytest.mark.anyio
async def test_async_validate(remote, jwks_server, rsa_signer, clock):
    token = rsa_signer.sign(id_claims())
    assert (await remote.avalidate(token, nonce="n-0S6_WzA2Mj")).name == "Alice Example"
    assert (await remote.avalidate(token)).subject
    assert jwks_server.requests == 1
    with pytest.raises(KeyNotFound):
        await remote.avalidate(rsa_signer.sign(id_claims(), kid="made-up"))


def test_uri_rules():
    RemoteKeys("https://idp.example/jwks.json")
    RemoteKeys("http://localhost:8000/jwks.json")
    RemoteKeys("http://[::1]:8000/jwks.json")
    RemoteKeys("http://idp.internal/jwks.json", allow_http=True)
    for bad in ("http://idp.example/jwks.json", "ftp://idp.example/jwks", "/jwks.json"):
        with pytest.raises(ValueError):
            RemoteKeys(bad)


def test_static_keys_drop_private_halves():
    key = JWK.generate("ES256", kid="k")
    static = StaticKeys([key])
    assert not static.get("k").is_private
    with pytest.raises(KeyNotFound):
        static.get(None)


def test_from_discovery(jwks_server, clock):
    issuer = f"{jwks_server.base}/us-east-1_Disc"
    signer = Signer("ES256", "disc-1")
    jwks_server.document = {"keys": [signer.jwk]}
    jwks_server.discovery = {"issuer": issuer, "jwks_uri": jwks_server.url,
                             "id_token_signing_alg_values_supported": ["ES256"]}
    validator = IdTokenValidator.from_discovery(issuer, client_id=CLIENT, clock=clock)
    assert validator.algorithms == {"ES256"}
    assert validator.validate(signer.sign(id_claims(iss=issuer))).subject
    jwks_server.discovery = {"issuer": issuer + "x", "jwks_uri": jwks_server.url}
    with pytest.raises(ValueError):
        IdTokenValidator.from_discovery(issuer, client_id=CLIENT)
