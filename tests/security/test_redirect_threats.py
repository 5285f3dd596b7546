"""RFC 9700 §4.1, §4.2, §4.3, §4.4, §4.11, §4.12, §4.13: where the browser is sent, and what leaks."""

from __future__ import annotations

import secrets

import httpx
import pytest
from tests.server.oauth.world import CSRF, authorize_code, exchange, pkce_pair, query_of

REGISTERED = "https://spa.example/callback"
TRICKS = [
    "https://spa.example/callbackx", "https://spa.example/callback/", "https://spa.example/callback/evil",
    "https://spa.example/callback/../evil", "https://spa.example/callback%2F..%2Fevil", "https://spa.example/Callback",
    "HTTPS://spa.example/callback", "https://SPA.example/callback", "https://spa.example:443/callback",
    "https://spa.example.evil.com/callback", "https://spa.example@evil.com/callback",
    "https://evil.com/?https://spa.example/callback", "https://spa.example/callback?next=https://evil.com",
    "https://spa.example/callback#@evil.com", "//evil.com/callback", "https:/spa.example/callback",
    "https://spa.example/callback ", "http://spa.example/callback", "http://localhost:8124/cb",
    "https://web.example/cb",  # another client's callback
]


def authorize_params(world, redirect_uri: str) -> dict[str, str]:
    _, challenge = pkce_pair()
    return {"response_type": "code", "client_id": world.spa.client_id, "redirect_uri": redirect_uri,
            "scope": "openid", "state": "s", "code_challenge": challenge, "code_challenge_method": "S256"}


@pytest.mark.parametrize("redirect_uri", TRICKS)
def test_4_1_redirect_uri_manipulation_is_refused_without_redirecting(world, redirect_uri):
    """§4.1.3: exact string matching; no prefix, suffix, path, case, port, userinfo or query tricks."""
    for path in ("/oauth2/authorize", "/login", "/logout"):
        response = httpx.get(world.url(path), params=authorize_params(world, redirect_uri))
        assert response.status_code == 400, (path, redirect_uri)
        assert "location" not in response.headers
        assert "evil" not in response.headers.get("refresh", "")


def test_4_2_no_referer_leakage_from_the_authorization_server(world, browser):
    """§4.2.2/§4.2.4: the pages load no third-party resources and send no Referer; the redirect that
    carries the code says Referrer-Policy: no-referrer."""
    page = browser.get(world.url("/login"), params=authorize_params(world, REGISTERED))
    assert page.headers["referrer-policy"] == "no-referrer"
    assert '<meta name="referrer" content="no-referrer">' in page.text
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert "http" not in page.text.split("<form", 1)[0].replace(world.base, "")  # no external URLs in <head>
    done = browser.post(str(page.url), data={"_csrf": CSRF.search(page.text).group(1), "username": "alice",
                                             "password": world.users["alice"]})
    assert "code=" in done.headers["location"] and done.headers["referrer-policy"] == "no-referrer"


def test_4_3_codes_are_single_use_short_lived_and_never_cached(world, browser):
    """§4.3.1: a code read from browser history is useless: it was already redeemed, lives 5 minutes,
    and neither the redirect nor the token response may be cached."""
    code, verifier = authorize_code(browser, world, world.spa)
    tokens = exchange(world, world.spa, code, verifier)
    assert tokens.headers["cache-control"] == "no-store"
    assert exchange(world, world.spa, code, verifier).json()["error"] == "invalid_grant"
    with world.ctx.db.transaction(readonly=True) as tx:  # consuming again only classifies it
        record = tx.auth_codes.consume(code, client_id=world.spa.client_id).code
    assert record.expires_at - record.created_at == 300
    silent = browser.get(world.url("/oauth2/authorize"), params=authorize_params(world, REGISTERED))
    assert silent.headers["cache-control"] == "no-store"


def test_4_4_mix_up_defence_iss_in_every_authorization_response(world, browser):
    """§4.4.2.1 / RFC 9207: ``iss`` in success and error responses; each pool is its own issuer, and a
    code of one pool is not redeemable at another pool's token endpoint."""
    code, verifier = authorize_code(browser, world, world.spa)
    doc = httpx.get(world.url("/.well-known/openid-configuration")).json()
    assert doc["authorization_response_iss_parameter_supported"] is True
    error = browser.get(world.url("/oauth2/authorize"), params={**authorize_params(world, REGISTERED), "scope": "x"})
    assert query_of(error.headers["location"])["iss"] == world.issuer
    silent = query_of(browser.get(world.url("/oauth2/authorize"),
                                  params=authorize_params(world, REGISTERED)).headers["location"])
    assert silent["iss"] == world.issuer
    other_issuer = f"{world.base}/{world.other_pool_id}"
    elsewhere = httpx.post(f"{other_issuer}/oauth2/token", data={
        "grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": REGISTERED,
        "client_id": world.spa.client_id})
    assert elsewhere.json()["error"] == "invalid_client"
    assert exchange(world, world.spa, code, verifier).status_code == 200  # untouched by the attempt


def test_4_11_2_authorization_server_is_no_open_redirector(world):
    """§4.11.2 / RFC 6749 §4.1.2.1: unknown client, unregistered redirect or logout URI: a page, never a
    redirect, on every endpoint that redirects."""
    cases = [("/oauth2/authorize", {**authorize_params(world, REGISTERED), "client_id": "unknown"}),
             ("/oauth2/authorize", {"client_id": world.spa.client_id, "redirect_uri": "https://evil.com"}),
             ("/login", {"client_id": world.spa.client_id, "redirect_uri": "https://evil.com", "response_type": "code"}),
             ("/logout", {"client_id": world.spa.client_id, "logout_uri": "https://evil.com"}),
             ("/logout", {"client_id": world.spa.client_id, "post_logout_redirect_uri": "https://evil.com"}),
             ("/logout", {"client_id": "unknown", "logout_uri": "https://spa.example/bye"})]
    for path, params in cases:
        response = httpx.get(world.url(path), params=params)
        assert 400 <= response.status_code < 500 and "location" not in response.headers, (path, params)


def test_4_12_credentials_are_never_forwarded_with_307(world, browser):
    """§4.12: after the login form (user name and password in the body) the answer is 303, so the
    browser does not re-post the credentials to the client."""
    page = browser.get(world.url("/login"), params=authorize_params(world, REGISTERED))
    done = browser.post(str(page.url), data={"_csrf": CSRF.search(page.text).group(1), "username": "alice",
                                             "password": world.users["alice"]})
    assert done.status_code == 303
    posted = browser.post(world.url("/oauth2/authorize"), data=authorize_params(world, REGISTERED))
    assert posted.status_code == 303


def test_4_13_forwarding_headers_from_clients_are_not_trusted(world, browser):
    """§4.13: the server is not fooled by X-Forwarded-* / Host headers a client sends: the issuer in
    responses stays the configured one, and a spoofed client address does not escape throttling."""
    spoof = {"X-Forwarded-Host": "evil.com", "X-Forwarded-Proto": "https", "Forwarded": "host=evil.com"}
    code_redirect = browser.get(world.url("/oauth2/authorize"), params=authorize_params(world, REGISTERED),
                                headers=spoof)
    assert "evil" not in code_redirect.headers["location"]
    username = "throttled-" + secrets.token_hex(3)
    world.new_user(username)
    params = authorize_params(world, REGISTERED)
    page = browser.get(world.url("/login"), params=params)
    token = CSRF.search(page.text).group(1)
    for _ in range(12):
        wrong = browser.post(str(page.url), data={"_csrf": token, "username": username, "password": "Wr0ng-pass!"})
        if "Too many" in wrong.text:
            break
    else:
        pytest.fail("throttling never engaged")
    spoofed = browser.post(str(page.url), headers={"X-Forwarded-For": "198.51.100.7", "X-Real-IP": "198.51.100.7"},
                           data={"_csrf": token, "username": username, "password": world.users[username]})
    assert spoofed.status_code == 400 and "Too many" in spoofed.text
