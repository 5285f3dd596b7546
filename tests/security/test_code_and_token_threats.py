"""RFC 9700 §4.5, §4.6, §4.8, §4.9, §4.10, §4.14, §4.15: codes, PKCE and tokens."""

from __future__ import annotations

import secrets

import httpx
import jwt as pyjwt
from tests.server.oauth.world import API, authorize_code, exchange, pkce_pair, query_of, sign_in

from authpool.tokens.claims import token_hash


def claims(token: str) -> dict:
    return pyjwt.decode(token, options={"verify_signature": False})


def test_4_5_code_injection_is_stopped_by_pkce_client_binding_and_nonce(world, browser):
    """§4.5.3: a code stolen from the victim and injected into the attacker's session can't be
    redeemed without the victim's verifier, nor by another client; ``nonce`` reaches the ID token
    (§4.5.3.2); a replayed code revokes the tokens issued from it (RFC 6749 §4.1.2)."""
    stolen, victim_verifier = authorize_code(browser, world, world.spa, extra={"nonce": "victim-nonce"})
    attacker_verifier, _ = pkce_pair()
    assert exchange(world, world.spa, stolen, attacker_verifier).json()["error"] == "invalid_grant"
    assert exchange(world, world.spa, stolen, victim_verifier).json()["error"] == "invalid_grant"  # burned
    code, verifier = authorize_code(browser, world, world.spa, extra={"nonce": "victim-nonce"})
    by_other_client = httpx.post(world.url("/oauth2/token"), data={
        "grant_type": "authorization_code", "code": code, "code_verifier": verifier,
        "redirect_uri": world.spa.redirect_uri}, auth=(world.web.client_id, world.web.secret))
    assert by_other_client.json()["error"] == "invalid_grant"
    tokens = exchange(world, world.spa, code, verifier).json()  # the rightful client still can
    assert claims(tokens["id_token"])["nonce"] == "victim-nonce"
    replay = exchange(world, world.spa, code, verifier)
    assert replay.json()["error"] == "invalid_grant"
    info = httpx.get(world.url("/oauth2/userInfo"), headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert info.status_code == 401


def test_4_6_access_token_injection_implicit_is_off_unless_opted_in(world, browser):
    """§4.6 concerns tokens in the front channel (implicit). It is not advertised, refused for clients
    that don't enable it, and where enabled the ID token's at_hash binds the access token."""
    doc = httpx.get(world.url("/.well-known/openid-configuration")).json()
    assert doc["response_types_supported"] == ["code"]
    authorize_code(browser, world, world.spa)
    refused = browser.get(world.url("/oauth2/authorize"), params={
        "response_type": "token", "client_id": world.spa.client_id, "redirect_uri": world.spa.redirect_uri,
        "scope": "openid", "state": "s"})
    assert "error=unauthorized_client" in refused.headers["location"]
    opted_in = browser.get(world.url("/oauth2/authorize"), params={
        "response_type": "token", "client_id": world.legacy.client_id, "redirect_uri": world.legacy.redirect_uri,
        "scope": "openid", "state": "s", "nonce": "n"})
    fragment = dict(p.split("=", 1) for p in opted_in.headers["location"].split("#", 1)[1].split("&"))
    assert claims(fragment["id_token"])["at_hash"] == token_hash(fragment["access_token"], "RS256")


def test_4_8_pkce_downgrade_is_refused(world, browser):
    """§4.8.2: a verifier for a code issued without a challenge is refused (the confidential client
    here may skip PKCE); ``plain`` and a challenge without a method are refused; a public client
    can't leave PKCE out."""
    params = {"response_type": "code", "client_id": world.web.client_id, "redirect_uri": world.web.redirect_uri,
              "scope": "openid", "state": "s", "prompt": "login"}
    done = sign_in(browser, world, params, "alice", world.users["alice"])
    no_pkce_code = query_of(done.headers["location"])["code"]
    verifier, _ = pkce_pair()
    downgraded = exchange(world, world.web, no_pkce_code, verifier)
    assert downgraded.json()["error"] == "invalid_grant"
    _, challenge = pkce_pair()
    for extra in ({"code_challenge_method": "plain"}, {"code_challenge_method": None}):
        query = {"response_type": "code", "client_id": world.spa.client_id, "redirect_uri": world.spa.redirect_uri,
                 "scope": "openid", "code_challenge": challenge, **extra}
        answer = query_of(browser.get(world.url("/oauth2/authorize"),
                                      params={k: v for k, v in query.items() if v}).headers["location"])
        assert answer["error"] == "invalid_request"
    missing = browser.get(world.url("/oauth2/authorize"), params={
        "response_type": "code", "client_id": world.spa.client_id, "redirect_uri": world.spa.redirect_uri})
    assert query_of(missing.headers["location"])["error"] == "invalid_request"


def test_4_9_tokens_codes_and_passwords_never_reach_the_log(world, browser):
    """§4.9.2 ("treat access tokens like any other credentials ... not log them"), applied to the
    authorization server itself: after sign-in, code exchange, refresh, userinfo, revocation and
    failed attempts, the server log holds none of the secrets or personal data involved."""
    username = "logged-" + secrets.token_hex(3)
    password = world.new_user(username)
    code, verifier = authorize_code(browser, world, world.spa, username=username)
    tokens = exchange(world, world.spa, code, verifier).json()
    refreshed = httpx.post(world.url("/oauth2/token"), data={"grant_type": "refresh_token",
                                                             "refresh_token": tokens["refresh_token"],
                                                             "client_id": world.spa.client_id}).json()
    httpx.get(world.url("/oauth2/userInfo"), headers={"Authorization": f"Bearer {tokens['id_token']}"})
    httpx.post(world.url("/oauth2/token"), data={"grant_type": "client_credentials"},
               auth=(world.machine.client_id, world.machine.secret))
    exchange(world, world.spa, code, verifier)  # replay, logged as a warning
    httpx.post(world.url("/oauth2/revoke"), data={"token": refreshed["refresh_token"], "client_id": world.spa.client_id})
    log = world.server.log()
    secrets_seen = [code, verifier, password, world.machine.secret, f"{username}@example.com",
                    tokens["access_token"], tokens["id_token"], tokens["refresh_token"], refreshed["access_token"],
                    refreshed["refresh_token"], "eyJ"]
    assert [s for s in secrets_seen if s in log] == []
    assert "authorization code replayed" in log


def test_4_10_2_access_tokens_can_be_audience_restricted(world, browser):
    """§4.10.2 / RFC 8707: ``resource`` puts one known API in ``aud``; unknown resources are refused."""
    code, verifier = authorize_code(browser, world, world.spa, scope=f"openid {API}/read", extra={"resource": API})
    access = claims(exchange(world, world.spa, code, verifier).json()["access_token"])
    assert access["aud"] == API
    machine = httpx.post(world.url("/oauth2/token"), data={"grant_type": "client_credentials",
                                                           "resource": "https://attacker.example"},
                         auth=(world.machine.client_id, world.machine.secret))
    assert machine.json()["error"] == "invalid_target"


def test_4_14_refresh_token_replay_revokes_the_family(world, browser):
    """§4.14.2: refresh tokens are bound to their client, and with rotation a replayed (already
    rotated) token revokes every token of the session, including the attacker's or victim's newest."""
    code, verifier = authorize_code(browser, world, world.spa)
    first = exchange(world, world.spa, code, verifier).json()
    data = {"grant_type": "refresh_token", "client_id": world.spa.client_id}
    second = httpx.post(world.url("/oauth2/token"), data={**data, "refresh_token": first["refresh_token"]}).json()
    by_other_client = httpx.post(world.url("/oauth2/token"), data={
        "grant_type": "refresh_token", "refresh_token": second["refresh_token"]},
        auth=(world.web.client_id, world.web.secret))
    assert by_other_client.json()["error"] == "invalid_grant"
    replay = httpx.post(world.url("/oauth2/token"), data={**data, "refresh_token": first["refresh_token"]})
    assert replay.json()["error"] == "invalid_grant"
    newest = httpx.post(world.url("/oauth2/token"), data={**data, "refresh_token": second["refresh_token"]})
    assert newest.json()["error"] == "invalid_grant"
    info = httpx.get(world.url("/oauth2/userInfo"), headers={"Authorization": f"Bearer {second['access_token']}"})
    assert info.status_code == 401


def test_4_15_a_client_cannot_pass_for_a_resource_owner(world):
    """§4.15.1: client-credentials tokens name the client (``sub`` = client id, no ``username``), a
    value that never collides with a user's ``sub`` (a UUID), and user endpoints refuse them."""
    token = httpx.post(world.url("/oauth2/token"), data={"grant_type": "client_credentials"},
                       auth=(world.machine.client_id, world.machine.secret)).json()["access_token"]
    access = claims(token)
    assert access["sub"] == world.machine.client_id and "username" not in access
    alice = world.ctx.users.get(world.pool_id, "alice")
    assert alice.sub != access["sub"] and len(alice.sub) == 36
    info = httpx.get(world.url("/oauth2/userInfo"), headers={"Authorization": f"Bearer {token}"})
    assert info.status_code in (401, 403)
