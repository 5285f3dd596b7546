"""The token endpoint's caches seen from outside (oauth/token.py, server/cache.py): a live server whose
clients and pools are changed through the Cognito API (its own services: seen by the very next token),
whose keys are rotated by the CLI (another process: seen within the cache TTL), and ``authpool serve
--workers 2`` (migrations run once by the parent; both workers issue)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from tests.interop.boto3_support import ENV, make_client
from tests.support.live_server import LiveServer

API = "https://api.cache.example"


def claims(token: str, part: int = 1) -> dict:
    piece = token.split(".")[part]
    return json.loads(base64.urlsafe_b64decode(piece + "=" * (-len(piece) % 4)))


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with LiveServer(tmp_path_factory.mktemp("token-cache"), env=ENV) as server:
        yield server


@pytest.fixture
def service(live):
    """A pool, its resource server and a client_credentials client, all made over the Cognito API."""
    admin = make_client(live)
    pool = admin.create_user_pool(PoolName="cache")["UserPool"]["Id"]
    admin.create_resource_server(UserPoolId=pool, Identifier=API, Name="api", Scopes=[
        {"ScopeName": "read", "ScopeDescription": "read"}, {"ScopeName": "write", "ScopeDescription": "write"}])
    client = admin.create_user_pool_client(
        UserPoolId=pool, ClientName="worker", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=[f"{API}/read", f"{API}/write"])["UserPoolClient"]
    return admin, pool, client


def token(live, pool, client, **extra) -> httpx.Response:
    return httpx.post(f"{live.base_url}/{pool}/oauth2/token", data={"grant_type": "client_credentials", **extra},
                      auth=(client["ClientId"], client["ClientSecret"]))


def test_client_changes_through_the_cognito_api_apply_to_the_very_next_token(live, service):
    admin, pool, client = service
    for _ in range(3):  # warm: the client and the keys are now served from memory
        assert token(live, pool, client).json()["scope"] == f"{API}/read {API}/write"
    admin.update_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"], AllowedOAuthFlowsUserPoolClient=True,
                                  AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=[f"{API}/read"])
    assert token(live, pool, client).json()["scope"] == f"{API}/read"
    admin.update_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"])  # OAuth off (settings reset)
    assert token(live, pool, client).json()["error"] == "unauthorized_client"
    admin.delete_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"])
    gone = token(live, pool, client)
    assert gone.status_code == 401 and gone.json()["error"] == "invalid_client"


def test_what_the_grant_remembers_of_a_client_follows_its_changes(live, service):
    """The scopes granted per ``scope`` parameter and the token lifetime are kept with the cached client
    record (cache.PerRecord): a change through the Cognito API applies to the very next token."""
    admin, pool, client = service
    for _ in range(3):
        answer = token(live, pool, client, scope=f"{API}/write").json()
        assert answer["scope"] == f"{API}/write" and answer["expires_in"] == 3600
    admin.update_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"], AllowedOAuthFlowsUserPoolClient=True,
                                  AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=[f"{API}/read"],
                                  AccessTokenValidity=5, TokenValidityUnits={"AccessToken": "minutes"})
    refused = token(live, pool, client, scope=f"{API}/write")
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"
    answer = token(live, pool, client, scope=f"{API}/read {API}/write").json()
    assert answer["scope"] == f"{API}/read" and answer["expires_in"] == 300
    assert claims(answer["access_token"])["exp"] - claims(answer["access_token"])["iat"] == 300


def test_a_deleted_pool_issues_nothing_more(live, service):
    admin, pool, client = service
    assert token(live, pool, client).status_code == 200
    admin.delete_user_pool(UserPoolId=pool)
    assert token(live, pool, client).json()["error"] == "invalid_client"


def test_a_wrong_secret_is_refused_while_the_client_is_cached(live, service):
    _, pool, client = service
    assert token(live, pool, client).status_code == 200
    assert token(live, pool, {**client, "ClientSecret": client["ClientSecret"][:-1] + "x"}).status_code == 401


def test_a_key_rotation_by_the_cli_is_seen_within_the_cache_ttl(live, service):
    _, pool, client = service
    before = claims(token(live, pool, client).json()["access_token"], 0)["kid"]
    rotate = [sys.executable, "-m", "authpool", "keys", "rotate", "--pool", pool, "--data-dir", str(live.data_dir)]
    done = subprocess.run(rotate, check=False, capture_output=True, text=True, env={**os.environ, **ENV}, timeout=60)
    assert done.returncode == 0, done.stderr
    deadline = time.monotonic() + 10  # the TTL is 2 s; the old key signs until then (it stays in the JWKS)
    while time.monotonic() < deadline:
        kid = claims(token(live, pool, client).json()["access_token"], 0)["kid"]
        if kid != before:
            break
        time.sleep(0.1)
    assert kid != before
    jwks = httpx.get(f"{live.base_url}/{pool}/.well-known/jwks.json").json()
    assert {before, kid} <= {k["kid"] for k in jwks["keys"]}


def test_serve_with_two_workers_migrates_once_and_both_workers_issue(tmp_path):
    with LiveServer(tmp_path / "two", env=ENV, extra_args=["--workers", "2"]) as server:
        admin = make_client(server)
        pool = admin.create_user_pool(PoolName="two")["UserPool"]["Id"]
        admin.create_resource_server(UserPoolId=pool, Identifier=API, Name="api",
                                     Scopes=[{"ScopeName": "read", "ScopeDescription": "read"}])
        client = admin.create_user_pool_client(
            UserPoolId=pool, ClientName="w", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=[f"{API}/read"])["UserPoolClient"]
        with ThreadPoolExecutor(8) as pool_of_threads:
            answers = list(pool_of_threads.map(lambda _: token(server, pool, client).status_code, range(64)))
        assert answers == [200] * 64
        children = subprocess.run(["ps", "-o", "args=", "--ppid", str(server.process.pid)], check=True,
                                  capture_output=True, text=True).stdout
        # Two workers under one parent. The workers build their context without migrating and refuse a
        # schema that is not the latest (context.py), so their issuing shows the parent migrated first, once.
        assert children.count("multiprocessing.spawn") == 2, children
