"""Several real ``authpool serve`` processes on one PostgreSQL database (and, when asked, the local
Redis), seeded in-process through the services, and a small HTTP client for the calls the cluster
tests make. Every address is on 127.0.0.1."""

from __future__ import annotations

import json
import os
import secrets
import signal
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import httpx
from tests.support.live_server import LiveServer, free_port
from tests.support.tokens import claims_of as claims  # noqa: F401 - the cluster tests import it from here
from tests.support.tokens import header_of
from tests.support.waiting import wait_until  # noqa: F401 - the cluster tests import it from here

from authpool.server.context import ServerContext, build_context
from authpool.server.secrets import encode_key
from authpool.server.settings import Settings

PG_ADMIN_URL = os.environ.get("AUTHPOOL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test").replace(
    "postgresql+psycopg://", "postgresql://")
REDIS_URL = os.environ.get("AUTHPOOL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "Correct-Horse-42"
AMZ = "application/x-amz-json-1.1"
GRACE_SECONDS = 60


def pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def database_url(name: str, *, port: int = 5432) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    if port != 5432:
        base = base.replace("127.0.0.1:5432", f"127.0.0.1:{port}")
    return f"{base}/{name}"


def kid(token: str) -> str:
    return header_of(token)["kid"]


class ApiError(Exception):
    """A refused call: HTTP status and the wire code (Cognito ``__type`` or OAuth ``error``)."""

    def __init__(self, status: int, code: str, message: str = "", request_id: str = "") -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.request_id = status, code, message, request_id


def _raise_for(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200:
        raise ApiError(response.status_code, body.get("__type") or body.get("error") or "?",
                       body.get("message") or body.get("error_description") or "",
                       response.headers.get("x-request-id", ""))
    return body


@dataclass
class World:
    """What the seed created."""

    pool_id: str
    app_id: str  # public; USER_PASSWORD_AUTH, refresh with rotation (grace GRACE_SECONDS), revocation
    m2m_id: str  # confidential; client_credentials for api/read
    m2m_secret: str
    strict_id: str  # public; refresh with rotation and no grace period: any replay revokes the session
    users: list[str] = field(default_factory=list)


class Api:
    """The calls the tests make, against one node (``base_url``), over one HTTP client."""

    def __init__(self, base_url: str, *, timeout: float = 15.0) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def cognito(self, operation: str, body: dict) -> dict:
        response = self.http.post("/", content=json.dumps(body), headers={
            "Content-Type": AMZ, "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}"})
        return _raise_for(response)

    def sign_in(self, world: World, username: str, password: str = PASSWORD, *, client_id: str | None = None) -> dict:
        return self.cognito("InitiateAuth", {
            "ClientId": client_id or world.app_id, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": username, "PASSWORD": password}})["AuthenticationResult"]

    def refresh(self, world: World, refresh_token: str, *, client_id: str | None = None) -> dict:
        """The OAuth door: returns the token response (with the rotated ``refresh_token``)."""
        return _raise_for(self.http.post(f"/{world.pool_id}/oauth2/token", data={
            "grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id or world.app_id}))

    def refresh_cognito(self, world: World, refresh_token: str, *, client_id: str | None = None) -> dict:
        """The Cognito door (GetTokensFromRefreshToken): AccessToken, IdToken, RefreshToken."""
        return self.cognito("GetTokensFromRefreshToken", {
            "ClientId": client_id or world.app_id, "RefreshToken": refresh_token})["AuthenticationResult"]

    def client_credentials(self, world: World) -> dict:
        return _raise_for(self.http.post(f"/{world.pool_id}/oauth2/token", data={
            "grant_type": "client_credentials", "scope": "api/read"}, auth=(world.m2m_id, world.m2m_secret)))

    def revoke(self, world: World, refresh_token: str) -> None:
        self.cognito("RevokeToken", {"ClientId": world.app_id, "Token": refresh_token})

    def get_user(self, access_token: str) -> dict:
        return self.cognito("GetUser", {"AccessToken": access_token})

    def jwks_kids(self, world: World) -> set[str]:
        response = self.http.get(f"/{world.pool_id}/.well-known/jwks.json")
        return {k["kid"] for k in _raise_for(response)["keys"]}

    def health(self) -> int:
        return self.http.get("/health").status_code


class Cluster:
    """``n`` server processes sharing one database (and Redis when ``redis_url``), one issuer
    (``AUTHPOOL_BASE_URL``, as behind a load balancer), one master key and one admin key pair."""

    def __init__(self, tmp: Path, database_url: str, *, n: int = 2, redis_url: str | None = None,
                 workers: int = 1, env: dict[str, str] | None = None, urls: list[str] | None = None,
                 own_redis_url: str | None = None) -> None:
        """``urls``: each node's database URL (default ``database_url``); ``own_redis_url``: the Redis
        of this process's context (default ``redis_url``), e.g. direct while the nodes go through a proxy."""
        self.tmp, self.database_url = tmp, database_url
        self.own_redis_url = own_redis_url or redis_url
        self.master_key = encode_key(secrets.token_bytes(32))
        self.admin = ("AKIA" + secrets.token_hex(8).upper(), secrets.token_urlsafe(30)[:40])
        self.base_url = f"http://127.0.0.1:{free_port()}"
        self.env = {"AUTHPOOL_MASTER_KEY": self.master_key, "AUTHPOOL_ADMIN_ACCESS_KEY_ID": self.admin[0],
                    "AUTHPOOL_ADMIN_SECRET_ACCESS_KEY": self.admin[1], "AUTHPOOL_BASE_URL": self.base_url,
                    "AUTHPOOL_LOG_LEVEL": "WARNING", **(env or {})}
        if redis_url:
            self.env["AUTHPOOL_REDIS_URL"] = redis_url
        self.nodes = [LiveServer(tmp / f"node{i}", database_url=(urls or [database_url] * n)[i], env=self.env,
                                 extra_args=["--workers", str(workers)] if workers > 1 else None)
                      for i in range(n)]
        self._stack = ExitStack()
        self.ctx: ServerContext | None = None

    def settings(self) -> Settings:
        from pydantic import SecretStr

        return Settings(data_dir=self.tmp / "seed", database_url=self.database_url,
                        redis_url=SecretStr(self.own_redis_url) if self.own_redis_url else None,
                        master_key=SecretStr(self.master_key), base_url=self.base_url,
                        admin_access_key_id=self.admin[0], admin_secret_access_key=SecretStr(self.admin[1]))

    def __enter__(self) -> Self:
        self.ctx = build_context(self.settings())  # migrates; the nodes then find the schema current
        for node in self.nodes:
            self._stack.enter_context(node)
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()
        if self.ctx is not None:
            if self.ctx.cache_sync is not None:
                self.ctx.cache_sync.close()
            self.ctx.db.dispose()

    def api(self, i: int, **kwargs) -> Api:
        return Api(self.nodes[i].base_url, **kwargs)

    def seed(self, users: int = 2) -> World:
        ctx = self.ctx
        pool = ctx.pools.create("cluster")
        ctx.resource_servers.create(pool.id, "api", "API", scopes=[{"ScopeName": "read", "ScopeDescription": "r"}])
        app = ctx.clients.create(pool.id, "app", settings={
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": GRACE_SECONDS},
            "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid"], "CallbackURLs": ["http://127.0.0.1/cb"],
            "SupportedIdentityProviders": ["COGNITO"]})
        m2m = ctx.clients.create(pool.id, "m2m", generate_secret=True, settings={
            "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["client_credentials"],
            "AllowedOAuthScopes": ["api/read"]})
        strict = ctx.clients.create(pool.id, "strict", settings={
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 0}})
        world = World(pool.id, app.client_id, m2m.client_id, m2m.client_secret, strict.client_id)
        for i in range(users):
            name = f"user{i}"
            ctx.users.admin_create(pool.id, name, attributes={"email": f"{name}@example.com"})
            ctx.users.set_password(pool.id, name, PASSWORD, permanent=True)
            world.users.append(name)
        return world


# -- processes ------------------------------------------------------------------------------------------
def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            found += [int(x) for x in (task / "children").read_text().split()]
        except FileNotFoundError:  # a thread that just ended
            continue
    return found


def worker_pids(server_pid: int) -> list[int]:
    """uvicorn's worker processes under ``authpool serve --workers N`` (multiprocessing spawn children)."""
    pids = []
    for child in children(server_pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"spawn_main" in cmdline:
            pids.append(child)
    return pids


def kill9(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
