"""The token endpoint over real HTTP: the three grants, client authentication, errors, no-store."""

from __future__ import annotations

import base64
import secrets
import threading

import httpx
import jwt as pyjwt
import pytest
from tests.server.oauth.world import API, authorize_code, exchange

from authpool.tokens.claims import token_hash


def claims(token: str) -> dict:
    return pyjwt.decode(token, options={"verify_signature": False})


def post(world, data, *, auth=None, headers=None) -> httpx.Response:
    return httpx.post(world.url("/oauth2/token"), data=data, auth=auth, headers=headers)


def test_code_exchange_returns_verifiable_tokens_with_nonce_and_at_hash(world, browser):
    code, verifier = authorize_code(browser, world, world.spa, scope="openid email profile", extra={"nonce": "n-1"})
    response = exchange(world, world.spa, code, verifier)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store" and response.headers["pragma"] == "no-cache"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["refresh_token"]
    jwks = pyjwt.PyJWKClient(world.url("/.well-known/jwks.json"))
    id_token = pyjwt.decode(body["id_token"], jwks.get_signing_key_from_jwt(body["id_token"]).key,
                            algorithms=["RS256"], audience=world.spa.client_id, issuer=world.issuer)
    assert id_token["nonce"] == "n-1" and id_token["token_use"] == "id"
    assert id_token["at_hash"] == token_hash(body["access_token"], "RS256")
    access = claims(body["access_token"])
    assert access["token_use"] == "access" and access["client_id"] == world.spa.client_id and "aud" not in access
    assert access["scope"] == "openid email profile" and "email" not in access


def test_no_openid_no_id_token_and_resource_sets_the_audience(world, browser):
    code, verifier = authorize_code(browser, world, world.spa, scope=f"{API}/read", extra={"resource": API})
    body = exchange(world, world.spa, code, verifier).json()
    assert "id_token" not in body
    access = claims(body["access_token"])
    assert access["aud"] == API and access["scope"] == f"{API}/read"


def test_code_is_single_use_and_a_replay_revokes_what_it_issued(world, browser):
    code, verifier = authorize_code(browser, world, world.spa)
    first = exchange(world, world.spa, code, verifier).json()
    replay = exchange(world, world.spa, code, verifier)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    refreshed = post(world, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"],
                             "client_id": world.spa.client_id})
    assert refreshed.json()["error"] == "invalid_grant"
    info = httpx.get(world.url("/oauth2/userInfo"), headers={"Authorization": f"Bearer {first['access_token']}"})
    assert info.status_code == 401


def test_concurrent_exchanges_of_one_code_have_one_winner(world, browser):
    code, verifier = authorize_code(browser, world, world.spa)
    results: list[int] = []
    barrier = threading.Barrier(4)

    def attempt():
        barrier.wait()
        results.append(exchange(world, world.spa, code, verifier).status_code)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 400, 400, 400]


def test_code_is_bound_to_client_redirect_uri_and_verifier(world, browser):
    code, verifier = authorize_code(browser, world, world.spa)
    other_client = post(world, {"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
                                "redirect_uri": world.spa.redirect_uri},
                        auth=(world.web.client_id, world.web.secret))
    assert other_client.json()["error"] == "invalid_grant"
    wrong_uri = exchange(world, world.spa, code, verifier, redirect_uri="http://localhost:8123/cb")
    assert wrong_uri.json()["error"] == "invalid_grant"  # the code is consumed by this attempt
    code, verifier = authorize_code(browser, world, world.spa)
    wrong_verifier = exchange(world, world.spa, code, secrets.token_urlsafe(48))
    assert wrong_verifier.json() == {"error": "invalid_grant",
                                     "error_description": "code_verifier does not match the code_challenge."}
    assert exchange(world, world.spa, code, verifier).json()["error"] == "invalid_grant"  # one guess only


def test_confidential_client_authentication(world, browser):
    code, verifier = authorize_code(browser, world, world.web)
    by_post = exchange(world, world.web.__class__(world.web.client_id, None, world.web.redirect_uri), code, verifier,
                       client_secret=world.web.secret)
    assert by_post.status_code == 200, by_post.text
    wrong_basic = post(world, {"grant_type": "client_credentials"}, auth=(world.machine.client_id, "wrong"))
    assert wrong_basic.status_code == 401 and wrong_basic.json()["error"] == "invalid_client"
    assert wrong_basic.headers["www-authenticate"].startswith("Basic")
    wrong_post = post(world, {"grant_type": "client_credentials", "client_id": world.machine.client_id,
                              "client_secret": "wrong"})
    assert wrong_post.status_code == 400 and wrong_post.json()["error"] == "invalid_client"
    both = post(world, {"grant_type": "client_credentials", "client_secret": world.machine.secret},
                auth=(world.machine.client_id, world.machine.secret))
    assert both.json()["error"] == "invalid_request"
    missing = post(world, {"grant_type": "client_credentials", "client_id": world.machine.client_id})
    assert missing.json()["error"] == "invalid_client"


@pytest.mark.parametrize(("data", "error"), [
    ({}, "invalid_request"),
    ({"grant_type": "password", "username": "alice", "password": "x"}, "unsupported_grant_type"),
    ({"grant_type": "authorization_code"}, "invalid_request"),
    ({"grant_type": "authorization_code", "code": "nope", "redirect_uri": "https://spa.example/callback"},
     "invalid_grant"),
    ({"grant_type": "refresh_token"}, "invalid_request"),
    ({"grant_type": "refresh_token", "refresh_token": "nope"}, "invalid_grant"),
    ({"grant_type": "client_credentials"}, "unauthorized_client"),  # a public client
])
def test_token_request_errors(world, data, error):
    response = post(world, {**data, "client_id": world.spa.client_id})
    assert response.status_code == 400 and response.json()["error"] == error, response.text
    assert response.headers["cache-control"] == "no-store"


def test_duplicate_parameters_and_wrong_content_type(world):
    body = f"grant_type=client_credentials&grant_type=client_credentials&client_id={world.machine.client_id}"
    auth = "Basic " + base64.b64encode(f"{world.machine.client_id}:{world.machine.secret}".encode()).decode()
    dup = httpx.post(world.url("/oauth2/token"), content=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": auth})
    assert dup.status_code == 400 and dup.json()["error"] == "invalid_request"
    as_json = httpx.post(world.url("/oauth2/token"), json={"grant_type": "client_credentials"},
                         headers={"Authorization": auth})
    assert as_json.json()["error"] == "invalid_request"
    get = httpx.get(world.url("/oauth2/token"))
    assert get.status_code == 405


def test_refresh_with_rotation_detects_reuse(world, browser):
    code, verifier = authorize_code(browser, world, world.spa)
    first = exchange(world, world.spa, code, verifier).json()
    data = {"grant_type": "refresh_token", "client_id": world.spa.client_id}
    second = post(world, {**data, "refresh_token": first["refresh_token"]}).json()
    assert second["refresh_token"] != first["refresh_token"] and second["id_token"]
    assert claims(second["access_token"])["origin_jti"] == claims(first["access_token"])["origin_jti"]
    reused = post(world, {**data, "refresh_token": first["refresh_token"]})
    assert reused.json()["error"] == "invalid_grant"
    assert post(world, {**data, "refresh_token": second["refresh_token"]}).json()["error"] == "invalid_grant"


def test_refresh_without_rotation_keeps_the_token_and_checks_scope(world, browser):
    code, verifier = authorize_code(browser, world, world.web, scope="openid email")
    first = exchange(world, world.web, code, verifier).json()
    auth = (world.web.client_id, world.web.secret)
    again = post(world, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}, auth=auth).json()
    assert "refresh_token" not in again and again["scope"] == "openid email"
    wider = post(world, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"],
                         "scope": "openid email profile"}, auth=auth)
    assert wider.json()["error"] == "invalid_scope"
    other = post(world, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"],
                         "client_id": world.spa.client_id})
    assert other.json()["error"] == "invalid_grant"


def test_client_credentials(world):
    auth = (world.machine.client_id, world.machine.secret)
    omitted = post(world, {"grant_type": "client_credentials"}, auth=auth).json()
    assert set(omitted) == {"access_token", "token_type", "expires_in", "scope"}
    access = claims(omitted["access_token"])
    assert access["sub"] == world.machine.client_id and access["scope"] == f"{API}/read {API}/write"
    some = post(world, {"grant_type": "client_credentials", "scope": f"{API}/write unknown/x openid"}, auth=auth)
    assert some.json()["scope"] == f"{API}/write"
    none_left = post(world, {"grant_type": "client_credentials", "scope": "unknown/x"}, auth=auth)
    assert none_left.json()["error"] == "invalid_scope"
    with_aud = post(world, {"grant_type": "client_credentials", "resource": API}, auth=auth).json()
    assert claims(with_aud["access_token"])["aud"] == API
    bad_aud = post(world, {"grant_type": "client_credentials", "resource": "https://x.example"}, auth=auth)
    assert bad_aud.json()["error"] == "invalid_target"
    code_client = post(world, {"grant_type": "client_credentials"}, auth=(world.web.client_id, world.web.secret))
    assert code_client.json()["error"] == "unauthorized_client"
