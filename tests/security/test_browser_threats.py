"""RFC 9700 §4.7, §4.16, §4.17: what the hosted pages do against attacks through the browser."""

from __future__ import annotations

import httpx
from tests.server.oauth.world import CSRF, SESSION, authorize_code, pkce_pair, query_of, sign_in


def params(world, **extra) -> dict[str, str]:
    _, challenge = pkce_pair()
    return {"response_type": "code", "client_id": world.spa.client_id, "redirect_uri": world.spa.redirect_uri,
            "scope": "openid", "state": "csrf-state-1", "code_challenge": challenge, "code_challenge_method": "S256",
            **extra}


def test_4_7_csrf_login_forms_need_this_browsers_token_and_state_is_echoed(world, browser):
    """§4.7 (and RFC 6749 §10.12): a cross-site POST to the login form (no token, a forged token,
    or a token lifted from the attacker's own browser) signs nobody in; the client's ``state`` comes
    back unchanged and PKCE is mandatory for public clients (§4.7.1's client-side defences)."""
    page = browser.get(world.url("/login"), params=params(world))
    with httpx.Client() as attacker:
        attacker_token = CSRF.search(attacker.get(str(page.url)).text).group(1)
        cross_site = attacker.post(str(page.url), data={"username": "alice", "password": world.users["alice"]})
    attempts = [cross_site,
                browser.post(str(page.url), data={"_csrf": "forged", "username": "alice",
                                                  "password": world.users["alice"]}),
                browser.post(str(page.url), data={"_csrf": attacker_token, "username": "alice",
                                                  "password": world.users["alice"]})]
    for response in attempts:
        assert response.status_code == 400 and "location" not in response.headers
        assert "authpool_session" not in response.headers.get("set-cookie", "")
    done = browser.post(str(page.url), data={"_csrf": CSRF.search(page.text).group(1), "username": "alice",
                                             "password": world.users["alice"]})
    assert query_of(done.headers["location"])["state"] == "csrf-state-1"
    # the new-password step is protected the same way
    temp = world.new_user("csrf-temp", temporary=True)
    challenge = sign_in(browser, world, params(world), "csrf-temp", temp)
    forged = browser.post(str(challenge.url), data={"step": "new_password", "session": SESSION.search(challenge.text).group(1),
                                                    "username": "csrf-temp", "new_password": "Att4cker-Pass!",
                                                    "confirm_password": "Att4cker-Pass!"})
    assert forged.status_code == 400
    assert world.ctx.users.get(world.pool_id, "csrf-temp").status.value == "FORCE_CHANGE_PASSWORD"


def test_4_16_clickjacking_every_page_refuses_to_be_framed(world, browser):
    """§4.16: X-Frame-Options DENY and CSP frame-ancestors 'none' on the login, new-password, error
    and signed-out pages."""
    temp = world.new_user("frame-temp", temporary=True)
    pages = [browser.get(world.url("/login"), params=params(world)),
             sign_in(browser, world, params(world), "frame-temp", temp),
             browser.get(world.url("/oauth2/authorize"), params={"client_id": "unknown"}),
             browser.get(world.url("/logout"), params={"client_id": world.spa.client_id})]
    assert 'name="new_password"' in pages[1].text
    for page in pages:
        assert page.headers["x-frame-options"] == "DENY", page.url
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"], page.url


def test_4_17_no_in_browser_message_flows(world, browser):
    """§4.17 targets postMessage-based response modes. authpool has none: ``response_mode`` other
    than ``query`` is refused and the pages run no script at all (CSP has no script source)."""
    authorize_code(browser, world, world.spa)
    for mode in ("web_message", "form_post", "fragment"):
        answer = query_of(browser.get(world.url("/oauth2/authorize"),
                                      params=params(world, response_mode=mode)).headers["location"])
        assert answer["error"] == "invalid_request", mode
    page = browser.get(world.url("/login"), params=params(world))
    assert "<script" not in page.text and "script-src" not in page.headers["content-security-policy"]
    assert "default-src 'none'" in page.headers["content-security-policy"]
