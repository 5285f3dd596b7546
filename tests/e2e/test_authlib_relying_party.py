"""The same browser flow with a real OIDC client library nobody on the project wrote: Authlib.

The relying party is composed from Authlib's framework-neutral pieces the way its Flask and
Django integrations are (``OAuth2Mixin`` + ``OpenIDMixin`` + ``BaseApp`` over its httpx
``OAuth2Client``): discovery from ``server_metadata_url``, the authorization URL with PKCE S256
and a nonce, the code exchange, ID-token validation (``parse_id_token``: signature against the
JWKS, ``iss``, ``aud``, ``exp``, ``nonce``, ``at_hash``), userinfo, refresh and RFC 7009 revocation.
Only the user's part (typing the password) is done by Chromium.
"""

from __future__ import annotations

import httpx
import pytest
from authlib.integrations.base_client import OAuthError
from authlib.integrations.base_client.sync_app import BaseApp, OAuth2Mixin
from authlib.integrations.base_client.sync_openid import OpenIDMixin
from authlib.integrations.httpx_client import OAuth2Client
from joserfc.errors import InvalidClaimError
from tests.e2e.flows import landed, sign_in, start_from_app


class _Framework:
    """Authlib calls ``update_token`` after a refresh; this app keeps tokens itself."""

    def update_token(self, token, refresh_token=None, access_token=None) -> None:
        pass


class RelyingParty(OAuth2Mixin, OpenIDMixin, BaseApp):
    client_cls = OAuth2Client


@pytest.mark.parametrize("app_name", ["spa", "web"])
def test_authlib_discovery_code_pkce_id_token_userinfo_refresh_revoke(world, apps, context, app_name):
    app = getattr(apps, app_name)
    rp = RelyingParty(_Framework(), name=app_name, client_id=app.client_id, client_secret=app.secret,
                      server_metadata_url=world.url("/.well-known/openid-configuration"),
                      client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                                     "token_endpoint_auth_method": "client_secret_basic" if app.secret else "none"})
    metadata = rp.load_server_metadata()
    assert metadata["issuer"] == world.issuer

    request = rp.create_authorization_url(redirect_uri=app.redirect_uri)
    assert "code_challenge=" in request["url"] and "nonce=" in request["url"]
    page = context.new_page()
    start_from_app(page, apps, request["url"])
    sign_in(page, "alice", world.users["alice"])
    answer = landed(page, app.redirect_uri)
    assert answer["state"] == request["state"] and answer["iss"] == metadata["issuer"]

    token = rp.fetch_access_token(redirect_uri=app.redirect_uri, code=answer["code"],
                                  code_verifier=request["code_verifier"])
    assert {"access_token", "id_token", "refresh_token"} <= set(token)

    identity = rp.parse_id_token(token, nonce=request["nonce"])
    assert identity["aud"] == app.client_id and identity["iss"] == world.issuer
    assert identity["email"] == "alice@example.com" and identity["cognito:username"] == "alice"
    with pytest.raises(InvalidClaimError, match="nonce"):
        rp.parse_id_token(token, nonce="some-other-nonce")

    info = rp.userinfo(token=token)
    assert info["sub"] == identity["sub"] and info["email"] == "alice@example.com"

    with rp._get_oauth_client(**metadata) as client:  # Authlib's own session, as its integrations use it
        client.token = token
        refreshed = client.refresh_token(metadata["token_endpoint"], refresh_token=token["refresh_token"])
        assert refreshed["access_token"] != token["access_token"]
        assert refreshed["refresh_token"] != token["refresh_token"]  # this client rotates
        assert rp.parse_id_token(refreshed, nonce=None)["sub"] == identity["sub"]

        revoked = client.revoke_token(metadata["revocation_endpoint"], token=refreshed["refresh_token"],
                                      token_type_hint="refresh_token")
        assert revoked.status_code == 200
        with pytest.raises(OAuthError, match="invalid_grant"):
            client.refresh_token(metadata["token_endpoint"], refresh_token=refreshed["refresh_token"])

    after = httpx.get(metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {refreshed['access_token']}"})
    assert after.status_code == 401  # revoking the refresh token ended the whole session
