"""Browser steps shared by the e2e tests: the user's side of the hosted login page."""

from __future__ import annotations

from urllib.parse import urlencode

from tests.server.oauth.world import pkce_pair, query_of


def authorize_url(world, client, *, scope: str = "openid email profile", state: str = "st", **extra) -> tuple[str, str]:
    """(URL, verifier) for a code + PKCE request, as a client app would build it."""
    verifier, challenge = pkce_pair()
    params = {"response_type": "code", "client_id": client.client_id, "redirect_uri": client.redirect_uri,
              "scope": scope, "state": state, "code_challenge": challenge, "code_challenge_method": "S256", **extra}
    return f"{world.url('/oauth2/authorize')}?{urlencode(params)}", verifier


def start_from_app(page, apps, url: str) -> None:
    """Leave the client app's page for ``url`` the way an app does (a cross-site navigation)."""
    page.goto(f"{apps.origin}/")
    page.evaluate("target => { window.location.href = target }", url)


def sign_in(page, username: str, password: str) -> None:
    """Fill the hosted login form the way a user does: by its labels."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def landed(page, redirect_uri: str) -> dict[str, str]:
    """Wait until the browser is back at the client's redirect URI; its query parameters."""
    page.wait_for_url(f"{redirect_uri}?**")
    return query_of(page.url)
