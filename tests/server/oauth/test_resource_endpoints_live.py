"""UserInfo, revocation and introspection over real HTTP."""

from __future__ import annotations

import time

import httpx
import pytest
from tests.server.oauth.world import API, authorize_code, exchange

from authpool.server.issuance import TokenService


@pytest.fixture
def tokens(world, browser):
    code, verifier = authorize_code(browser, world, world.spa, scope=f"openid email phone {API}/read")
    return exchange(world, world.spa, code, verifier).json()


def userinfo(world, token: str, method: str = "GET") -> httpx.Response:
    if method == "POST":
        return httpx.post(world.url("/oauth2/userInfo"), data={"access_token": token})
    return httpx.get(world.url("/oauth2/userInfo"), headers={"Authorization": f"Bearer {token}"})


def test_userinfo_returns_the_claims_the_scopes_allow(world, tokens):
    for method in ("GET", "POST"):
        response = userinfo(world, tokens["access_token"], method)
        assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
        body = response.json()
        assert body["email"] == "alice@example.com" and body["email_verified"] is True
        assert body["phone_number"] == "+15555550100" and body["username"] == "alice"
        assert "name" not in body and "custom:tenant" not in body  # profile was not granted


def test_userinfo_refuses_an_id_token_by_name(world, tokens):
    response = userinfo(world, tokens["id_token"])
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert 'error="invalid_token"' in challenge and "ID tokens are not accepted here" in challenge


def test_userinfo_needs_openid_and_a_user(world, browser):
    code, verifier = authorize_code(browser, world, world.spa, scope=f"{API}/read")
    no_openid = userinfo(world, exchange(world, world.spa, code, verifier).json()["access_token"])
    assert no_openid.status_code == 403 and 'error="insufficient_scope"' in no_openid.headers["www-authenticate"]
    machine = httpx.post(world.url("/oauth2/token"), data={"grant_type": "client_credentials"},
                         auth=(world.machine.client_id, world.machine.secret)).json()
    assert userinfo(world, machine["access_token"]).status_code in (401, 403)


def test_userinfo_request_errors(world, tokens):
    bare = httpx.get(world.url("/oauth2/userInfo"))
    assert bare.status_code == 401 and bare.headers["www-authenticate"] == 'Bearer realm="authpool"'
    garbage = userinfo(world, "not.a.token")
    assert garbage.status_code == 401
    both = httpx.post(world.url("/oauth2/userInfo"), data={"access_token": tokens["access_token"]},
                      headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert both.status_code == 400 and 'error="invalid_request"' in both.headers["www-authenticate"]
    basic = httpx.get(world.url("/oauth2/userInfo"), headers={"Authorization": "Basic abc"})
    assert basic.status_code == 400


def test_userinfo_refuses_expired_and_foreign_tokens(world):
    user = world.ctx.users.get(world.pool_id, "alice")
    with world.ctx.db.transaction(readonly=True) as tx:
        client = tx.clients.get(world.pool_id, world.spa.client_id)
    past = TokenService(world.ctx.db, world.ctx.keys, lambda pid: f"{world.base}/{pid}", clock=lambda: time.time() - 7200)
    old = past.for_user(client=client, user=user, scopes=["openid"], trigger_source="TokenGeneration_HostedAuth")
    expired = userinfo(world, old.access_token)
    assert expired.status_code == 401 and "expired" in expired.headers["www-authenticate"]
    elsewhere = TokenService(world.ctx.db, world.ctx.keys, lambda pid: f"https://other.example/{pid}")
    foreign = elsewhere.for_user(client=client, user=user, scopes=["openid"], trigger_source="TokenGeneration_HostedAuth")
    assert userinfo(world, foreign.access_token).status_code == 401


def revoke(world, data, auth=None) -> httpx.Response:
    return httpx.post(world.url("/oauth2/revoke"), data=data, auth=auth)


def test_revoking_the_refresh_token_ends_the_session(world, tokens):
    response = revoke(world, {"token": tokens["refresh_token"], "client_id": world.spa.client_id})
    assert response.status_code == 200 and response.content == b""
    assert userinfo(world, tokens["access_token"]).status_code == 401
    refresh = httpx.post(world.url("/oauth2/token"), data={"grant_type": "refresh_token", "client_id": world.spa.client_id,
                                                           "refresh_token": tokens["refresh_token"]})
    assert refresh.json()["error"] == "invalid_grant"
    again = revoke(world, {"token": tokens["refresh_token"], "client_id": world.spa.client_id})
    assert again.status_code == 200  # RFC 7009 §2.2: already revoked is not an error


def test_revoking_an_access_token_and_what_cannot_be_revoked(world, tokens):
    assert revoke(world, {"token": tokens["access_token"], "token_type_hint": "access_token",
                          "client_id": world.spa.client_id}).status_code == 200
    assert userinfo(world, tokens["access_token"]).status_code == 401
    id_token = revoke(world, {"token": tokens["id_token"], "client_id": world.spa.client_id})
    assert id_token.status_code == 400 and id_token.json()["error"] == "unsupported_token_type"
    machine = (world.machine.client_id, world.machine.secret)
    cc = httpx.post(world.url("/oauth2/token"), data={"grant_type": "client_credentials"}, auth=machine).json()
    assert revoke(world, {"token": cc["access_token"]}, auth=machine).json()["error"] == "unsupported_token_type"


def test_revocation_of_unknown_or_foreign_tokens_is_a_quiet_200(world, browser, tokens):
    assert revoke(world, {"token": "unknown-token", "client_id": world.spa.client_id}).status_code == 200
    other = revoke(world, {"token": tokens["refresh_token"]}, auth=(world.web.client_id, world.web.secret))
    assert other.status_code == 200
    assert userinfo(world, tokens["access_token"]).status_code == 200  # another client revoked nothing
    assert revoke(world, {"token": "x", "client_id": "nope"}).json()["error"] == "invalid_client"
    assert revoke(world, {"client_id": world.spa.client_id}).json()["error"] == "invalid_request"


def introspect(world, token: str, auth=None) -> httpx.Response:
    return httpx.post(world.url("/oauth2/introspect"), data={"token": token},
                      auth=auth or (world.web.client_id, world.web.secret))


def test_introspection_of_access_refresh_and_id_tokens(world, tokens):
    active = introspect(world, tokens["access_token"])
    assert active.headers["cache-control"] == "no-store"
    body = active.json()
    assert body["active"] is True and body["token_type"] == "Bearer" and body["client_id"] == world.spa.client_id
    assert body["scope"] == f"openid email phone {API}/read" and body["username"] == "alice" and body["iss"] == world.issuer
    assert introspect(world, tokens["id_token"]).json() == {"active": False}
    assert introspect(world, "garbage").json() == {"active": False}
    # refresh tokens are bound to their client: only the SPA's own tokens are active for the SPA
    assert introspect(world, tokens["refresh_token"]).json() == {"active": False}
    revoke(world, {"token": tokens["refresh_token"], "client_id": world.spa.client_id})
    assert introspect(world, tokens["access_token"]).json() == {"active": False}


def test_introspection_of_a_refresh_token_by_its_client(world, browser):
    code, verifier = authorize_code(browser, world, world.web, scope="openid email")
    tokens = exchange(world, world.web, code, verifier).json()
    body = introspect(world, tokens["refresh_token"]).json()
    assert body["active"] is True and body["client_id"] == world.web.client_id and body["scope"] == "openid email"


def test_introspection_needs_a_confidential_client(world, tokens):
    public = httpx.post(world.url("/oauth2/introspect"), data={"token": tokens["access_token"],
                                                               "client_id": world.spa.client_id})
    assert public.status_code == 401 and public.json()["error"] == "invalid_client"
    wrong = introspect(world, tokens["access_token"], auth=(world.web.client_id, "wrong"))
    assert wrong.status_code == 401


def test_discovery_lists_endpoints_that_answer(world):
    doc = httpx.get(world.url("/.well-known/openid-configuration")).json()
    for key in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "revocation_endpoint",
                "introspection_endpoint", "end_session_endpoint"):
        assert doc[key].startswith(world.issuer)
        assert httpx.get(doc[key]).status_code != 404, key
    assert doc["code_challenge_methods_supported"] == ["S256"] and doc["response_types_supported"] == ["code"]
