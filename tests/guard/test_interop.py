"""Tokens made by independent libraries (PyJWT, joserfc) in Cognito's and RFC 9068's shapes, and tokens
minted by authpool.tokens, through the guard."""

from __future__ import annotations

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from joserfc import jwt as joserfc_jwt
from joserfc.jwk import ECKey, OKPKey, RSAKey

from authpool.guard import AccessTokenVerifier, InvalidAudience, WrongTokenType
from authpool.jose import JWK

from .helpers import CLIENT, ISS, NOW, Clock, access_claims, id_claims

API = "https://api.example.com"


def pem(key: JWK) -> bytes:
    return key.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption())


def rfc9068_claims(**overrides):
    claims = {"iss": ISS, "exp": NOW + 300, "aud": API, "sub": "5ba552d67", "client_id": CLIENT, "iat": NOW,
              "jti": "dbe39bf3a3ba4238a513f51d6e1691c4", "scope": "openid profile reademail"}
    claims.update(overrides)
    return claims


@pytest.fixture
def keys(rsa_key, ec_key, ed_key):
    return [rsa_key, ec_key, ed_key]


def verifier(keys, **kwargs):
    options = {"issuer": ISS, "client_ids": [CLIENT], "jwks": {"keys": [k.to_public_dict() for k in keys]},
               "algorithms": ["RS256", "ES256", "EdDSA"], "clock": Clock()}
    options.update(kwargs)
    return AccessTokenVerifier(**options)


class TestPyJWT:
    @pytest.mark.parametrize("index, alg", [(0, "RS256"), (1, "ES256"), (2, "EdDSA")])
    def test_cognito_shape(self, keys, index, alg):
        t = pyjwt.encode(access_claims(), pem(keys[index]), algorithm=alg, headers={"kid": keys[index].kid})
        assert pyjwt.get_unverified_header(t)["typ"] == "JWT"  # PyJWT's default; Cognito sends none
        for profile in ("cognito", "auto"):
            assert verifier(keys, token_type=profile).verify(t).username == "janedoe"
        with pytest.raises(WrongTokenType):
            verifier(keys, token_type="rfc9068", audience=API).verify(t)

    def test_rfc9068_shape(self, keys):
        t = pyjwt.encode(rfc9068_claims(), pem(keys[0]), algorithm="RS256", headers={"kid": "rsa-1", "typ": "at+jwt"})
        v = verifier(keys, token_type="rfc9068", audience=API)
        assert v.verify(t).scopes == {"openid", "profile", "reademail"}
        with pytest.raises(InvalidAudience):
            verifier(keys, token_type="rfc9068", audience="https://other.example").verify(t)

    def test_cognito_id_token_refused(self, keys):
        t = pyjwt.encode(id_claims(), pem(keys[0]), algorithm="RS256", headers={"kid": "rsa-1"})
        with pytest.raises(WrongTokenType) as e:
            verifier(keys).verify(t)
        assert e.value.id_token


class TestJoserfc:
    @pytest.mark.parametrize("index, alg, key_cls", [(0, "RS256", RSAKey), (1, "ES256", ECKey)])
    def test_rfc9068_shape(self, keys, index, alg, key_cls):
        key = key_cls.import_key(keys[index].to_private_dict())
        t = joserfc_jwt.encode({"alg": alg, "kid": keys[index].kid, "typ": "application/at+jwt"}, rfc9068_claims(), key)
        assert verifier(keys, token_type="rfc9068", audience=[API]).verify(t).client_id == CLIENT

    @pytest.mark.filterwarnings("ignore:EdDSA is deprecated")
    def test_eddsa_cognito_shape(self, keys):
        key = OKPKey.import_key(keys[2].to_private_dict())
        t = joserfc_jwt.encode({"alg": "EdDSA", "kid": "ed-1"}, access_claims(), key, algorithms=["EdDSA"])
        assert verifier(keys, token_type="cognito").verify(t).groups == {"admin"}

    def test_oidc_id_token_refused(self, keys):
        key = RSAKey.import_key(keys[0].to_private_dict())
        claims = {"iss": ISS, "sub": "u", "aud": CLIENT, "exp": NOW + 60, "iat": NOW, "nonce": "n", "azp": CLIENT}
        t = joserfc_jwt.encode({"alg": "RS256", "kid": "rsa-1"}, claims, key)
        with pytest.raises(WrongTokenType) as e:
            verifier(keys, client_ids=None, audience=None).verify(t)
        assert e.value.id_token


class TestAuthpoolTokens:
    """Tokens minted by authpool.tokens (the server's minting code), ID and access keys apart."""

    @pytest.fixture
    def minted(self, rsa_key, id_key):
        from authpool.tokens import Session, TokenMinter
        minter = TokenMinter(ISS, id_key=id_key, access_key=rsa_key)
        session = Session(issuer=ISS, sub="aaaaaaaa-bbbb", client_id=CLIENT, auth_time=NOW - 5, origin_jti="o-1",
                          username="janedoe", groups=("admin",), scopes=("openid", "items/read"),
                          attributes={"email": "jane@example.com", "email_verified": "true"})
        issued = minter.mint(session, now=NOW, access_ttl=3600, id_ttl=3600, nonce="n-1", with_at_hash=True)
        return minter, session, issued

    def test_access_token_verifies_in_cognito_and_auto_profiles(self, minted, rsa_key, id_key):
        _, _, issued = minted
        for profile in ("cognito", "auto"):
            claims = verifier([rsa_key, id_key], token_type=profile, scopes=["items/read"]).verify(issued.access_token)
            assert claims.username == "janedoe" and claims.groups == {"admin"} and claims["version"] == 2
            assert claims.header["typ"] == "at+jwt" and claims.header["kid"] == rsa_key.kid
            assert "email" not in claims  # no PII in access tokens

    def test_id_token_refused(self, minted, rsa_key, id_key):
        _, _, issued = minted
        with pytest.raises(WrongTokenType) as e:
            verifier([rsa_key, id_key]).verify(issued.id_token)
        assert e.value.id_token and e.value.client == CLIENT

    def test_resource_audience_for_the_rfc9068_profile(self, minted, rsa_key, id_key):
        from dataclasses import replace
        minter, session, _ = minted
        t = minter.mint_access_token(replace(session, audience=API), now=NOW, ttl=600)
        v = verifier([rsa_key, id_key], token_type="rfc9068", audience=API)
        assert v.verify(t).audience == (API,)
        with pytest.raises(InvalidAudience):  # no resource named: no aud, which RFC 9068 requires
            v.verify(minter.mint_access_token(session, now=NOW, ttl=600))

    def test_client_credentials_token(self, minted, rsa_key, id_key):
        from authpool.tokens import Session
        minter, _, _ = minted
        m2m = Session(issuer=ISS, sub=CLIENT, client_id=CLIENT, auth_time=NOW, origin_jti="o-2",
                      scopes=("items/read",))
        issued = minter.mint(m2m, now=NOW, access_ttl=600, id_ttl=None)
        claims = verifier([rsa_key, id_key]).verify(issued.access_token)
        assert claims.subject == CLIENT and claims.username is None and issued.id_token is None
