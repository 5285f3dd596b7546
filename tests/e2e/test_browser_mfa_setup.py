"""The hosted login's TOTP set-up page in headless Chromium: the QR code (inline SVG drawn on the
server) as the browser renders it, in the light and the dark colour scheme, decoded by zxing-cpp to
the page's ``otpauth://`` link; the page's CSP unchanged and not violated; the decoded secret's
code completes the sign-in (back at the client with a code)."""

from __future__ import annotations

import io
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from tests.e2e.flows import authorize_url, landed, sign_in
from tests.server.oauth.world import PASSWORD, Client

from authpool.server.oauth import qr
from authpool.server.pool import totp

zxingcpp = pytest.importorskip("zxingcpp", reason="pip install zxing-cpp (the [dev] extra)")
Image = pytest.importorskip("PIL.Image", reason="pip install pillow (the [dev] extra)")


def _decoded(png: bytes) -> str:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1
    return found[0].text


def test_setup_page_qr_code_scans_to_the_otpauth_link(world, apps, context):
    ctx = world.ctx
    pool = ctx.pools.create("Browser MFA+co", settings={"MfaConfiguration": "ON"})
    ctx.keys.ensure(pool.id)
    callback = f"{apps.origin}/mfa/callback"
    made = ctx.clients.create(pool.id, "MFA app", settings={
        "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"], "CallbackURLs": [callback],
        "AllowedOAuthScopes": ["openid"], "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"]})
    client = Client(made.client_id, None, callback)
    username = "qr-" + secrets.token_hex(3)
    ctx.users.sign_up(pool.id, username, PASSWORD, confirmed=True)

    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    url, _ = authorize_url(world, client, scope="openid")
    shown = page.goto(url.replace(f"/{world.pool_id}/", f"/{pool.id}/"))
    assert shown.ok
    with page.expect_response(lambda r: r.request.method == "POST" and "/login" in r.url) as posted:
        sign_in(page, username, PASSWORD)
    page.get_by_role("heading", name="Set up your authenticator app").wait_for()
    csp = posted.value.headers["content-security-policy"]
    assert csp.startswith("default-src 'none'; style-src 'nonce-") and "script-src" not in csp
    assert csp.endswith(f"img-src 'self' data:; form-action 'self' {apps.origin}; frame-ancestors 'none'; "
                        "base-uri 'none'")

    link = page.get_by_role("link").get_attribute("href")
    key = page.get_by_label("Key").input_value()
    assert link == totp.provisioning_uri(totp.from_base32(key), account=username, issuer="Browser MFA+co")
    image = page.get_by_role("img", name=qr.TITLE)
    assert image.is_visible()
    assert _decoded(image.screenshot()) == link
    page.emulate_media(color_scheme="dark")
    assert _decoded(image.screenshot()) == link
    assert violations == []

    secret = parse_qs(urlsplit(_decoded(image.screenshot())).query)["secret"][0]
    page.get_by_label("Code").fill(totp.code_at(totp.from_base32(secret), time.time()))
    page.get_by_role("button", name="Verify and continue").click()
    answer = landed(page, callback)
    assert answer["code"] and answer["state"] == "st"
