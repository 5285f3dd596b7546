"""A user pool for the OAuth tests, built through the domain services (never by hand-written rows),
and a real ``authpool serve`` process on it (tests/support/live_server.py).

Shared by tests/server/oauth, tests/security and tests/e2e.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
from tests.support.live_server import LiveServer

from authpool.server.context import ServerContext, build_context
from authpool.server.settings import Settings

PASSWORD = "Corr3ct-Horse!"
API = "https://api.example.com"
SPA_CALLBACK = "https://spa.example/callback"
WEB_CALLBACK = "https://web.example/cb"
WEB_LOGOUT = "https://web.example/signed-out"


@dataclass
class Client:
    client_id: str
    secret: str | None
    redirect_uri: str | None = None


@dataclass
class World:
    server: LiveServer
    ctx: ServerContext
    pool_id: str
    spa: Client
    web: Client
    machine: Client
    legacy: Client
    users: dict[str, str] = field(default_factory=dict)  # username -> current password

    @property
    def base(self) -> str:
        return self.server.base_url

    @property
    def issuer(self) -> str:
        return f"{self.server.base_url}/{self.pool_id}"

    def url(self, path: str) -> str:
        return f"{self.issuer}{path}"

    def new_user(self, username: str, *, temporary: bool = False, attributes: dict | None = None) -> str:
        """Create a user; returns the password (temporary ones force NEW_PASSWORD_REQUIRED)."""
        attrs = attributes or {"email": f"{username}@example.com", "email_verified": "true", "name": username.title(),
                               "phone_number": "+15555550100", "custom:tenant": "acme"}
        if temporary:
            created = self.ctx.users.admin_create(self.pool_id, username, attributes=attrs,
                                                  temporary_password="Temp-Passw0rd!")
            password = created.temporary_password
        else:
            self.ctx.users.sign_up(self.pool_id, username, PASSWORD, attributes=attrs, confirmed=True)
            password = PASSWORD
        self.users[username] = password
        return password


def build_world(data_dir: Path, *, env: dict[str, str] | None = None) -> tuple[ServerContext, dict]:
    ctx = build_context(Settings(data_dir=data_dir))
    pool = ctx.pools.create("oauth-tests", schema=[{"Name": "tenant", "AttributeDataType": "String", "Mutable": True}])
    ctx.keys.ensure(pool.id)
    ctx.resource_servers.create(pool.id, API, "orders api",
                                scopes=[{"ScopeName": "read", "ScopeDescription": "read"},
                                        {"ScopeName": "write", "ScopeDescription": "write"}])
    common = {"AllowedOAuthFlowsUserPoolClient": True, "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"],
              "PreventUserExistenceErrors": "ENABLED"}
    spa = ctx.clients.create(pool.id, "Orders SPA", settings={
        **common, "AllowedOAuthFlows": ["code"], "CallbackURLs": [SPA_CALLBACK, "http://localhost:8123/cb"],
        "LogoutURLs": ["https://spa.example/bye"],
        "AllowedOAuthScopes": ["openid", "email", "profile", "phone", f"{API}/read"],
        "RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}})
    web = ctx.clients.create(pool.id, "Orders Web", generate_secret=True, settings={
        **common, "AllowedOAuthFlows": ["code"], "CallbackURLs": [WEB_CALLBACK], "LogoutURLs": [WEB_LOGOUT],
        "AllowedOAuthScopes": ["openid", "email", "profile", f"{API}/read", f"{API}/write"]})
    machine = ctx.clients.create(pool.id, "Orders worker", generate_secret=True, settings={
        **common, "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": [f"{API}/read", f"{API}/write"]})
    legacy = ctx.clients.create(pool.id, "Legacy implicit", settings={
        **common, "AllowedOAuthFlows": ["implicit"], "CallbackURLs": ["https://legacy.example/cb"],
        "AllowedOAuthScopes": ["openid", "email"]})
    return ctx, {"pool_id": pool.id, "spa": Client(spa.client_id, None, SPA_CALLBACK),
                 "web": Client(web.client_id, web.client_secret, WEB_CALLBACK),
                 "machine": Client(machine.client_id, machine.client_secret),
                 "legacy": Client(legacy.client_id, None, "https://legacy.example/cb")}


# -- protocol helpers for tests that drive the server over HTTP (no browser) --------------------------

def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def fragment_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).fragment).items()}


CSRF = re.compile(r'name="_csrf" value="([^"]+)"')
SESSION = re.compile(r'name="session" value="([^"]+)"')


def sign_in(http: httpx.Client, world: World, params: dict[str, str], username: str, password: str) -> httpx.Response:
    """GET /authorize (following to /login; ``prompt=login`` so an SSO session doesn't skip the form),
    then POST the login form; returns the POST's response."""
    page = http.get(world.url("/oauth2/authorize"), params={"prompt": "login", **params}, follow_redirects=True)
    assert page.status_code == 200, page.text
    token = CSRF.search(page.text).group(1)
    return http.post(str(page.url), data={"_csrf": token, "username": username, "password": password})


def authorize_code(http: httpx.Client, world: World, client: Client, *, scope: str = "openid email profile",
                   username: str = "alice", extra: dict | None = None) -> tuple[str, str]:
    """A fresh code (and its PKCE verifier) for ``client`` after a password sign-in."""
    verifier, challenge = pkce_pair()
    params = {"response_type": "code", "client_id": client.client_id, "redirect_uri": client.redirect_uri,
              "scope": scope, "state": "s-" + secrets.token_hex(4), "code_challenge": challenge,
              "code_challenge_method": "S256", **(extra or {})}
    done = sign_in(http, world, params, username, world.users[username])
    assert done.status_code == 303, done.text
    answer = query_of(done.headers["location"])
    assert answer["state"] == params["state"], answer
    return answer["code"], verifier


def exchange(world: World, client: Client, code: str, verifier: str | None, **extra) -> httpx.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": client.redirect_uri, **extra}
    if verifier is not None:
        data["code_verifier"] = verifier
    auth = (client.client_id, client.secret) if client.secret else None
    if auth is None:
        data["client_id"] = client.client_id
    return httpx.post(world.url("/oauth2/token"), data=data, auth=auth)


def start(data_dir: Path) -> World:
    ctx, parts = build_world(data_dir)
    server = LiveServer(data_dir).__enter__()
    world = World(server=server, ctx=ctx, **parts)
    world.new_user("alice")
    return world


def stop(world: World) -> None:
    world.server.__exit__(None, None, None)
    world.ctx.db.dispose()


_shared: World | None = None


def shared_world(tmp_path_factory, config) -> World:
    """One server for every OAuth test package of the run (server startup is the slow part); tests
    create their own users and clients where they change state. Stopped when pytest ends."""
    global _shared
    if _shared is None:
        _shared = start(tmp_path_factory.mktemp("oauth-world"))
        config.add_cleanup(lambda: stop(_shared))
    return _shared
