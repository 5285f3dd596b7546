from __future__ import annotations

import re

import pytest

from authpool.server.errors import InvalidParameter, NotFound
from authpool.server.pool import check_secret, token_validity_seconds
from authpool.server.pool.clients import default_settings

SCOPES = [
    {"ScopeName": "read", "ScopeDescription": "Read"},
    {"ScopeName": "write", "ScopeDescription": "Write"},
]


def _raw_secret(database, client_id) -> bytes:
    with database.engine.connect() as conn:
        q = "SELECT client_secret FROM app_clients WHERE client_id = " + (
            "%s" if database.dialect == "postgresql" else "?"
        )
        return bytes(conn.exec_driver_sql(q, (client_id,)).scalar())


def test_create_with_secret_encrypted_at_rest(clients, pool, database):
    client = clients.create(pool.id, "web app", generate_secret=True)
    assert re.fullmatch(r"[a-z0-9]{26}", client.client_id)
    assert re.fullmatch(r"[a-z0-9]{51}", client.client_secret)
    raw = _raw_secret(database, client.client_id)
    assert client.client_secret.encode() not in raw and raw[0] == 1  # version byte, then nonce+ciphertext
    described = clients.describe(pool.id, client.client_id)
    assert described.client_secret == client.client_secret  # decrypted on describe
    assert clients.find(client.client_id) == described
    assert check_secret(described, client.client_secret)
    assert not check_secret(
        described, client.client_secret[:-1] + "0" if client.client_secret[-1] != "0" else "1"
    )
    assert not check_secret(described, None)
    with database.transaction(readonly=True) as tx:
        event = tx.audit.list(type="client.created").items[0]
    assert client.client_secret not in repr(event) and event.detail == {"client_type": "confidential"}


def test_cognito_defaults(clients, pool):
    client = clients.create(pool.id, "spa")
    s = client.settings
    assert client.client_secret is None and not check_secret(client, "anything")
    assert s["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]
    assert (s["AccessTokenValidity"], s["IdTokenValidity"], s["RefreshTokenValidity"]) == (1, 1, 30)
    assert s["TokenValidityUnits"] == {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}
    assert s["EnableTokenRevocation"] is True and s["PreventUserExistenceErrors"] == "LEGACY"
    assert s["RefreshTokenRotation"] == {"Feature": "DISABLED", "RetryGracePeriodSeconds": 0}
    assert token_validity_seconds(s, "AccessTokenValidity") == 3600
    assert token_validity_seconds(s, "IdTokenValidity") == 3600
    assert token_validity_seconds(s, "RefreshTokenValidity") == 30 * 86400


def test_oauth_client(clients, resource_servers, pool):
    resource_servers.create(pool.id, "https://api.example.com", "API", scopes=SCOPES)
    client = clients.create(
        pool.id,
        "web",
        generate_secret=True,
        settings={
            "AllowedOAuthFlowsUserPoolClient": True,
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "email", "https://api.example.com/read"],
            "CallbackURLs": ["https://app.example.com/cb", "http://localhost:3000/cb", "myapp://cb"],
            "DefaultRedirectURI": "https://app.example.com/cb",
            "AccessTokenValidity": 15,
            "TokenValidityUnits": {"AccessToken": "minutes"},
            "RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10},
            "ReadAttributes": ["email", "custom:tenant"],
        },
    )
    s = client.settings
    assert s["TokenValidityUnits"] == {"AccessToken": "minutes", "IdToken": "hours", "RefreshToken": "days"}
    assert token_validity_seconds(s, "AccessTokenValidity") == 900
    assert s["ReadAttributes"] == ["email", "custom:tenant"]


def test_client_credentials_client(clients, resource_servers, pool):
    resource_servers.create(pool.id, "api", "API", scopes=SCOPES)
    m2m = {"AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["client_credentials"],
           "AllowedOAuthScopes": ["api/read", "api/write"]}  # fmt: skip
    assert clients.create(pool.id, "m2m", generate_secret=True, settings=m2m).settings[
        "AllowedOAuthScopes"
    ] == [
        "api/read",
        "api/write",
    ]
    with pytest.raises(InvalidParameter, match="secret"):
        clients.create(pool.id, "m2m", settings=m2m)
    with pytest.raises(InvalidParameter, match="only OAuth flow"):
        clients.create(
            pool.id,
            "m2m",
            generate_secret=True,
            settings={**m2m, "AllowedOAuthFlows": ["client_credentials", "code"]},
        )
    with pytest.raises(InvalidParameter, match="custom"):
        clients.create(
            pool.id, "m2m", generate_secret=True, settings={**m2m, "AllowedOAuthScopes": ["openid"]}
        )


@pytest.mark.parametrize(
    "settings",
    [
        {"ExplicitAuthFlows": ["ALLOW_EVERYTHING"]},
        {"ExplicitAuthFlows": ["USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"]},
        {"AllowedOAuthFlows": ["password"]},
        {"AllowedOAuthScopes": ["api/unknown"]},
        {"AllowedOAuthScopes": ["openid"] * 51},
        {"AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": []},
        {
            "AllowedOAuthFlowsUserPoolClient": True,
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid"],
        },
        {"CallbackURLs": ["http://app.example.com/cb"]},
        {"CallbackURLs": ["https://app.example.com/cb#frag"]},
        {"CallbackURLs": ["/relative"]},
        {"LogoutURLs": ["http://evil.example.com/"]},
        {"CallbackURLs": ["https://a.example.com/"], "DefaultRedirectURI": "https://b.example.com/"},
        {"AccessTokenValidity": 2, "TokenValidityUnits": {"AccessToken": "minutes"}},
        {"IdTokenValidity": 2, "TokenValidityUnits": {"IdToken": "days"}},
        {"RefreshTokenValidity": 11, "TokenValidityUnits": {"RefreshToken": "years"}},
        {"RefreshTokenValidity": 30, "TokenValidityUnits": {"RefreshToken": "minutes"}},
        {
            "AccessTokenValidity": 23,
            "RefreshTokenValidity": 120,
            "TokenValidityUnits": {"RefreshToken": "minutes"},
        },
        {"AccessTokenValidity": "1"},
        {"PreventUserExistenceErrors": "SOMETIMES"},
        {"RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 61}},
        {"SupportedIdentityProviders": ["Google"]},
        {"ReadAttributes": ["custom:nope"]},
        {"AuthSessionValidity": 16},
    ],
)
def test_invalid_settings(clients, pool, settings):
    with pytest.raises(InvalidParameter):
        clients.create(pool.id, "bad", settings=settings)


def test_refresh_validity_zero_means_default(clients, pool):
    client = clients.create(pool.id, "c", settings={"RefreshTokenValidity": 0})
    assert token_validity_seconds(client.settings, "RefreshTokenValidity") == 30 * 86400


def test_update_replaces_settings_and_keeps_secret(clients, pool):
    client = clients.create(pool.id, "c", generate_secret=True, settings={"AccessTokenValidity": 2})
    updated = clients.update(pool.id, client.client_id, name="renamed", settings={"IdTokenValidity": 3})
    assert updated.name == "renamed" and updated.client_secret == client.client_secret
    assert updated.settings["IdTokenValidity"] == 3 and updated.settings["AccessTokenValidity"] == 1
    assert updated.settings == {**default_settings(), "IdTokenValidity": 3}
    with pytest.raises(NotFound):
        clients.update(pool.id, "nope", settings={})


def test_list_delete_and_pool_scoping(clients, pools, pool):
    other = pools.create("other")
    a = clients.create(pool.id, "a")
    clients.create(pool.id, "b")
    assert len(clients.list(pool.id).items) == 2
    with pytest.raises(NotFound):
        clients.describe(other.id, a.client_id)
    with pytest.raises(NotFound):
        clients.delete(other.id, a.client_id)
    clients.delete(pool.id, a.client_id)
    assert clients.find(a.client_id) is None
    with pytest.raises(InvalidParameter):
        clients.create(pool.id, "bad/name")
    with pytest.raises(NotFound):
        clients.create("us-east-1_nope", "x")
