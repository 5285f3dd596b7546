"""Every example in examples/hooks/ run through TokenService, in-process and as a webhook."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from examples.hooks import tenant_permissions, webhook_server
from tests.server.hooks.conftest import POOL, claims_of

from authpool.server.hooks import HookRejected, HookUnavailable


@pytest.fixture
def backend() -> str:
    """What is tested here does not depend on the store: SQLite only (the store-facing paths run on
    both backends in test_hook_versions, _rules, _failures and _cache)."""
    return "sqlite"


E = "python:examples.hooks."


@pytest.fixture
def tenant_table(tmp_path, monkeypatch, world):
    path = tmp_path / "tenants.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(tenant_permissions.SCHEMA)
        conn.executemany("INSERT INTO principals VALUES (?, ?)", [(world.user.sub, "acme"), ("machine1", "acme")])
        conn.executemany("INSERT INTO permissions VALUES (?, ?)", [
            (world.user.sub, "orders:write"), (world.user.sub, "orders:read"), ("machine1", "inventory:sync")])
    monkeypatch.setenv(tenant_permissions.TABLE_ENV, str(path))
    return path


def test_tenant_and_permissions_from_a_table(world, tenant_table):
    world.hook(E + "tenant_permissions:handler", "V3_0")
    result = world.sign_in()
    access = claims_of(result.access_token)
    assert access["tenant_id"] == "acme" and access["permissions"] == ["orders:read", "orders:write"]
    assert "tenant_id" not in claims_of(result.id_token)
    machine = claims_of(world.m2m().access_token)
    assert machine["tenant_id"] == "acme" and machine["permissions"] == ["inventory:sync"]
    with sqlite3.connect(tenant_table) as conn:
        conn.execute("DELETE FROM principals")
    assert "tenant_id" not in claims_of(world.sign_in().access_token)  # unknown: tokens as usual


@pytest.mark.parametrize("version", ["V1_0", "V2_0"])
def test_suppress_email_for_one_client(world, monkeypatch, version):
    with world.db.transaction() as tx:
        partner = tx.clients.create(POOL, client_id="partner1", name="partner", client_secret=None,
                                    settings={"ReadAttributes": ["email", "email_verified", "name"]})
    monkeypatch.setenv("NO_EMAIL_CLIENT_IDS", "partner1, someoneelse")
    world.hook(E + "suppress_email:handler", version)
    theirs = world.service.for_user(client=partner, user=world.user, scopes=["openid"],
                                    trigger_source="TokenGeneration_HostedAuth")
    partner_id = claims_of(theirs.id_token)
    assert "email" not in partner_id and "email_verified" not in partner_id and partner_id["name"] == "Alice"
    ours = claims_of(world.sign_in().id_token)
    assert ours["email"] == "alice@example.com" and ours["email_verified"] is True


def test_a_scope_for_group_members_goes_with_the_membership(world, clock):
    world.hook(E + "group_scope:handler", "V2_0")
    first = world.sign_in(scopes=["aws.cognito.signin.user.admin"])
    assert claims_of(first.access_token)["scope"] == "aws.cognito.signin.user.admin orders/admin"
    with world.db.transaction() as tx:
        tx.groups.remove_member(POOL, "admin", world.user.sub)
    clock.advance(60)
    refreshed = claims_of(world.refresh(first).access_token)
    assert refreshed["scope"] == "aws.cognito.signin.user.admin"  # not kept from the first token


@pytest.fixture
def example_webhook(clock):
    servers = []

    def start(handler):
        server = webhook_server.make_server(handler, b"not-yet", clock=clock)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server, f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_an_example_served_as_a_signed_webhook(world, example_webhook):
    from examples.hooks import group_scope

    server, url = example_webhook(group_scope.handler)
    server.secret = world.hook(url, "V2_0").encode()
    assert "orders/admin" in claims_of(world.sign_in().access_token)["scope"]
    server.secret = b"a-different-secret"  # the receiver refuses what it cannot verify
    with pytest.raises(HookUnavailable) as caught:
        world.sign_in()
    assert caught.value.reason == "HTTP401"


def test_a_webhook_handler_s_exception_refuses_the_sign_in(world, example_webhook):
    def closed(event, context):
        raise RuntimeError("Maintenance until 06:00 UTC")

    server, url = example_webhook(closed)
    server.secret = world.hook(url, "V2_0").encode()
    with pytest.raises(HookRejected) as caught:
        world.sign_in()
    assert caught.value.message == "PreTokenGeneration failed with error Maintenance until 06:00 UTC."
