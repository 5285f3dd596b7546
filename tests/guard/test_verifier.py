"""AccessTokenVerifier: construction rules, each check and its error type, and the fixed check order."""

from __future__ import annotations

import logging
import math

import pytest

from authpool.guard import (
    AccessClaims,
    AccessTokenVerifier,
    AlgorithmMismatch,
    AlgorithmNotAllowed,
    CustomCheckFailed,
    InsufficientGroup,
    InsufficientScope,
    InvalidAudience,
    InvalidClient,
    InvalidIssuer,
    InvalidSignature,
    IssuedInFuture,
    KeyNotFound,
    MalformedClaim,
    TokenError,
    TokenExpired,
    TokenNotYetValid,
    WrongTokenType,
)
from authpool.jose import JWK, dumps_compact

from .helpers import CLIENT, ISS, NOW, Clock, access_claims, resign, token

ALGS = ["RS256", "ES256", "EdDSA"]


@pytest.fixture
def keys(rsa_key: JWK, ec_key: JWK, ed_key: JWK) -> list[JWK]:
    return [rsa_key, ec_key, ed_key]


@pytest.fixture
def make(keys: list[JWK]):
    def make(**kwargs) -> AccessTokenVerifier:
        options = {"issuer": ISS, "client_ids": [CLIENT], "jwks": {"keys": [k.to_public_dict() for k in keys]},
                   "algorithms": ALGS, "clock": Clock()}
        options.update(kwargs)
        return AccessTokenVerifier(**options)
    return make


# -- construction: security-relevant options are explicit -----------------------------------------------
class TestConstruction:
    def test_client_or_audience_must_be_given_or_set_to_none(self, make, keys):
        with pytest.raises(TypeError, match="client_ids=None explicitly"):
            AccessTokenVerifier(issuer=ISS, jwks={"keys": []}, algorithms=["RS256"])
        v = make(client_ids=None)
        assert v.verify(token(keys[0], client_id="any-client"))["client_id"] == "any-client"

    def test_algorithms_are_required(self):
        with pytest.raises(TypeError):
            AccessTokenVerifier(issuer=ISS, client_ids=[CLIENT], jwks={"keys": []})  # type: ignore[call-arg]

    @pytest.mark.parametrize("kwargs, exc", [
        ({"client_ids": "57cb"}, TypeError),
        ({"algorithms": "RS256"}, TypeError),
        ({"algorithms": ["HS256"]}, ValueError),
        ({"algorithms": []}, ValueError),
        ({"token_type": "id"}, ValueError),
        ({"leeway": -1}, ValueError),
        ({"leeway": math.inf}, ValueError),
        ({"client_ids": []}, ValueError),
        ({"issuer": ""}, TypeError),
        ({"jwks_uri": "https://idp.example/jwks"}, TypeError),  # both jwks and jwks_uri
        ({"jwks": None}, TypeError),  # neither
    ])
    def test_bad_settings_are_refused(self, make, kwargs, exc):
        with pytest.raises(exc):
            make(**kwargs)

    def test_plain_http_jwks_uri_only_on_loopback(self):
        common = {"issuer": ISS, "client_ids": [CLIENT], "algorithms": ["RS256"]}
        with pytest.raises(ValueError, match="https"):
            AccessTokenVerifier(jwks_uri="http://idp.example/jwks.json", **common)
        AccessTokenVerifier(jwks_uri="http://127.0.0.1:9/jwks.json", **common)
        AccessTokenVerifier(jwks_uri="http://idp.example/jwks.json", allow_http=True, **common)


# -- the happy path ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("index", [0, 1, 2], ids=ALGS)
def test_verifies_each_algorithm(make, keys, index):
    claims = make().verify(token(keys[index]))
    assert isinstance(claims, AccessClaims)
    assert claims.issuer == ISS and claims.client_id == CLIENT and claims.username == "janedoe"
    assert claims.scopes == {"aws.cognito.signin.user.admin", "items/read"}
    assert claims.groups == {"admin"} and claims.in_group("admin") and claims.has_scope("items/read")
    assert claims["token_use"] == "access" and claims.header["typ"] == "at+jwt"
    assert claims.to_dict()["version"] == 2 and "sub" in claims and len(claims) == 14


def test_claims_are_read_only_and_repr_hides_values(make, keys):
    claims = make().verify(token(keys[0]))
    with pytest.raises(TypeError):
        claims["scope"] = "admin"  # type: ignore[index]
    assert "janedoe" not in repr(claims)


async def _averify(v, t):
    return await v.averify(t)


@pytest.mark.anyio
async def test_averify(make, keys):
    claims = await make().averify(token(keys[1]))
    assert claims.client_id == CLIENT
    with pytest.raises(TokenExpired):
        await make().averify(token(keys[1], exp=NOW - 10))


# -- step 4: key ----------------------------------------------------------------------------------------------
def test_unknown_kid(make, keys):
    other = JWK.generate("ES256", kid="not-published")
    with pytest.raises(KeyNotFound) as e:
        make().verify(token(other))
    assert e.value.actual == "not-published"


def test_missing_kid(make, keys):
    header = {"alg": "RS256", "typ": "at+jwt"}
    with pytest.raises(KeyNotFound):
        make().verify(resign(keys[0], header, access_claims()))


def test_key_pins_the_algorithm(make, keys):
    # The EC key's kid with an RS256 header: the allow-list admits RS256, the key does not.
    t = resign(keys[0], {"kid": keys[1].kid, "alg": "RS256"}, access_claims())
    with pytest.raises(AlgorithmMismatch):
        make().verify(t)
    # PS256 over an RSA key published with alg RS256.
    t = resign(keys[0], {"kid": keys[0].kid, "alg": "PS256"}, access_claims())
    with pytest.raises(AlgorithmMismatch):
        make(algorithms=["RS256", "PS256"]).verify(t)


def test_algorithm_outside_allow_list(make, keys):
    with pytest.raises(AlgorithmNotAllowed):
        make(algorithms=["RS256"]).verify(token(keys[1]))


# -- step 5: signature ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("index", [0, 1, 2], ids=ALGS)
def test_tampered_claims_fail_the_signature(make, keys, index):
    head, _, sig = token(keys[index]).split(".")
    forged = token(keys[index], scope="admin").split(".")[1]
    with pytest.raises(InvalidSignature):
        make().verify(f"{head}.{forged}.{sig}")


# -- step 6: issuer -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("iss", [ISS + "/", ISS.upper(), "https://evil.example/us-east-1_Example"])
def test_issuer_must_match_exactly(make, keys, iss):
    with pytest.raises(InvalidIssuer) as e:
        make().verify(token(keys[0], iss=iss))
    assert e.value.actual == iss and e.value.expected == ISS


@pytest.mark.parametrize("iss", [..., 42, ["x"], None])
def test_issuer_missing_or_not_a_string(make, keys, iss):
    with pytest.raises(MalformedClaim) as e:
        make().verify(token(keys[0], iss=iss))
    assert e.value.claim == "iss"


# -- step 7: time -------------------------------------------------------------------------------------------------
class TestTime:
    def test_expired_at_exp(self, make, keys):
        with pytest.raises(TokenExpired) as e:
            make().verify(token(keys[0], exp=NOW))
        assert e.value.claim == "exp"
        assert make().verify(token(keys[0], exp=NOW + 1))

    def test_leeway(self, make, keys):
        t = token(keys[0], exp=NOW - 30, nbf=NOW + 30, iat=NOW + 30)
        assert make(leeway=31).verify(t)
        with pytest.raises(TokenExpired):
            make(leeway=30).verify(t)

    def test_not_yet_valid(self, make, keys):
        with pytest.raises(TokenNotYetValid):
            make().verify(token(keys[0], nbf=NOW + 5))

    def test_issued_in_the_future(self, make, keys):
        with pytest.raises(IssuedInFuture):
            make().verify(token(keys[0], iat=NOW + 5))

    @pytest.mark.parametrize("claim, value", [
        ("exp", ...), ("exp", "2000000000"), ("exp", True), ("exp", None), ("exp", [1]),
        ("nbf", "0"), ("iat", False), ("nbf", None),
    ])
    def test_malformed_time_claims(self, make, keys, claim, value):
        with pytest.raises(MalformedClaim) as e:
            make().verify(token(keys[0], **{claim: value}))
        assert e.value.claim == claim

    @pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity"])
    def test_non_finite_numbers(self, make, keys, literal):
        payload = dumps_compact(access_claims(exp=0)).replace(b'"exp":0', b'"exp":' + literal)
        with pytest.raises(TokenError):
            make().verify(resign(keys[0], {"kid": keys[0].kid, "alg": "RS256", "typ": "at+jwt"}, payload))

    def test_now_can_be_injected(self, make, keys):
        t = token(keys[0])
        with pytest.raises(TokenExpired):
            make().verify(t, now=NOW + 3600)


# -- step 8: token type -------------------------------------------------------------------------------------------
class TestTokenType:
    def test_cognito_id_token_is_refused_in_every_profile(self, make, keys, id_key):
        from .helpers import id_claims
        v_keys = {"keys": [k.to_public_dict() for k in [*keys, id_key]]}
        t = token(id_key, id_claims(), typ=None)
        for profile in ("cognito", "rfc9068", "auto"):
            with pytest.raises(WrongTokenType) as e:
                make(jwks=v_keys, token_type=profile).verify(t)
            assert e.value.id_token
            assert "ID token was presented where an access token is required" in e.value.description
            assert "never accepted by APIs" in e.value.description

    def test_oidc_id_token_without_token_use(self, make, keys):
        claims = {"iss": ISS, "sub": "u1", "aud": CLIENT, "exp": NOW + 60, "iat": NOW, "nonce": "n-0S6_WzA2Mj",
                  "at_hash": "77QmUPtjPfzWtF2AnpK9RQ"}
        for typ in (None, "JWT", "at+jwt"):
            with pytest.raises(WrongTokenType) as e:
                make().verify(token(keys[0], claims, typ=typ))  # client_ids=[CLIENT] names aud a client
            assert e.value.id_token, typ
        # Nothing says its aud is a client: still refused (no access-token marker), but not called an ID token.
        with pytest.raises(WrongTokenType) as e:
            make(client_ids=None, audience=CLIENT).verify(token(keys[0], claims, typ=None))
        assert not e.value.id_token
        azp = dict(claims, aud=["other", "web-app"], azp="web-app")
        with pytest.raises(WrongTokenType) as e:
            make(client_ids=None, audience=None).verify(token(keys[0], azp, typ="at+jwt"))
        assert e.value.id_token

    def test_nonce_without_client_audience_is_not_called_an_id_token(self, make, keys):
        claims = {"iss": ISS, "sub": "u1", "aud": "https://api.example", "client_id": CLIENT, "exp": NOW + 60,
                  "nonce": "abc"}
        v = make(token_type="rfc9068", audience="https://api.example")
        assert v.verify(token(keys[0], claims, typ="at+jwt"))["nonce"] == "abc"

    def test_cognito_profile_needs_token_use_access(self, make, keys):
        t = token(keys[0], token_use=...)
        with pytest.raises(WrongTokenType) as e:
            make(token_type="cognito").verify(t)
        assert not e.value.id_token and e.value.claim == "token_use"
        assert make(token_type="cognito").verify(token(keys[0], typ=None))

    @pytest.mark.parametrize("typ", ["at+jwt", "application/at+jwt", "AT+JWT", "Application/At+Jwt"])
    def test_rfc9068_typ_values(self, make, keys, typ):
        v = make(token_type="rfc9068", audience="https://api.example")
        assert v.verify(token(keys[0], typ=typ, aud="https://api.example"))

    @pytest.mark.parametrize("typ", [None, "JWT", "jwt", "at+JWT2", "application/jwt"])
    def test_rfc9068_refuses_other_typ(self, make, keys, typ):
        v = make(token_type="rfc9068", audience="https://api.example")
        with pytest.raises(WrongTokenType) as e:
            v.verify(token(keys[0], typ=typ, aud="https://api.example"))
        assert e.value.claim == "typ"

    def test_rfc9068_requires_aud(self, make, keys):
        with pytest.raises(InvalidAudience):
            make(token_type="rfc9068").verify(token(keys[0]))

    def test_auto_accepts_either_marker(self, make, keys):
        v = make(token_type="auto")
        assert v.verify(token(keys[0], typ=None))  # Cognito: token_use, no typ
        assert v.verify(token(keys[0], token_use=..., aud="https://api.example"))  # RFC 9068: typ + aud
        with pytest.raises(InvalidAudience):
            v.verify(token(keys[0], token_use=...))  # typ only, no aud
        with pytest.raises(WrongTokenType):
            v.verify(token(keys[0], token_use=..., typ="JWT"))

    @pytest.mark.parametrize("value, exc", [("refresh", WrongTokenType), ("ID", WrongTokenType),
                                            (1, MalformedClaim), (["access"], MalformedClaim)])
    def test_other_token_use_values(self, make, keys, value, exc):
        with pytest.raises(exc):
            make().verify(token(keys[0], token_use=value))


# -- step 9: client and audience -----------------------------------------------------------------------------------
class TestClientAndAudience:
    def test_client_id_allow_list(self, make, keys):
        with pytest.raises(InvalidClient) as e:
            make().verify(token(keys[0], client_id="someone-else"))
        assert e.value.actual == "someone-else"
        assert make(client_ids=["x", CLIENT]).verify(token(keys[0]))
        with pytest.raises(InvalidClient):
            make().verify(token(keys[0], client_id=...))
        with pytest.raises(MalformedClaim):
            make().verify(token(keys[0], client_id=["57cb"]))

    @pytest.mark.parametrize("aud", ["https://api.example", ["https://other", "https://api.example"]])
    def test_audience_match(self, make, keys, aud):
        assert make(client_ids=None, audience="https://api.example").verify(token(keys[0], aud=aud))

    @pytest.mark.parametrize("aud, exc", [("https://other", InvalidAudience), (..., InvalidAudience),
                                          ([], MalformedClaim), (5, MalformedClaim), ([1], MalformedClaim)])
    def test_audience_mismatch(self, make, keys, aud, exc):
        with pytest.raises(exc):
            make(client_ids=None, audience=["https://api.example"]).verify(token(keys[0], aud=aud))

    def test_both_checks(self, make, keys):
        v = make(audience="https://api.example")
        assert v.verify(token(keys[0], aud="https://api.example"))
        with pytest.raises(InvalidClient):
            v.verify(token(keys[0], aud="https://api.example", client_id="x"))
        with pytest.raises(InvalidAudience):
            v.verify(token(keys[0]))


# -- steps 10-11: scopes, groups, custom check -----------------------------------------------------------------------
class TestRequirements:
    def test_scopes_all_of(self, make, keys):
        v = make(scopes=["items/read", "items/write"])
        with pytest.raises(InsufficientScope) as e:
            v.verify(token(keys[0]))
        assert e.value.required_scope == "items/read items/write" and e.value.status == 403
        assert v.verify(token(keys[0], scope="items/write items/read"))

    def test_scopes_any_of(self, make, keys):
        v = make(any_scopes=["items/write", "admin"])
        with pytest.raises(InsufficientScope):
            v.verify(token(keys[0]))
        assert v.verify(token(keys[0], scope="admin"))

    def test_scope_claim_not_a_string_has_no_scopes(self, make, keys):
        with pytest.raises(InsufficientScope):
            make(scopes=["items/read"]).verify(token(keys[0], scope=["items/read"]))

    def test_scp_array_is_read_when_scope_is_absent(self, make, keys):
        assert make(scopes=["items/read"]).verify(token(keys[0], scope=..., scp=["items/read"]))

    def test_groups(self, make, keys):
        with pytest.raises(InsufficientGroup):
            make(groups=["admin", "staff"]).verify(token(keys[0]))
        assert make(any_groups=["admin", "staff"]).verify(token(keys[0]))
        with pytest.raises(InsufficientGroup):
            make(any_groups=["staff"]).verify(token(keys[0], **{"cognito:groups": ...}))
        assert make(groups=["staff"]).verify(token(keys[0], **{"cognito:groups": ..., "groups": ["staff"]}))

    def test_custom_check(self, make, keys):
        seen = []
        assert make(custom_check=lambda c: seen.append(c.jti)).verify(token(keys[0]))
        assert len(seen) == 1
        with pytest.raises(CustomCheckFailed):
            make(custom_check=lambda c: False).verify(token(keys[0]))
        with pytest.raises(CustomCheckFailed) as e:
            make(custom_check=lambda c: 1 / 0).verify(token(keys[0]))
        assert "ZeroDivisionError" in str(e.value)

        def tenant(c):
            raise InsufficientScope("tenant", claim="custom:tenant")
        with pytest.raises(InsufficientScope):
            make(custom_check=tenant).verify(token(keys[0]))


# -- the fixed order -----------------------------------------------------------------------------------------------------
def test_check_order(make, keys, id_key):
    """Start from a token that fails steps 6-11 at once; repair one fault at a time."""
    bad = access_claims(iss="https://evil.example", exp=NOW - 10, token_use="id", client_id="x",
                        scope="none", **{"cognito:groups": ["none"]})
    v = make(scopes=["items/read"], groups=["admin"], custom_check=lambda c: False)
    steps = [
        ({}, InvalidIssuer), ({"iss": ISS}, TokenExpired), ({"exp": NOW + 60}, WrongTokenType),
        ({"token_use": "access"}, InvalidClient), ({"client_id": CLIENT}, InsufficientScope),
        ({"scope": "items/read"}, InsufficientGroup), ({"cognito:groups": ["admin"]}, CustomCheckFailed),
    ]
    for fix, expected in steps:
        bad.update(fix)
        with pytest.raises(TokenError) as e:
            v.verify(token(keys[0], bad))
        assert type(e.value) is expected, (fix, e.value)
    # A bad signature hides every claim problem; an unknown key hides the signature.
    head, payload, sig = token(keys[0], bad).split(".")
    with pytest.raises(InvalidSignature):
        v.verify(f"{head}.{payload}.{sig[:-4]}AAAA")
    with pytest.raises(KeyNotFound):
        v.verify(token(id_key, bad))


# -- errors as data ------------------------------------------------------------------------------------------------------
def test_errors_never_carry_the_token(make, keys):
    t = token(keys[0], exp=NOW - 1)
    with pytest.raises(TokenExpired) as e:
        make().verify(t)
    err = e.value
    assert err.code == "token_expired" and err.error == "invalid_token" and err.status == 401
    for text in (str(err), err.description, repr(err)):
        assert t not in text and t.split(".")[1] not in text and t.split(".")[2] not in text


def test_rejections_are_counted_and_id_tokens_logged(make, keys, id_key, caplog):
    from .helpers import id_claims
    v = make(jwks={"keys": [k.to_public_dict() for k in [*keys, id_key]]})
    id_token = token(id_key, id_claims(), typ=None)
    with pytest.raises(TokenExpired):
        v.verify(token(keys[0], exp=NOW - 1))
    with caplog.at_level(logging.WARNING, logger="authpool.guard.security"), pytest.raises(WrongTokenType):
        v.verify(id_token, route="GET /items")
    assert v.signals.counts == {"token_expired": 1, "wrong_token_type": 1, "id_token_presented": 1}
    assert v.signals.id_token_sources == {(ISS, CLIENT): 1}
    [record] = [r for r in caplog.records if getattr(r, "event", None) == "id_token_presented"]
    assert (record.issuer, record.client, record.route) == (ISS, CLIENT, "GET /items")
    assert id_token not in caplog.text and "janedoe" not in caplog.text
    seen = []
    v.signals.add_listener(lambda err, route: seen.append((err.code, route)))
    v.signals.add_listener(lambda err, route: 1 / 0)  # a broken hook never turns a 401 into a 500
    with pytest.raises(KeyNotFound):
        v.verify(token(JWK.generate("EdDSA", kid="x")), route="GET /")
    assert seen == [("key_not_found", "GET /")]


def test_bytes_tokens_are_accepted(make, keys):
    assert make().verify(token(keys[2]).encode())
