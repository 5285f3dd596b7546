"""The demo orders API on a real ``authpool demo`` process, with tokens the pool itself issued."""

from __future__ import annotations

import re

import httpx
import pytest
from tests.support.live_server import LiveServer

from authpool.server.context import build_context
from authpool.server.settings import Settings

PASSWORD = "Demo-Passw0rd!"
ALL_SCOPES = ["openid", "profile", "email", "orders/read", "orders/write", "orders/delete"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("demo-api")
    with LiveServer(data_dir, command="demo", env={"AUTHPOOL_DEMO_PASSWORD": PASSWORD}) as live:
        live.issuer = re.search(r"issuer\s+(\S+)", live.log()).group(1)
        live.api = f"{live.base_url}/demo/api"
        yield live


@pytest.fixture(scope="module")
def tokens(demo):
    """``tokens[(username, scopes)] -> (access, id)``, minted by the pool's TokenService (the one place
    tokens are made), for the demo-spa client, as the code flow would."""
    pool_id = demo.issuer.rsplit("/", 1)[1]
    ctx = build_context(Settings(data_dir=demo.data_dir, port=demo.port), migrate=False)
    out = {}
    try:
        spa = next(c for c in ctx.clients.list(pool_id).items if c.name == "demo-spa")
        spa = ctx.clients.describe(pool_id, spa.client_id)
        for username in ("alice", "bob"):
            user = ctx.users.authenticate(pool_id, username, PASSWORD)
            for scopes in (ALL_SCOPES, ["openid", "orders/read"]):
                result = ctx.tokens.for_user(client=spa, user=user, scopes=scopes,
                                             trigger_source="TokenGeneration_HostedAuth", nonce="n")
                out[(username, len(scopes))] = (result.access_token, result.id_token)
    finally:
        ctx.db.dispose()
    return out


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_no_token_is_401_without_error_code(demo):
    response = httpx.get(f"{demo.api}/orders")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "error" not in response.json()


def test_read_with_access_token(demo, tokens):
    access, _ = tokens[("bob", 2)]
    response = httpx.get(f"{demo.api}/orders", headers=_bearer(access))
    assert response.status_code == 200, response.text
    orders = response.json()["orders"]
    assert len(orders) >= 3 and {"id", "item", "quantity", "status"} <= orders[0].keys()


def test_id_token_is_refused_with_the_rule(demo, tokens):
    _, id_token = tokens[("alice", len(ALL_SCOPES))]
    response = httpx.get(f"{demo.api}/orders", headers=_bearer(id_token))
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "invalid_token"
    assert "ID token" in body["error_description"] and "access token" in body["error_description"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert "alice" not in response.text  # no claim values on the wire


def test_write_needs_orders_write(demo, tokens):
    reader, _ = tokens[("bob", 2)]
    response = httpx.post(f"{demo.api}/orders", json={"item": "Pen", "quantity": 2}, headers=_bearer(reader))
    assert response.status_code == 403 and response.json()["error"] == "insufficient_scope"
    assert response.json()["scope"] == "orders/write"
    writer, _ = tokens[("bob", len(ALL_SCOPES))]
    created = httpx.post(f"{demo.api}/orders", json={"item": "Pen", "quantity": 2}, headers=_bearer(writer))
    assert created.status_code == 201 and created.json()["item"] == "Pen"
    order_id = created.json()["id"]
    updated = httpx.put(f"{demo.api}/orders/{order_id}", json={"status": "shipped"}, headers=_bearer(writer))
    assert updated.status_code == 200 and updated.json()["status"] == "shipped"
    assert httpx.get(f"{demo.api}/orders/{order_id}", headers=_bearer(writer)).json()["status"] == "shipped"


@pytest.mark.parametrize("body", [{"item": "", "quantity": 1}, {"item": "x", "quantity": 0},
                                  {"item": "x", "quantity": True}, {"item": "x" * 101, "quantity": 1}, [1]])
def test_bad_order_input(demo, tokens, body):
    writer, _ = tokens[("bob", len(ALL_SCOPES))]
    response = httpx.post(f"{demo.api}/orders", json=body, headers=_bearer(writer))
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_delete_needs_scope_and_admin_group(demo, tokens):
    bob, _ = tokens[("bob", len(ALL_SCOPES))]
    alice, _ = tokens[("alice", len(ALL_SCOPES))]
    alice_reader, _ = tokens[("alice", 2)]
    order_id = httpx.post(f"{demo.api}/orders", json={"item": "Doomed", "quantity": 1},
                          headers=_bearer(bob)).json()["id"]
    # bob has the orders/delete scope but is not in the admin group
    refused = httpx.delete(f"{demo.api}/orders/{order_id}", headers=_bearer(bob))
    assert refused.status_code == 403 and refused.json()["error"] == "insufficient_scope"
    assert "group" in refused.json()["error_description"]
    # alice is an admin, but this token lacks the scope
    refused = httpx.delete(f"{demo.api}/orders/{order_id}", headers=_bearer(alice_reader))
    assert refused.status_code == 403 and refused.json()["scope"] == "orders/delete"
    assert httpx.get(f"{demo.api}/orders/{order_id}", headers=_bearer(bob)).status_code == 200
    assert httpx.delete(f"{demo.api}/orders/{order_id}", headers=_bearer(alice)).status_code == 204
    assert httpx.get(f"{demo.api}/orders/{order_id}", headers=_bearer(bob)).status_code == 404


def test_whoami_shows_no_personal_data(demo, tokens):
    alice, _ = tokens[("alice", len(ALL_SCOPES))]
    me = httpx.get(f"{demo.api}/whoami", headers=_bearer(alice)).json()
    assert me["username"] == "alice" and me["groups"] == ["admin"] and "orders/delete" in me["scopes"]
    assert "email" not in me and "example.com" not in str(me)


def test_unlisted_route_is_denied(demo, tokens):
    alice, _ = tokens[("alice", len(ALL_SCOPES))]
    assert httpx.patch(f"{demo.api}/orders/1001", json={}, headers=_bearer(alice)).status_code in (403, 405)
    assert httpx.get(f"{demo.api}/secrets", headers=_bearer(alice)).status_code == 403


def test_config_json(demo):
    config = httpx.get(f"{demo.base_url}/demo/config.json").json()
    assert config["authority"] == demo.issuer
    assert re.fullmatch(r"[a-z0-9]{26}", config["client_id"])
    assert config["redirect_uri"] == f"{demo.base_url}/demo/callback"
    assert "orders/delete" in config["scope"] and config["api"] == demo.api
    assert "email" in config["pii_claims"] and config["pii_prefixes"] == ["custom:"]


def test_dashboard_pages_and_policy(demo):
    assert httpx.get(f"{demo.base_url}/demo").status_code == 308
    for path in ("/demo/", "/demo/callback?code=x&state=y"):
        page = httpx.get(f"{demo.base_url}{path}")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert page.headers["x-frame-options"] == "DENY" and page.headers["referrer-policy"] == "no-referrer"
    asset = re.search(r'src="(/demo/assets/[^"]+\.js)"', page.text).group(1)
    script = httpx.get(f"{demo.base_url}{asset}")
    assert script.status_code == 200 and "immutable" in script.headers["cache-control"]
    assert httpx.get(f"{demo.base_url}/demo/assets/nope.js").status_code == 404
