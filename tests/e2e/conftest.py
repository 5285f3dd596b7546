"""Real headless Chromium (Debian's ``chromium`` package, driven by Playwright; ``make test``
installs the package when missing; Playwright's own browser download is never used) against a real
``authpool serve`` process.

The client applications are a tiny HTTP server on ``localhost`` (a different site from the
authorization server on ``127.0.0.1``, so SameSite rules apply as in production): every path
answers a plain page, and ``/frame?src=...`` answers a page that tries to frame ``src``.
"""

from __future__ import annotations

import html
import os
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from tests.server.oauth.world import Client, shared_world

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _AppHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/frame":
            src = html.escape(parse_qs(parts.query).get("src", [""])[0], quote=True)
            body = f'<!doctype html><title>attacker</title><iframe id="f" src="{src}"></iframe>'
        else:
            body = "<!doctype html><title>app</title><p>client application page</p>"
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:  # keep the test output clean
        pass


@dataclass
class Apps:
    origin: str  # http://localhost:<port>
    spa: Client
    web: Client

    def logout_uri(self, name: str) -> str:
        return f"{self.origin}/{name}/signed-out"


@pytest.fixture(scope="session")
def world(tmp_path_factory, pytestconfig):
    return shared_world(tmp_path_factory, pytestconfig)


@pytest.fixture(scope="package")
def apps(world):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AppHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://localhost:{server.server_address[1]}"
    made = {}
    for name, secret in (("spa", False), ("web", True)):
        created = world.ctx.clients.create(world.pool_id, f"Browser {name}", generate_secret=secret, settings={
            "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
            "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"], "PreventUserExistenceErrors": "ENABLED",
            "CallbackURLs": [f"{origin}/{name}/callback"], "LogoutURLs": [f"{origin}/{name}/signed-out"],
            "AllowedOAuthScopes": ["openid", "email", "profile"],
            "RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}})
        made[name] = Client(created.client_id, created.client_secret, f"{origin}/{name}/callback")
    yield Apps(origin, made["spa"], made["web"])
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")  # module scope: one Playwright (sync) instance may run at a time
def chromium():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the [dev] extra)")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (make test does this)", pytrace=False)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(chromium):
    """A fresh browser profile (its own cookies) per test."""
    ctx = chromium.new_context()
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()
