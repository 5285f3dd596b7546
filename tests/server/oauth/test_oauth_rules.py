"""Unit tests of the protocol rules behind the endpoints: PKCE, parameters, redirect URIs, scopes,
client authentication and the wire-error renderer. Records are built as plain values; nothing of
ours is mocked."""

from __future__ import annotations

import base64
import json
import logging

import pytest

from authpool.server.oauth import clientauth, pkce, redirect, scopes
from authpool.server.oauth.errors import (
    InvalidClient,
    InvalidGrant,
    InvalidRequest,
    InvalidScope,
    InvalidTarget,
    InvalidToken,
    NoToken,
    bearer_error,
    json_error,
)
from authpool.server.oauth.params import parse_pairs
from authpool.server.store import ClientRecord

API = "https://api.example.com"


def client(secret: str | None = None, **settings) -> ClientRecord:
    base = {"AllowedOAuthScopes": ["openid", "email", "profile", f"{API}/read", f"{API}/write"],
            "CallbackURLs": ["https://app.example/cb", "myapp://cb"], "LogoutURLs": ["https://app.example/bye"]}
    return ClientRecord(client_id="c1", pool_id="us-east-1_Pool", name="app", settings={**base, **settings},
                        created_at=0, updated_at=0, client_secret=secret)


# -- PKCE (RFC 7636) ------------------------------------------------------------------------------

def test_pkce_s256_matches_the_rfc7636_appendix_b_example():
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce.s256(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    pkce.verify("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", verifier)


@pytest.mark.parametrize(("challenge", "method", "public"), [
    (None, None, True),  # public client without PKCE
    ("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "plain", False),
    ("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", None, False),  # no method = plain (RFC 7636 §4.3)
    ("short", "S256", False),
    (None, "S256", False),
])
def test_pkce_authorization_request_refusals(challenge, method, public):
    with pytest.raises(InvalidRequest):
        pkce.check_challenge(challenge, method, public_client=public)


def test_pkce_optional_for_confidential_clients():
    assert pkce.check_challenge(None, None, public_client=False) is None


@pytest.mark.parametrize("verifier", [None, "x" * 42, "x" * 129, "a" * 43 + "!", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj"])
def test_pkce_token_request_refusals(verifier):
    with pytest.raises(InvalidGrant):
        pkce.verify("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", verifier)


def test_pkce_downgrade_a_verifier_without_a_challenge_is_refused():
    with pytest.raises(InvalidGrant, match="no code_challenge"):
        pkce.verify(None, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")


# -- parameters (RFC 6749 §3.1) ---------------------------------------------------------------------

def test_parameters_empty_values_are_omitted_and_repeats_refused():
    assert parse_pairs("a=1&b=&c=x%20y") == {"a": "1", "c": "x y"}
    with pytest.raises(InvalidRequest, match="more than once"):
        parse_pairs("code=1&code=2")
    with pytest.raises(InvalidRequest, match="more than once"):
        parse_pairs("x=&x=")  # repeated even when empty


def test_parameters_are_bounded():
    with pytest.raises(InvalidRequest):
        parse_pairs("&".join(f"p{i}=1" for i in range(100)))
    with pytest.raises(InvalidRequest):
        parse_pairs("a=" + "x" * (17 * 1024))


# -- redirect URIs (RFC 9700 §4.1.3) ---------------------------------------------------------------

@pytest.mark.parametrize("candidate", [
    "https://app.example/cb/", "https://app.example/cb?x=1", "https://app.example/cb#x", "https://app.example/c",
    "https://app.example/cbx", "https://APP.example/cb", "https://app.example:443/cb", "http://app.example/cb",
    "https://app.example.evil.com/cb", "https://evil.com@app.example/cb", "https://app.example/cb/../cb",
    "https://app.example/%63b", "myapp://cb/", " https://app.example/cb", None,
])
def test_redirect_uri_requires_an_exact_match(candidate):
    assert redirect.registered_redirect_uri(client(), candidate) is None


def test_redirect_uri_exact_matches_and_params_keep_the_query():
    assert redirect.registered_redirect_uri(client(), "myapp://cb") == "myapp://cb"
    assert redirect.with_params("https://a.example/cb?x=1", {"code": "c", "state": None}) == \
        "https://a.example/cb?x=1&code=c"
    assert redirect.with_params("https://a.example/cb", {"access_token": "t"}, fragment=True) == \
        "https://a.example/cb#access_token=t"


@pytest.mark.parametrize(("uri", "origin"), [
    ("https://app.example/cb", "https://app.example"), ("http://localhost:8123/cb", "http://localhost:8123"),
    ("myapp://cb", "myapp:"), ("https://u:p@app.example/cb", "https://app.example"),
    ("https://a.example;script-src */cb", "https:"),
])
def test_form_action_origin_is_a_safe_csp_source(uri, origin):
    assert redirect.origin_of(uri) == origin


# -- scopes (RFC 6749 §3.3, COGNITO.md §3/§5) -------------------------------------------------------

def test_authorization_scopes_follow_cognito():
    c = client()
    assert scopes.for_authorization(c, None) == c.settings["AllowedOAuthScopes"]  # omitted: all allowed
    assert scopes.for_authorization(c, ["openid", "unknown", "email"]) == ["openid", "email"]  # ignored
    assert scopes.for_authorization(c, ["email", f"{API}/read"]) == [f"{API}/read"]  # email needs openid
    with pytest.raises(InvalidScope):
        scopes.for_authorization(c, ["unknown"])
    with pytest.raises(InvalidScope):
        scopes.parse('openid "quoted"')


def test_client_credentials_scopes_are_custom_only():
    c = client()
    assert scopes.for_client_credentials(c, None) == [f"{API}/read", f"{API}/write"]
    assert scopes.for_client_credentials(c, ["openid", f"{API}/write", "x/y"]) == [f"{API}/write"]
    with pytest.raises(InvalidScope):
        scopes.for_client_credentials(c, ["openid"])


def test_resource_indicator_rules():
    assert scopes.resolve_resource(None, {API}) is None
    assert scopes.resolve_resource(API, {API}) == API
    for bad in ("api", "https://api.example.com#x", "https://other.example"):
        with pytest.raises(InvalidTarget):
            scopes.resolve_resource(bad, {API})


# -- client authentication (RFC 6749 §2.3.1) --------------------------------------------------------

def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def test_client_secret_basic_and_post_and_none():
    confidential, public = client("s3cret"), client()
    lookup_c, lookup_p = (lambda cid: confidential if cid == "c1" else None), (lambda cid: public)
    assert clientauth.authenticate(lookup_c, "us-east-1_Pool", basic("c1", "s3cret"), {}).method == "client_secret_basic"
    assert clientauth.authenticate(lookup_c, "us-east-1_Pool", None,
                                   {"client_id": "c1", "client_secret": "s3cret"}).method == "client_secret_post"
    assert clientauth.authenticate(lookup_p, "us-east-1_Pool", None, {"client_id": "c1"}).method == "none"


@pytest.mark.parametrize(("authorization", "params", "error"), [
    (basic("c1", "wrong"), {}, InvalidClient),
    (None, {"client_id": "c1"}, InvalidClient),  # confidential client without its secret
    (None, {"client_id": "nope", "client_secret": "s3cret"}, InvalidClient),
    (None, {}, InvalidClient),
    ("Basic !!!", {}, InvalidClient),
    (basic("c1", "s3cret"), {"client_secret": "s3cret"}, InvalidRequest),  # two methods
    (basic("c1", "s3cret"), {"client_id": "c2"}, InvalidClient),
])
def test_client_authentication_refusals(authorization, params, error):
    confidential = client("s3cret")
    with pytest.raises(error):
        clientauth.authenticate(lambda cid: confidential if cid == "c1" else None, "us-east-1_Pool",
                                authorization, params)


def test_client_of_another_pool_and_secret_for_public_client_are_refused():
    with pytest.raises(InvalidClient):
        clientauth.authenticate(lambda cid: client("s3cret"), "us-east-1_Other", basic("c1", "s3cret"), {})
    with pytest.raises(InvalidClient):
        clientauth.authenticate(lambda cid: client(), "us-east-1_Pool", None, {"client_id": "c1", "client_secret": "x"})


def test_basic_credentials_are_form_urldecoded():
    assert clientauth.basic_credentials(basic("a%3Ab", "p%2Bq+r")) == ("a:b", "p+q r")


# -- the error renderer (RFC 6749 §5.2, RFC 6750 §3) -------------------------------------------------

def test_json_error_invalid_client_over_basic_is_401_with_challenge():
    response = json_error(InvalidClient(), basic_auth=True)
    assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Basic")
    assert response.headers["cache-control"] == "no-store"
    assert json_error(InvalidClient()).status_code == 400


def test_unknown_exceptions_become_server_error_with_a_fixed_message(caplog):
    with caplog.at_level(logging.ERROR, logger="authpool.oauth"):
        response = json_error(RuntimeError("db password=hunter2 leaked"))
    assert response.status_code == 500
    assert json.loads(response.body) == {"error": "server_error", "error_description": "Internal error."}


def test_descriptions_are_limited_to_the_rfc_charset():
    assert InvalidRequest('bad "quote" \\ and é').description == "bad ?quote? ? and ?"


def test_bearer_errors():
    bare = bearer_error(NoToken())
    assert bare.status_code == 401 and bare.headers["www-authenticate"] == 'Bearer realm="authpool"'
    invalid = bearer_error(InvalidToken("expired"))
    assert invalid.status_code == 401
    assert 'error="invalid_token"' in invalid.headers["www-authenticate"]
