"""The attack tests' server (the shared one of tests/server/oauth/world.py), plus a second pool on it
for the mix-up test."""

from __future__ import annotations

import httpx
import pytest
from tests.server.oauth.world import Client, shared_world


@pytest.fixture(scope="session")
def world(tmp_path_factory, pytestconfig):
    w = shared_world(tmp_path_factory, pytestconfig)
    if hasattr(w, "other_pool_id"):
        return w
    other = w.ctx.pools.create("other-pool")
    w.ctx.keys.ensure(other.id)
    created = w.ctx.clients.create(other.id, "Other SPA", settings={
        "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
        "CallbackURLs": ["https://spa.example/callback"], "AllowedOAuthScopes": ["openid"]})
    w.other_pool_id, w.other_client = other.id, Client(created.client_id, None, "https://spa.example/callback")
    return w


@pytest.fixture
def browser():
    with httpx.Client(timeout=10) as http:
        yield http
