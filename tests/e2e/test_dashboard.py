"""The demo dashboard in a real headless Chromium against a real ``authpool demo`` process.

Sign-in goes through the pool's hosted login page (authorization code + PKCE, driven by oidc-client-ts
in the page); the page then calls the orders API, protected by authpool.guard. The tests save
screenshots to a scratch folder; `make screenshots` refreshes docs/screenshots/ (docs/demo.md shows them).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from tests.support.live_server import LiveServer

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "Demo-Passw0rd!"
# Screenshots go to a scratch folder, so a test run leaves the work tree clean; `make screenshots`
# points this at docs/screenshots/ to refresh the pictures docs/demo.md shows.
SHOTS = Path(os.environ.get("AUTHPOOL_SCREENSHOTS_DIR") or Path(tempfile.gettempdir()) / "authpool-screenshots")
TIMEOUT = 15_000

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Debian's chromium at {CHROMIUM}"),
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with LiveServer(tmp_path_factory.mktemp("e2e"), command="demo", env={"AUTHPOOL_DEMO_PASSWORD": PASSWORD}) as live:
        live.issuer = re.search(r"issuer\s+(\S+)", live.log()).group(1)
        yield live


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], errors  # no uncaught script errors in the dashboard


def shot(target, name: str, **options) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(SHOTS / name), animations="disabled", **options)


def sign_in(page, demo, username: str, *, screenshot: str | None = None) -> None:
    page.goto(f"{demo.base_url}/demo/")
    page.click("#sign-in")
    page.wait_for_url(re.compile(r"/login\?"))  # the pool's hosted login page
    assert page.url.startswith(demo.issuer + "/login?")
    assert "code_challenge_method=S256" in page.url and "response_type=code" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    if screenshot:
        shot(page, screenshot)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_url(f"{demo.base_url}/demo/")
    page.wait_for_selector("#greeting:not([hidden])")
    page.wait_for_selector("#orders-table tbody tr[data-order]")


def order_ids(page) -> list[str]:
    return page.eval_on_selector_all("#orders-table tbody tr[data-order]", "rows => rows.map(r => r.dataset.order)")


def result(page, status: str) -> tuple[str, str]:
    page.wait_for_function("s => document.getElementById('result-status').textContent === s", arg=status)
    return page.inner_text("#result-status"), page.inner_text("#result-description")


def test_alice_sees_admin_panel_and_can_delete(page, demo):
    sign_in(page, demo, "alice", screenshot="login.png")
    assert page.inner_text("#greeting") == "Hello, Alice Example"  # from the ID token's name
    assert page.is_visible("#admin-panel") and page.is_visible("#premium-panel")
    shot(page, "alice-dashboard.png", full_page=True)

    before = order_ids(page)
    victim = before[-1]
    page.click(f'#admin-orders [data-delete="{victim}"]')
    result(page, "204")
    page.wait_for_function("id => !document.querySelector(`#orders-table tr[data-order='${id}']`)", arg=victim)
    assert order_ids(page) == [i for i in before if i != victim]
    assert page.inner_text("#status") == f"Order {victim} deleted."


def test_bob_sees_neither_and_an_unhidden_delete_is_refused(page, demo):
    sign_in(page, demo, "bob")
    assert page.inner_text("#greeting") == "Hello, Bob Example"
    assert page.is_hidden("#admin-panel") and page.is_hidden("#premium-panel")
    before = order_ids(page)
    target = before[0]

    # What a curious user can always do: un-hide the admin panel with page JavaScript and click.
    page.evaluate("document.getElementById('admin-panel').hidden = false")
    page.click(f'#admin-orders [data-delete="{target}"]')
    _, description = result(page, "403")
    assert description.startswith("insufficient_scope:") and "group" in description
    page.wait_for_selector("#status[data-kind=error]")
    assert "refused to delete" in page.inner_text("#status")
    shot(page, "bob-forbidden.png", full_page=True)

    assert order_ids(page) == before  # nothing was deleted
    page.click("#reload-orders")
    page.wait_for_function("n => document.getElementById('orders-table').dataset.count === String(n)",
                           arg=len(before))
    assert target in order_ids(page)


def test_id_token_button_gets_401_that_names_the_rule(page, demo):
    sign_in(page, demo, "bob")
    page.click("#send-id-token")
    _, description = result(page, "401")
    assert description.startswith("invalid_token:")
    assert "ID token" in description and "access token" in description and "never accepted by APIs" in description
    assert "refused the ID token" in page.inner_text("#status")
    shot(page.locator("#api-result"), "id-token-401.png")


def test_tokens_side_by_side_with_pii_highlighted(page, demo):
    sign_in(page, demo, "alice")
    pii_rows = page.eval_on_selector_all("#id-token-claims tr.pii", "rows => rows.map(r => r.dataset.claim)")
    assert {"email", "name", "custom:tier", "cognito:username"} <= set(pii_rows)
    assert page.eval_on_selector_all("#access-token-claims tr.pii", "rows => rows.length") == 0
    access_claims = page.eval_on_selector_all("#access-token-claims tr", "rows => rows.map(r => r.dataset.claim)")
    assert "scope" in access_claims and "email" not in access_claims
    absent = page.inner_text("#pii-absent")
    assert absent.startswith("Not in the access token:") and "email" in absent and "custom:tier" in absent
    id_claims = page.eval_on_selector_all("#id-token-claims tr", "rows => rows.map(r => r.dataset.claim)")
    assert "nonce" in id_claims and "at_hash" in id_claims  # oidc-client-ts sent a nonce and checked it
    shot(page.locator("section.tokens"), "tokens.png")


def test_premium_and_writes_go_through_the_api(page, demo):
    sign_in(page, demo, "alice")
    page.fill("#order-item", "Purple doohickey")
    page.fill("#order-quantity", "4")
    page.click("#add-order")
    result(page, "201")
    page.wait_for_selector("#orders-table td:text('Purple doohickey')")
    page.click("#order-summary")
    assert re.match(r"\d+ orders, \d+ open, \d+ items in all\.", page.inner_text("#summary"))


def test_sign_out(page, demo):
    sign_in(page, demo, "alice")
    page.click("#sign-out")
    page.wait_for_url(re.compile(re.escape(f"{demo.base_url}/demo/")))
    page.wait_for_selector("#sign-in:not([hidden])")
    assert page.is_hidden("#greeting") and page.is_hidden("#signed-in")
    stored = page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('oidc.user:'))")
    assert stored == []
    shot(page, "signed-out.png")
    # The hosted login session is gone too: signing in again asks for the password.
    page.click("#sign-in")
    page.wait_for_url(re.compile(r"/login\?"))
    assert page.is_visible("input[name=password]")

