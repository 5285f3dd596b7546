"""The full authorization code + PKCE flow through the hosted login page in headless Chromium:
sign-in, SSO for a second client, NEW_PASSWORD_REQUIRED, logout, error text, framing refused."""

from __future__ import annotations

import secrets
from urllib.parse import quote

import jwt as pyjwt
from tests.e2e.flows import authorize_url, landed, sign_in, start_from_app
from tests.server.oauth.world import exchange


def unverified(token: str) -> dict:
    return pyjwt.decode(token, options={"verify_signature": False})


def test_code_and_pkce_flow_then_sso_for_a_second_client(world, apps, context):
    page = context.new_page()
    url, verifier = authorize_url(world, apps.spa, state="spa-state", nonce="spa-nonce")
    start_from_app(page, apps, url)
    page.wait_for_url(world.url("/login?**"))
    assert page.get_by_role("heading", name="Sign in").is_visible()
    sign_in(page, "alice", world.users["alice"])
    answer = landed(page, apps.spa.redirect_uri)
    assert answer["state"] == "spa-state" and answer["iss"] == world.issuer
    tokens = exchange(world, apps.spa, answer["code"], verifier).json()
    id_claims = unverified(tokens["id_token"])
    assert id_claims["aud"] == apps.spa.client_id and id_claims["nonce"] == "spa-nonce"
    assert id_claims["cognito:username"] == "alice"

    session = next(c for c in context.cookies() if c["name"] == "authpool_session")
    assert session["httpOnly"] and session["sameSite"] == "Lax" and session["path"] == f"/{world.pool_id}"

    # the second client: straight back with a code, no login page in between
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    url, verifier = authorize_url(world, apps.web, scope="openid email", state="web-state")
    start_from_app(page, apps, url)
    answer = landed(page, apps.web.redirect_uri)
    assert answer["state"] == "web-state" and not any("/login" in u for u in seen)
    web_tokens = exchange(world, apps.web, answer["code"], verifier).json()
    assert unverified(web_tokens["id_token"])["aud"] == apps.web.client_id
    assert unverified(web_tokens["id_token"])["sub"] == id_claims["sub"]


def test_new_password_required_in_the_browser(world, apps, context):
    username = "browser-temp-" + secrets.token_hex(3)
    temporary = world.new_user(username, temporary=True)
    page = context.new_page()
    url, verifier = authorize_url(world, apps.spa)
    start_from_app(page, apps, url)
    sign_in(page, username, temporary)
    page.get_by_role("heading", name="Choose a new password").wait_for()
    page.get_by_label("New password", exact=True).fill("Fresh-Passw0rd!")
    page.get_by_label("Confirm new password").fill("Fresh-Passw0rd!")
    page.get_by_role("button", name="Set password and continue").click()
    answer = landed(page, apps.spa.redirect_uri)
    assert exchange(world, apps.spa, answer["code"], verifier).status_code == 200
    assert world.ctx.users.get(world.pool_id, username).status.value == "CONFIRMED"


def test_logout_clears_the_session(world, apps, context):
    page = context.new_page()
    url, _ = authorize_url(world, apps.web, scope="openid")
    start_from_app(page, apps, url)
    sign_in(page, "alice", world.users["alice"])
    landed(page, apps.web.redirect_uri)
    assert any(c["name"] == "authpool_session" for c in context.cookies())
    bye = apps.logout_uri("web")
    page.goto(world.url(f"/logout?client_id={apps.web.client_id}&logout_uri={quote(bye, safe='')}"))
    page.wait_for_url(bye)
    assert not any(c["name"] == "authpool_session" for c in context.cookies())
    url, _ = authorize_url(world, apps.spa)
    start_from_app(page, apps, url)
    page.wait_for_url(world.url("/login?**"))
    assert page.get_by_label("Password").is_visible()


def test_wrong_password_shows_a_generic_error_and_keeps_the_user_on_the_page(world, apps, context):
    page = context.new_page()
    url, _ = authorize_url(world, apps.spa)
    start_from_app(page, apps, url)
    sign_in(page, "alice", "Not-the-passw0rd")
    alert = page.get_by_role("alert")
    assert alert.inner_text() == "Incorrect username or password."
    assert page.url.startswith(world.url("/login?"))
    assert page.get_by_label("Username").input_value() == "alice"


def test_chromium_refuses_to_frame_the_login_page(world, apps, context):
    url, _ = authorize_url(world, apps.spa)
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text))
    page.goto(f"{apps.origin}/frame?src={quote(url, safe='')}")
    page.wait_for_timeout(500)
    assert page.frame_locator("#f").locator("input[name=password]").count() == 0
    assert any("frame" in text.lower() for text in blocked), blocked
