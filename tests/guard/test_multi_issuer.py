"""Several issuers in one verifier (user pools, IdPs), each with its own keys and settings."""

from __future__ import annotations

import pytest

from authpool.guard import (
    AccessTokenVerifier,
    AlgorithmNotAllowed,
    InvalidAudience,
    InvalidIssuer,
    Issuer,
    KeyNotFound,
    WrongTokenType,
)

from .helpers import CLIENT, ISS, NOW, Clock, JwksServer, token

KEYCLOAK = "https://sso.example.com/realms/shop"
API = "https://api.example.com"


@pytest.fixture
def verifier(rsa_key, ec_key, jwks_server: JwksServer):
    jwks_server.keys = [ec_key]
    return AccessTokenVerifier.for_issuers([
        Issuer(ISS, client_ids=[CLIENT], jwks={"keys": [rsa_key.to_public_dict()]}, algorithms=["RS256"],
               token_type="cognito", scopes=["items/read"]),
        Issuer(jwks_server.issuer, audience=API, client_ids=None, jwks_uri=jwks_server.jwks_uri, algorithms=["ES256"],
               token_type="rfc9068", leeway=30),
    ], clock=Clock(), cache=100)


def rfc9068(key, iss, **claims):
    body = {"iss": iss, "sub": "u1", "aud": API, "client_id": "spa", "exp": NOW + 60, "iat": NOW, "jti": "j",
            "scope": "openid"}
    body.update(claims)
    body = {k: v for k, v in body.items() if v is not ...}
    return token(key, body, typ="at+jwt")


def test_each_issuer_with_its_own_rules(verifier, rsa_key, ec_key, jwks_server):
    assert verifier.verify(token(rsa_key, typ=None)).issuer == ISS
    claims = verifier.verify(rfc9068(ec_key, jwks_server.issuer, exp=NOW - 20))  # leeway 30 for this one
    assert claims.issuer == jwks_server.issuer and claims.client_id == "spa"
    with pytest.raises(InvalidAudience):
        verifier.verify(rfc9068(ec_key, jwks_server.issuer, aud="https://other"))
    with pytest.raises(WrongTokenType):  # the Cognito pool's rule: token_use
        verifier.verify(token(rsa_key, token_use=..., aud=API))


def test_unknown_issuer_is_refused_before_any_key_fetch(verifier, ec_key, jwks_server):
    with pytest.raises(InvalidIssuer) as e:
        verifier.verify(rfc9068(ec_key, KEYCLOAK))
    assert e.value.actual == KEYCLOAK and jwks_server.count() == 0
    with pytest.raises(InvalidIssuer):
        verifier.verify(rfc9068(ec_key, ...))


def test_algorithms_are_per_issuer(verifier, rsa_key, ec_key):
    with pytest.raises(AlgorithmNotAllowed):  # ES256 is allowed for the other issuer, not this one
        verifier.verify(token(ec_key, typ=None))


def test_one_issuers_key_cannot_sign_for_another(verifier, rsa_key, jwks_server):
    with pytest.raises(AlgorithmNotAllowed):
        verifier.verify(rfc9068(rsa_key, jwks_server.issuer))
    from authpool.jose import JWK
    foreign = JWK.generate("ES256", kid="rsa-1")
    with pytest.raises(KeyNotFound):
        verifier.verify(rfc9068(foreign, jwks_server.issuer))


def test_configuration_errors(rsa_key):
    one = Issuer(ISS, client_ids=None, jwks={"keys": []}, algorithms=["RS256"])
    with pytest.raises(ValueError):
        AccessTokenVerifier.for_issuers([one, one])
    with pytest.raises(TypeError):
        AccessTokenVerifier.for_issuers([])
    with pytest.raises(TypeError):
        AccessTokenVerifier.for_issuers([{"issuer": ISS}])  # type: ignore[list-item]
    assert "Issuer(" in repr(AccessTokenVerifier.for_issuers([one]))


@pytest.mark.anyio
async def test_async(verifier, ec_key, jwks_server):
    assert (await verifier.averify(rfc9068(ec_key, jwks_server.issuer))).audience == (API,)
