"""IdTokenValidator against ID tokens signed by PyJWT: OIDC Core §3.1.3.7 and §3.1.3.8, one case per check."""

from __future__ import annotations

import jwt
import pytest

from authpool.client import (
    AtHashMismatch,
    AudienceMismatch,
    AuthorizedPartyMismatch,
    AuthTooOld,
    IdTokenError,
    IdTokenValidator,
    IssuedInFuture,
    IssuerMismatch,
    KeyNotFound,
    MalformedClaim,
    MalformedIdToken,
    NonceMismatch,
    NotAnIdToken,
    SignatureInvalid,
    TokenExpired,
)
from authpool.jose import JWK, sign_compact
from authpool.tokens import Session, id_token_claims

from .conftest import CLIENT, ISS, NOW, Signer, access_claims, at_hash, id_claims

NONCE = "n-0S6_WzA2Mj"


@pytest.fixture
def validator(jwks, clock) -> IdTokenValidator:
    return IdTokenValidator(issuer=ISS, client_id=CLIENT, jwks=jwks, clock=clock, leeway=60)


def test_valid_token_gives_a_profile(validator, rsa_signer):
    profile = validator.validate(rsa_signer.sign(id_claims()), nonce=NONCE)
    assert profile.subject == "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    assert (profile.name, profile.email, profile.email_verified) == ("Alice Example", "alice@example.com", True)
    assert profile.username == "alice" and profile.display_name == "Alice Example"
    assert profile.groups == ("admin",) and profile.in_group("admin") and not profile.in_group("staff")
    assert profile.attribute("custom:tier") == "premium" and profile.attribute("custom:nope", "x") == "x"
    assert "nonce" not in profile.attributes and "exp" not in profile.attributes
    assert profile.expires_at == NOW + 3600 and profile.auth_time == NOW - 30
    assert profile.issuer == ISS and profile.client_id == CLIENT
    assert {"email", "name", "custom:tier", "cognito:username"} <= set(profile.pii_claims)
    assert "alice@example.com" not in repr(profile) and "Alice" not in repr(profile)


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_algorithms_and_at_hash(alg, clock):
    signer = Signer(alg, f"k-{alg}")
    validator = IdTokenValidator(issuer=ISS, client_id=CLIENT, jwks={"keys": [signer.jwk]}, algorithms=[alg],
                                 clock=clock)
    access = Signer("RS256", "a").sign(access_claims(), typ="at+jwt")
    token = signer.sign(id_claims(at_hash=at_hash(access, alg)))
    assert validator.validate(token, nonce=NONCE, access_token=access).name == "Alice Example"
    other = Signer("RS256", "a").sign(access_claims(), typ="at+jwt")
    with pytest.raises(AtHashMismatch) as err:
        validator.validate(token, nonce=NONCE, access_token=other)
    assert err.value.claim == "at_hash" and "access token" in str(err.value)


def test_at_hash_absent_is_accepted_present_but_malformed_is_not(validator, rsa_signer):
    access = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"
    validator.validate(rsa_signer.sign(id_claims(nonce=...)), access_token=access)
    with pytest.raises(MalformedClaim):
        validator.validate(rsa_signer.sign(id_claims(at_hash=42)), access_token=access)


def test_authpool_minted_id_token_validates_with_at_hash(clock):
    """The claim builder the server uses, signed with authpool.jose: the helper accepts its own pool's tokens."""
    key = JWK.generate("ES256", kid="pool-id")
    session = Session(issuer=ISS, sub="s-1", client_id=CLIENT, auth_time=NOW - 5, origin_jti="o", username="bob",
                      attributes={"email": "bob@example.com", "name": "Bob Example", "custom:tier": "free"})
    claims = id_token_claims(session, now=NOW, ttl=3600, jti="j", event_id="e", alg="ES256", nonce="abc",
                             access_token="the-access-token")
    token = sign_compact(claims, key)
    validator = IdTokenValidator(issuer=ISS, client_id=CLIENT, jwks=[key], algorithms=["ES256"], clock=clock)
    profile = validator.validate(token, nonce="abc", access_token="the-access-token")
    assert profile.attribute("custom:tier") == "free" and not profile.in_group("admin")
    with pytest.raises(AtHashMismatch):
        validator.validate(token, nonce="abc", access_token="another-access-token")


# -- nonce (§3.1.3.7 step 11) ------------------------------------------------------------------------------
def test_nonce_wrong_or_missing_is_refused(validator, rsa_signer):
    with pytest.raises(NonceMismatch) as err:
        validator.validate(rsa_signer.sign(id_claims()), nonce="another-nonce")
    assert err.value.code == "nonce_mismatch" and err.value.claim == "nonce"
    with pytest.raises(NonceMismatch):
        validator.validate(rsa_signer.sign(id_claims(nonce=...)), nonce=NONCE)
    with pytest.raises(NonceMismatch):
        validator.validate(rsa_signer.sign(id_claims(nonce=["n-0S6_WzA2Mj"])), nonce=NONCE)


def test_nonce_not_sent_is_not_checked(validator, rsa_signer):
    validator.validate(rsa_signer.sign(id_claims()))


# -- iss, aud, azp (steps 2-5) --------------------------------------------------------------------------------
def test_wrong_issuer(validator, rsa_signer):
    for iss in (ISS + "/", "https://idp.example/us-east-1_Other", ...):
        with pytest.raises(IssuerMismatch) as err:
            validator.validate(rsa_signer.sign(id_claims(iss=iss)))
        assert err.value.expected == ISS


@pytest.mark.parametrize("aud", ["another-client", ["another-client"], [CLIENT, "stranger"]])
def test_wrong_or_untrusted_audience(validator, rsa_signer, aud):
    with pytest.raises(AudienceMismatch):
        validator.validate(rsa_signer.sign(id_claims(aud=aud, azp=CLIENT)))


@pytest.mark.parametrize("aud", [..., [], 7, [CLIENT, 7]])
def test_malformed_audience(validator, rsa_signer, aud):
    with pytest.raises(MalformedClaim):
        validator.validate(rsa_signer.sign(id_claims(aud=aud)))


def test_several_audiences_need_azp_naming_this_client(jwks, clock, rsa_signer):
    validator = IdTokenValidator(issuer=ISS, client_id=CLIENT, jwks=jwks, clock=clock,
                                 trusted_audiences=["orders-api"])
    with pytest.raises(AuthorizedPartyMismatch):
        validator.validate(rsa_signer.sign(id_claims(aud=[CLIENT, "orders-api"])))
    with pytest.raises(AuthorizedPartyMismatch):
        validator.validate(rsa_signer.sign(id_claims(aud=[CLIENT, "orders-api"], azp="orders-api")))
    assert validator.validate(rsa_signer.sign(id_claims(aud=[CLIENT, "orders-api"], azp=CLIENT))).subject
    with pytest.raises(AuthorizedPartyMismatch):  # a present azp must be this client even with one aud
        validator.validate(rsa_signer.sign(id_claims(azp="someone-else")))


# -- exp, iat, auth_time (steps 9, 10, 13) ---------------------------------------------------------------------
def test_expired_beyond_leeway(validator, rsa_signer, clock):
    token = rsa_signer.sign(id_claims(exp=NOW - 30))
    assert validator.validate(token).subject  # within the 60 s leeway
    clock.now = NOW + 31
    with pytest.raises(TokenExpired) as err:
        validator.validate(token)
    assert isinstance(err.value, IdTokenError) and err.value.claim == "exp"


def test_issued_in_future_and_malformed_times(validator, rsa_signer):
    with pytest.raises(IssuedInFuture):
        validator.validate(rsa_signer.sign(id_claims(iat=NOW + 61)))
    for bad in ({"exp": ...}, {"exp": "tomorrow"}, {"iat": ...}, {"exp": True}):
        with pytest.raises(MalformedClaim):
            validator.validate(rsa_signer.sign(id_claims(**bad)))


def test_max_age(validator, rsa_signer):
    token = rsa_signer.sign(id_claims(auth_time=NOW - 3600))
    assert validator.validate(token, max_age=7200).subject
    with pytest.raises(AuthTooOld):
        validator.validate(token, max_age=600)
    with pytest.raises(MalformedClaim):
        validator.validate(rsa_signer.sign(id_claims(auth_time=...)), max_age=600)


# -- the token is an ID token at all --------------------------------------------------------------------------
def test_access_token_is_refused_by_name(validator, access_signer):
    for token in (access_signer.sign(access_claims(), typ="at+jwt"),  # authpool's access tokens
                  access_signer.sign(access_claims(), typ="JWT"),  # Cognito's (token_use only)
                  access_signer.sign(access_claims(token_use=..., aud=CLIENT), typ="at+jwt")):  # RFC 9068
        with pytest.raises(NotAnIdToken) as err:
            validator.validate(token)
        assert "access token" in str(err.value) and "ID token" in str(err.value)
        assert err.value.code == "not_an_id_token"


def test_other_token_use_is_refused(validator, rsa_signer):
    with pytest.raises(NotAnIdToken):
        validator.validate(rsa_signer.sign(id_claims(token_use="refresh")))


def test_plain_oidc_id_token_without_token_use_is_accepted(validator, rsa_signer):
    assert validator.validate(rsa_signer.sign(id_claims(token_use=...))).subject


# -- form, header, key, signature --------------------------------------------------------------------------
def test_signature_checks(validator, rsa_signer):
    impostor = Signer("RS256", rsa_signer.kid)  # same kid, another key
    with pytest.raises(SignatureInvalid):
        validator.validate(impostor.sign(id_claims()))
    with pytest.raises(KeyNotFound):
        validator.validate(rsa_signer.sign(id_claims(), kid="unknown-kid"))
    with pytest.raises(SignatureInvalid):  # ES256 not in the allow-list
        validator.validate(Signer("ES256", "id-rsa").sign(id_claims()))
    with pytest.raises(SignatureInvalid):  # alg none never
        validator.validate(jwt.encode(id_claims(), None, algorithm="none", headers={"kid": rsa_signer.kid}))
    parts = rsa_signer.sign(id_claims()).split(".")
    tampered = jwt.encode(id_claims(sub="someone-else"), "x" * 32, algorithm="HS256").split(".")[1]
    with pytest.raises(SignatureInvalid):
        validator.validate(".".join([parts[0], tampered, parts[2]]))


def test_hs256_with_public_key_confusion_is_refused(jwks, clock, rsa_signer):
    validator = IdTokenValidator(issuer=ISS, client_id=CLIENT, jwks=jwks, clock=clock,
                                 algorithms=["RS256", "HS256"])
    secret = rsa_signer.jwk["n"].encode()
    token = jwt.encode(id_claims(), secret, algorithm="HS256", headers={"kid": rsa_signer.kid})
    with pytest.raises(SignatureInvalid):
        validator.validate(token)


@pytest.mark.parametrize("token", ["", "a.b", "a.b.c.d.e", "not a token", "x" * 20_000, "é.é.é"])
def test_malformed(validator, token):
    with pytest.raises(MalformedIdToken):
        validator.validate(token)


def test_not_a_string(validator):
    with pytest.raises(MalformedIdToken):
        validator.validate(None)  # type: ignore[arg-type]


def test_constructor_refuses_unsafe_settings(jwks):
    with pytest.raises(TypeError):
        IdTokenValidator(issuer=ISS, client_id=CLIENT)
    with pytest.raises(TypeError):
        IdTokenValidator(issuer=ISS, client_id=CLIENT, jwks=jwks, jwks_uri="https://x/jwks")
    with pytest.raises(TypeError):
        IdTokenValidator(issuer=ISS, client_id=CLIENT, jwks=jwks, algorithms="RS256")
    with pytest.raises(ValueError):
        IdTokenValidator(issuer=ISS, client_id=CLIENT, jwks=jwks, algorithms=["none"])
    with pytest.raises(TypeError):
        IdTokenValidator(issuer="", client_id=CLIENT, jwks=jwks)
    with pytest.raises(ValueError):
        IdTokenValidator(issuer=ISS, client_id=CLIENT, jwks_uri="http://idp.example/jwks.json")
    with pytest.raises(TypeError):
        IdTokenValidator(issuer=ISS, client_id=CLIENT, jwks=jwks, trusted_audiences="orders-api")


def test_errors_never_carry_the_token_or_pii(validator, rsa_signer):
    token = rsa_signer.sign(id_claims(aud="another-client"))
    with pytest.raises(IdTokenError) as err:
        validator.validate(token)
    text = str(err.value) + repr(err.value.expected)
    assert token not in text and "alice@example.com" not in text
