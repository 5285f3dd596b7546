"""The authorization endpoint, the hosted login page, SSO and logout over real HTTP."""

from __future__ import annotations

import secrets
import time

import httpx
import jwt as pyjwt
from tests.server.oauth.world import (
    CSRF,
    SESSION,
    WEB_LOGOUT,
    authorize_code,
    exchange,
    fragment_of,
    pkce_pair,
    query_of,
    sign_in,
)


def params_for(client, **extra) -> dict[str, str]:
    _, challenge = pkce_pair()
    return {"response_type": "code", "client_id": client.client_id, "redirect_uri": client.redirect_uri,
            "scope": "openid email", "state": "st-1", "code_challenge": challenge, "code_challenge_method": "S256",
            **extra}


def test_unknown_client_or_redirect_uri_shows_a_page_and_never_redirects(world, browser):
    cases = [params_for(world.spa, client_id="nope"), params_for(world.spa, redirect_uri="https://evil.example/cb"),
             params_for(world.spa, redirect_uri=None), params_for(world.machine, redirect_uri=world.spa.redirect_uri)]
    for params in cases:
        response = browser.get(world.url("/oauth2/authorize"), params={k: v for k, v in params.items() if v})
        assert response.status_code == 400 and "location" not in response.headers
        assert "text/html" in response.headers["content-type"] and "not redirected" in response.text
    missing_pool = browser.get(f"{world.base}/us-east-1_Missing/oauth2/authorize", params=params_for(world.spa))
    assert missing_pool.status_code == 404


def test_errors_after_the_redirect_uri_is_trusted_go_to_the_client_with_state_and_iss(world, browser):
    cases = {
        "unsupported_response_type": params_for(world.spa, response_type="code id_token"),
        "unauthorized_client": params_for(world.spa, response_type="token"),
        "invalid_request": params_for(world.spa, code_challenge_method="plain"),
        "invalid_scope": params_for(world.spa, scope="admin"),
        "invalid_target": params_for(world.spa, resource="https://unknown.example"),
    }
    for error, params in cases.items():
        response = browser.get(world.url("/oauth2/authorize"), params=params)
        assert response.status_code == 302, error
        location = response.headers["location"]
        in_fragment = params["response_type"] == "token"  # RFC 6749 §4.2.2.1: implicit errors in the fragment
        assert location.startswith(world.spa.redirect_uri + ("#" if in_fragment else "?"))
        answer = fragment_of(location) if in_fragment else query_of(location)
        assert answer["error"] == error and answer["state"] == "st-1" and answer["iss"] == world.issuer


def test_public_client_must_use_pkce(world, browser):
    params = params_for(world.spa)
    del params["code_challenge"], params["code_challenge_method"]
    answer = query_of(browser.get(world.url("/oauth2/authorize"), params=params).headers["location"])
    assert answer["error"] == "invalid_request" and "PKCE" in answer["error_description"]


def test_duplicate_parameters_are_refused_on_a_page(world, browser):
    url = world.url("/oauth2/authorize") + f"?client_id={world.spa.client_id}&client_id=other&response_type=code"
    response = browser.get(url)
    assert response.status_code == 400 and "location" not in response.headers


def test_without_a_session_the_browser_goes_to_the_login_page_with_the_same_parameters(world, browser):
    params = params_for(world.spa)
    response = browser.get(world.url("/oauth2/authorize"), params=params)
    assert response.status_code == 302
    assert response.headers["location"].startswith(f"/{world.pool_id}/login?")
    assert query_of(response.headers["location"]) == params
    page = browser.get(world.base + response.headers["location"])
    assert 'name="username"' in page.text and 'name="password"' in page.text and 'type="submit"' in page.text


def test_login_page_headers(world, browser):
    page = browser.get(world.url("/login"), params=params_for(world.spa))
    headers = page.headers
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "form-action 'self' https://spa.example" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer" and headers["cache-control"] == "no-store"
    assert "HttpOnly" in headers["set-cookie"] and "SameSite=strict" in headers["set-cookie"]


def test_wrong_password_and_unknown_user_read_the_same(world, browser):
    params = params_for(world.spa)
    wrong = sign_in(browser, world, params, "alice", "Wrong-Passw0rd!")
    unknown = sign_in(browser, world, params, "nobody-" + secrets.token_hex(3), "Wrong-Passw0rd!")
    for response in (wrong, unknown):
        assert response.status_code == 400 and "Incorrect username or password." in response.text
    assert "does not exist" not in unknown.text.lower()


def test_login_post_without_a_valid_csrf_token_is_refused(world, browser):
    params = params_for(world.spa)
    page = browser.get(world.url("/login"), params=params)
    for token in (None, "forged", CSRF.search(page.text).group(1) + "x"):
        data = {"username": "alice", "password": world.users["alice"], **({"_csrf": token} if token else {})}
        response = browser.post(str(page.url), data=data)
        assert response.status_code == 400 and "expired" in response.text and "location" not in response.headers
    # a token is bound to this browser's cookie: another browser's token does not work here
    with httpx.Client() as other:
        foreign = CSRF.search(other.get(str(page.url)).text).group(1)
    response = browser.post(str(page.url), data={"_csrf": foreign, "username": "alice",
                                                 "password": world.users["alice"]})
    assert response.status_code == 400


def test_sign_in_then_single_sign_on_for_a_second_client(world, browser):
    code, verifier = authorize_code(browser, world, world.spa)
    assert exchange(world, world.spa, code, verifier).status_code == 200
    cookie = next(c for c in browser.cookies.jar if c.name == "authpool_session")
    assert cookie.path == f"/{world.pool_id}" and cookie.has_nonstandard_attr("HttpOnly")
    # the second client of the pool: no password, straight back with a code
    params = params_for(world.web)
    response = browser.get(world.url("/oauth2/authorize"), params=params)
    assert response.status_code == 302 and response.headers["location"].startswith(world.web.redirect_uri)
    answer = query_of(response.headers["location"])
    assert answer["code"] and answer["state"] == "st-1" and answer["iss"] == world.issuer


def test_sso_code_exchange_for_the_second_client(world, browser):
    authorize_code(browser, world, world.spa)
    verifier, challenge = pkce_pair()
    params = {**params_for(world.web), "code_challenge": challenge, "nonce": "n-42"}
    answer = query_of(browser.get(world.url("/oauth2/authorize"), params=params).headers["location"])
    tokens = exchange(world, world.web, answer["code"], verifier)
    assert tokens.status_code == 200, tokens.text
    id_claims = pyjwt.decode(tokens.json()["id_token"], options={"verify_signature": False})
    assert id_claims["aud"] == world.web.client_id and id_claims["nonce"] == "n-42"


def test_prompt_none_login_and_max_age(world, browser):
    none = browser.get(world.url("/oauth2/authorize"), params=params_for(world.spa, prompt="none"))
    assert query_of(none.headers["location"])["error"] == "login_required"
    authorize_code(browser, world, world.spa)
    silent = browser.get(world.url("/oauth2/authorize"), params=params_for(world.spa, prompt="none"))
    assert "code" in query_of(silent.headers["location"])
    for extra in ({"prompt": "login"}, {"max_age": "0"}):
        if "max_age" in extra:
            time.sleep(1.05)  # auth_time has one-second resolution
        again = browser.get(world.url("/oauth2/authorize"), params=params_for(world.spa, **extra))
        assert again.headers["location"].startswith(f"/{world.pool_id}/login?"), extra
    bad = browser.get(world.url("/oauth2/authorize"), params=params_for(world.spa, prompt="none login"))
    assert query_of(bad.headers["location"])["error"] == "invalid_request"


def test_new_password_required_on_the_login_page(world, browser):
    username = "temp-" + secrets.token_hex(3)
    temporary = world.new_user(username, temporary=True)
    params = params_for(world.spa)
    challenge_page = sign_in(browser, world, params, username, temporary)
    assert challenge_page.status_code == 200 and 'name="new_password"' in challenge_page.text
    csrf_token = CSRF.search(challenge_page.text).group(1)
    session = SESSION.search(challenge_page.text).group(1)
    form = {"_csrf": csrf_token, "step": "new_password", "session": session, "username": username}
    mismatch = browser.post(str(challenge_page.url), data={**form, "new_password": "N3w-Passw0rd!",
                                                             "confirm_password": "other"})
    assert mismatch.status_code == 400 and "do not match" in mismatch.text
    weak = browser.post(str(challenge_page.url), data={**form, "new_password": "short", "confirm_password": "short"})
    assert weak.status_code == 400 and "Password" in weak.text
    done = browser.post(str(challenge_page.url), data={**form, "new_password": "N3w-Passw0rd!",
                                                         "confirm_password": "N3w-Passw0rd!"})
    assert done.status_code == 303 and "code=" in done.headers["location"]
    assert world.ctx.users.get(world.pool_id, username).status.value == "CONFIRMED"
    replay = browser.post(str(challenge_page.url), data={**form, "new_password": "0ther-Passw0rd!",
                                                           "confirm_password": "0ther-Passw0rd!"})
    assert replay.status_code == 400 and "sign in again" in replay.text


def test_logout_clears_the_session_and_redirects_only_to_registered_urls(world, browser):
    authorize_code(browser, world, world.spa)
    refused = browser.get(world.url("/logout"), params={"client_id": world.web.client_id,
                                                       "logout_uri": "https://evil.example/"})
    assert refused.status_code == 400 and "location" not in refused.headers
    assert any(c.name == "authpool_session" for c in browser.cookies.jar)  # nothing changed
    done = browser.get(world.url("/logout"), params={"client_id": world.web.client_id, "logout_uri": WEB_LOGOUT})
    assert done.status_code == 302 and done.headers["location"] == WEB_LOGOUT
    assert not any(c.name == "authpool_session" for c in browser.cookies.jar)
    again = browser.get(world.url("/oauth2/authorize"), params=params_for(world.spa))
    assert again.headers["location"].startswith(f"/{world.pool_id}/login?")


def test_logout_to_sign_in_again_and_plain_signed_out_page(world, browser):
    authorize_code(browser, world, world.spa)
    params = params_for(world.spa)
    relogin = browser.get(world.url("/logout"), params=params)
    assert relogin.status_code == 302 and relogin.headers["location"].startswith(f"/{world.pool_id}/login?")
    plain = browser.get(world.url("/logout"), params={"client_id": world.spa.client_id})
    assert plain.status_code == 200 and "signed out" in plain.text
    assert plain.headers["x-frame-options"] == "DENY"


def test_global_sign_out_ends_sso(world, browser):
    username = "sso-" + secrets.token_hex(3)
    world.new_user(username)
    authorize_code(browser, world, world.spa, username=username)
    time.sleep(1.05)  # tokens_valid_after has one-second resolution
    world.ctx.users.global_sign_out(world.pool_id, username)
    again = browser.get(world.url("/oauth2/authorize"), params=params_for(world.spa))
    assert again.headers["location"].startswith(f"/{world.pool_id}/login?")


def test_implicit_only_for_a_client_that_enables_it_and_logged(world, browser):
    authorize_code(browser, world, world.spa)
    params = {"response_type": "token", "client_id": world.legacy.client_id, "redirect_uri": world.legacy.redirect_uri,
              "scope": "openid email", "state": "imp", "nonce": "n1"}
    response = browser.get(world.url("/oauth2/authorize"), params=params)
    assert response.status_code == 302 and "#" in response.headers["location"]
    answer = fragment_of(response.headers["location"])
    assert answer["token_type"] == "Bearer" and answer["state"] == "imp" and "refresh_token" not in answer
    assert pyjwt.decode(answer["id_token"], options={"verify_signature": False})["nonce"] == "n1"
    assert "?" not in response.headers["location"]
    assert "implicit grant used" in world.server.log()
