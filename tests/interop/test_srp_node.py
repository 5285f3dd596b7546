"""amazon-cognito-identity-js (Amplify's Cognito library, from npm, unchanged) run in Node.js signs in
with SRP against a live authpool server, configured only with the pool's ``endpoint``; authpool.guard
accepts the access token it gets. Its AuthenticationHelper also derives the same key as
``authpool.server.pool.srp`` for fixed values.

The package is pinned by ``tests/interop/node/package-lock.json`` (no registry addresses in it) and
installed with ``npm ci`` on first use. These tests are skipped only when ``node``/``npm`` are missing
or the npm registry cannot be reached; any other install failure fails them. The library's pure-JS
big-integer arithmetic takes a second or two per sign-in, so this module runs one SQLite server only
(the PostgreSQL store is covered by the pycognito suite).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from tests.interop.boto3_support import ENV, PASSWORD
from tests.interop.node_support import node_with
from tests.interop.srp_support import NEW_PASSWORD, SrpWorld
from tests.support.live_server import LiveServer

from authpool.server.pool import srp

NODE_DIR = Path(__file__).parent / "node"


@pytest.fixture(scope="module")
def node() -> str:
    return node_with(NODE_DIR, "amazon-cognito-identity-js")


def run_js(node: str, request: dict) -> dict:
    done = subprocess.run([node, str(NODE_DIR / "srp_client.mjs")], input=json.dumps(request), capture_output=True,
                          text=True, timeout=60, cwd=NODE_DIR, env={**os.environ, "NODE_NO_WARNINGS": "1"},
                          check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """One SQLite server for this module (overrides the two-backend fixture of conftest.py)."""
    with LiveServer(tmp_path_factory.mktemp("srp-node"), env=ENV) as server:
        server.database_url = None
        yield server


@pytest.fixture(scope="module")
def world(admin, live):
    return SrpWorld(admin, live, users=("alice",))


def _sign_in(node, world, username, password=PASSWORD, *, app=None, pool=None, **extra) -> dict:
    return run_js(node, {"action": "signIn", "endpoint": world.live.base_url + "/", "poolId": pool or world.pool,
                         "clientId": (app or world.app)["ClientId"], "username": username, "password": password,
                         **extra})


def test_authentication_helper_derives_the_servers_key(node):
    """No server: the JS helper's HKDF key for fixed a, B and salt equals the server's."""
    pool_id, username, password = "eu-west-1_Zz9", "alice", "Pässwörd-€"
    salt = srp.new_salt()
    v = srp.verifier(srp.pool_name(pool_id), username, password, salt)
    a, b = srp.new_server_secret(), srp.new_server_secret()
    B = srp.server_public(v, b)
    out = run_js(node, {"action": "key", "poolName": srp.pool_name(pool_id), "username": username,
                        "password": password, "a": format(a, "x"), "B": format(B, "x"), "salt": format(salt, "x")})
    A = int(out["A"], 16)
    assert A == pow(srp.G, a, srp.N)
    assert bytes.fromhex(out["key"]) == srp.session_key(A, v, srp.scrambler(A, B), b)


def test_sign_in_and_the_guard_accepts_the_access_token(node, world):
    result = _sign_in(node, world, "alice")
    assert result["ok"], result
    claims = world.verifier(world.app["ClientId"]).verify(result["accessToken"])
    assert claims["username"] == "alice" and claims["token_use"] == "access"
    assert claims["client_id"] == world.app["ClientId"] and result["refreshToken"]


def test_new_password_required_is_completed_by_the_library(node, world):
    result = _sign_in(node, world, "newbie", newPassword=NEW_PASSWORD)
    assert result["ok"] and result["newPasswordRequired"], result
    assert world.verifier(world.app["ClientId"]).verify(result["accessToken"])["username"] == "newbie"
    again = _sign_in(node, world, "newbie", NEW_PASSWORD)
    assert again["ok"] and not again["newPasswordRequired"], again


def test_pool_signing_in_with_email(node, world):
    result = _sign_in(node, world, "ann@example.com", app=world.by_email_app, pool=world.by_email)
    assert result["ok"], result
    claims = world.verifier(world.by_email_app["ClientId"], pool=world.by_email).verify(result["accessToken"])
    assert claims["username"] == claims["sub"]


def test_wrong_password_and_unknown_user(node, world):
    wrong = _sign_in(node, world, "alice", "Wrong-Horse-42")
    assert not wrong["ok"] and wrong["code"] == "NotAuthorizedException", wrong
    assert wrong["message"] == "Incorrect username or password."
    unknown = _sign_in(node, world, "nobody")
    assert not unknown["ok"] and unknown["code"] == "UserNotFoundException", unknown
