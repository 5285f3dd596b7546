"""Seed the demo pool, idempotently: running it again on the same data dir finds what exists.

* pool ``demo`` with the custom attribute ``custom:tier``;
* alice (group ``admin``, ``custom:tier=premium``) and bob (no groups, ``custom:tier=free``), both
  with the password from ``AUTHPOOL_DEMO_PASSWORD`` or a generated one (set again at each start);
* resource server ``orders`` with scopes ``read``, ``write``, ``delete``;
* ``demo-spa``: a public client with password sign-in (``ALLOW_USER_PASSWORD_AUTH``) and
  authorization code + PKCE, refresh-token rotation on (authpool's default for public clients);
* ``demo-service``: a confidential client for client credentials.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from ..server.errors import NotFound
from ..server.store.records import ClientRecord, PoolRecord

POOL_NAME = "demo"
USERS = {
    "alice": ({"email": "alice@example.com", "email_verified": "true", "name": "Alice Example",
               "custom:tier": "premium"}, ["admin"]),
    "bob": ({"email": "bob@example.com", "email_verified": "true", "name": "Bob Example", "custom:tier": "free"}, []),
}
ORDER_SCOPES = [("read", "Read orders"), ("write", "Create and change orders"), ("delete", "Delete orders")]


@dataclass
class DemoPool:
    pool: PoolRecord
    spa: ClientRecord
    service: ClientRecord
    password: str
    password_generated: bool


def generate_password() -> str:
    """Meets Cognito's default policy: upper, lower, digit, symbol, 16 characters."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"Dm{body}7!x"


def _find_pool(ctx) -> PoolRecord | None:
    for pool in ctx.pools.list(limit=60).items:
        if pool.name == POOL_NAME:
            return pool
    return None


def _find_client(ctx, pool_id: str, name: str) -> ClientRecord | None:
    for client in ctx.clients.list(pool_id).items:
        if client.name == name:
            return ctx.clients.describe(pool_id, client.client_id)
    return None


def seed(ctx, *, password: str | None, base_url: str) -> DemoPool:
    pool = _find_pool(ctx) or ctx.pools.create(
        POOL_NAME, schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True}])
    ctx.keys.ensure(pool.id)
    generated = password is None
    password = password or generate_password()

    for group in ("admin",):
        try:
            ctx.groups.get(pool.id, group)
        except NotFound:
            ctx.groups.create(pool.id, group, description="Demo administrators", precedence=1)
    for username, (attributes, groups) in USERS.items():
        try:
            ctx.users.get(pool.id, username)
        except NotFound:
            ctx.users.admin_create(pool.id, username, attributes=attributes, temporary_password=password)
        ctx.users.set_password(pool.id, username, password, permanent=True)
        for group in groups:
            ctx.groups.add_user(pool.id, group, username)

    try:
        ctx.resource_servers.describe(pool.id, "orders")
    except NotFound:
        ctx.resource_servers.create(pool.id, "orders", "Demo orders API",
                                    scopes=[{"ScopeName": n, "ScopeDescription": d} for n, d in ORDER_SCOPES])

    order_scopes = [f"orders/{name}" for name, _ in ORDER_SCOPES]
    spa = _find_client(ctx, pool.id, "demo-spa") or ctx.clients.create(pool.id, "demo-spa", settings={
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthScopes": ["openid", "email", "profile", *order_scopes],
        "CallbackURLs": [f"{base_url}/demo/callback", "http://localhost:8000/demo/callback"],
        "LogoutURLs": [f"{base_url}/demo/", "http://localhost:8000/demo/"],
        "RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10},
    })
    spa = _allow_base_url(ctx, spa, base_url)
    service = _find_client(ctx, pool.id, "demo-service") or ctx.clients.create(
        pool.id, "demo-service", generate_secret=True, settings={
            "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"],
            "AllowedOAuthFlows": ["client_credentials"],
            "AllowedOAuthFlowsUserPoolClient": True,
            "AllowedOAuthScopes": ["orders/read", "orders/write"],
        })
    return DemoPool(pool=pool, spa=spa, service=service, password=password, password_generated=generated)


def _allow_base_url(ctx, spa: ClientRecord, base_url: str) -> ClientRecord:
    """A data dir reused on another port or base URL: register that origin's callback and logout
    URLs too (exact matching would otherwise refuse the dashboard's sign-in)."""
    callback, logout = f"{base_url}/demo/callback", f"{base_url}/demo/"
    settings = dict(spa.settings)
    if callback in settings.get("CallbackURLs", []) and logout in settings.get("LogoutURLs", []):
        return spa
    settings["CallbackURLs"] = [*settings.get("CallbackURLs", []), callback][-100:]
    settings["LogoutURLs"] = [*settings.get("LogoutURLs", []), logout][-100:]
    ctx.clients.update(spa.pool_id, spa.client_id, settings=settings)
    return ctx.clients.describe(spa.pool_id, spa.client_id)
