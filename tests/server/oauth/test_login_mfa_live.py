"""The hosted login page's MFA steps (oauth/login.py) over HTTP against the shared live server: the
TOTP code form after the password, wrong codes, replay, CSRF, and the set-up form in an ON pool."""

from __future__ import annotations

import html
import re
import secrets
import time

import pytest
from tests.server.oauth.world import CSRF, PASSWORD, SESSION, pkce_pair, query_of, sign_in

from authpool.server.oauth import qr
from authpool.server.pool import totp

SECRET = re.compile(r'name="secret" value="([A-Z2-7]{32})"')


def _params(client_id: str, redirect_uri: str) -> dict[str, str]:
    _, challenge = pkce_pair()
    return {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": "openid",
            "state": "s-" + secrets.token_hex(4), "code_challenge": challenge, "code_challenge_method": "S256"}


def _code(secret: bytes, after: int | None = None) -> tuple[str, int]:
    """A code for a step later than ``after`` (waiting for the clock when it must)."""
    step = totp.step_of(time.time())
    target = step if after is None or after < step else after + 1
    if target > step + 1:
        time.sleep((step + 1) * totp.STEP_SECONDS - time.time() + 0.05)
    return totp.code_at(secret, target * totp.STEP_SECONDS), target


def _wrong(secret: bytes) -> str:
    good = {totp.code_at(secret, time.time() + d) for d in (-60, -30, 0, 30, 60)}
    return next(c for c in ("000000", "111111", "222222") if c not in good)


@pytest.fixture
def enrolled(world):
    """A user of the shared pool (made OPTIONAL) with a verified, enabled TOTP token."""
    world.ctx.pools.update(world.pool_id, settings={"MfaConfiguration": "OPTIONAL"}, merge=True)
    username = "mfa-" + secrets.token_hex(3)
    world.new_user(username)
    user = world.ctx.users.get(world.pool_id, username)
    mfa = world.ctx.signin.mfa.service
    secret = totp.from_base32(mfa.associate(world.pool_id, user.sub))
    code, step = _code(secret)
    mfa.verify(world.pool_id, user.sub, code, friendly_name="Work phone")
    mfa.set_preference(world.pool_id, user.sub, enabled=True, preferred=True)
    return username, secret, step


def test_code_step_after_the_password(world, browser, enrolled):
    username, secret, last = enrolled
    params = _params(world.spa.client_id, world.spa.redirect_uri)
    page = sign_in(browser, world, params, username, PASSWORD)
    assert page.status_code == 200 and 'name="code"' in page.text and "Work phone" in page.text
    assert 'autocomplete="one-time-code"' in page.text and page.headers["x-frame-options"] == "DENY"
    assert not any(c.name == "authpool_session" for c in browser.cookies.jar)  # not signed in yet
    form = {"_csrf": CSRF.search(page.text).group(1), "step": "mfa", "session": SESSION.search(page.text).group(1),
            "username": username}
    wrong = browser.post(str(page.url), data={**form, "code": _wrong(secret)})
    assert wrong.status_code == 400 and "not right" in wrong.text and 'name="code"' in wrong.text
    forged = browser.post(str(page.url), data={**form, "_csrf": "x" * 40, "code": _code(secret, last)[0]})
    assert forged.status_code == 400 and "expired" in forged.text  # CSRF: back to the login form
    code, last = _code(secret, last)
    done = browser.post(str(page.url), data={**form, "code": code})
    assert done.status_code == 303 and "code" in query_of(done.headers["location"])
    assert any(c.name == "authpool_session" for c in browser.cookies.jar)
    replay = browser.post(str(page.url), data={**form, "code": code})
    assert replay.status_code == 400 and 'name="password"' in replay.text  # the session answered once


def test_a_reused_code_is_refused_on_a_new_sign_in(world, browser, enrolled):
    username, secret, last = enrolled
    params = _params(world.spa.client_id, world.spa.redirect_uri)
    code, last = _code(secret, last)
    for expected in (303, 400):
        page = sign_in(browser, world, params, username, PASSWORD)
        form = {"_csrf": CSRF.search(page.text).group(1), "step": "mfa", "username": username,
                "session": SESSION.search(page.text).group(1), "code": code}
        assert browser.post(str(page.url), data=form).status_code == expected


def test_mfa_setup_form_in_an_on_pool(world, browser):
    ctx = world.ctx
    pool = ctx.pools.create("mfa-required", settings={"MfaConfiguration": "ON"})
    ctx.keys.ensure(pool.id)
    callback = "https://required.example/cb"
    client = ctx.clients.create(pool.id, "Required app", settings={
        "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"], "CallbackURLs": [callback],
        "AllowedOAuthScopes": ["openid"], "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"]})
    ctx.users.sign_up(pool.id, "nina", PASSWORD, confirmed=True)
    params = _params(client.client_id, callback)
    page = browser.get(f"{world.base}/{pool.id}/oauth2/authorize", params={"prompt": "login", **params},
                       follow_redirects=True)
    page = browser.post(str(page.url), data={"_csrf": CSRF.search(page.text).group(1), "username": "nina",
                                             "password": PASSWORD})
    assert page.status_code == 200 and "Set up your authenticator app" in page.text
    secret_text = SECRET.search(page.text).group(1)
    assert html.escape("otpauth://totp/mfa-required:nina?secret=" + secret_text) in page.text
    # the QR code: inline SVG of the link's URI (decoded for real in tests/e2e/test_browser_mfa_setup.py)
    uri = html.unescape(re.search(r'<a href="([^"]+)">', page.text).group(1))
    assert uri == totp.provisioning_uri(totp.from_base32(secret_text), account="nina", issuer="mfa-required")
    assert page.text.count("<svg") == 1 and str(qr.svg(uri)) in page.text
    nonce = re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"]).group(1)
    assert page.headers["content-security-policy"] == (
        f"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self' data:; form-action 'self' "
        "https://required.example; frame-ancestors 'none'; base-uri 'none'")
    secret = totp.from_base32(secret_text)
    form = {"_csrf": CSRF.search(page.text).group(1), "step": "mfa_setup", "username": "nina",
            "session": SESSION.search(page.text).group(1), "secret": secret_text}
    wrong = browser.post(str(page.url), data={**form, "code": _wrong(secret)})
    assert wrong.status_code == 400 and "not right" in wrong.text and secret_text in wrong.text
    assert str(qr.svg(uri)) in wrong.text
    code, _ = _code(secret)
    done = browser.post(str(page.url), data={**form, "code": code})
    assert done.status_code == 303 and "code" in query_of(done.headers["location"])
    nina = ctx.users.get(pool.id, "nina")
    assert ctx.signin.mfa.service.settings(pool.id, nina.sub).preferred == "SOFTWARE_TOKEN_MFA"
