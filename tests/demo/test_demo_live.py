"""``authpool demo`` (what ``make run`` starts) as a user runs it: a real process on a free port."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import httpx
import jwt as pyjwt
import pytest
from tests.support.live_server import LiveServer

from authpool.server.context import build_context
from authpool.server.settings import Settings

PASSWORD = "Demo-Passw0rd!"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("demo")
    with LiveServer(data_dir, command="demo", env={"AUTHPOOL_DEMO_PASSWORD": PASSWORD}) as live:
        yield live


def _printed(live, label: str) -> str:
    match = re.search(rf"{label}\s+(\S+)", live.log())
    assert match, live.log()
    return match.group(1)


def test_demo_prints_what_to_try(demo):
    log = demo.log()
    issuer = _printed(demo, "issuer")
    assert issuer.startswith(demo.base_url + "/us-east-1_")
    assert "AWS_ACCESS_KEY_ID=AKIA" in log and "AWS_SECRET_ACCESS_KEY=" in log
    assert re.search(r"demo-spa\s+[a-z0-9]{26}", log) and re.search(r"demo-service\s+[a-z0-9]{26}\s+secret \S+", log)
    assert PASSWORD in log and "from AUTHPOOL_DEMO_PASSWORD" in log


def test_demo_discovery_and_jwks_verify_a_token_minted_by_the_pool(demo):
    issuer = _printed(demo, "issuer")
    pool_id = issuer.rsplit("/", 1)[1]
    config = httpx.get(f"{issuer}/.well-known/openid-configuration").json()
    assert config["issuer"] == issuer
    jwks = pyjwt.PyJWKSet.from_dict(httpx.get(config["jwks_uri"]).json())
    ctx = build_context(Settings(data_dir=demo.data_dir, port=demo.port), migrate=False)
    try:
        client = next(c for c in ctx.clients.list(pool_id).items if c.name == "demo-spa")
        alice = ctx.users.authenticate(pool_id, "alice", PASSWORD)
        result = ctx.tokens.for_user(client=client, user=alice, scopes=["openid", "orders/read"],
                                     trigger_source="TokenGeneration_Authentication")
    finally:
        ctx.db.dispose()
    access = pyjwt.decode(result.access_token, jwks[pyjwt.get_unverified_header(result.access_token)["kid"]].key,
                          algorithms=["RS256"], issuer=issuer)
    assert access["cognito:groups"] == ["admin"] and access["username"] == "alice" and "email" not in access
    id_claims = pyjwt.decode(result.id_token, jwks[pyjwt.get_unverified_header(result.id_token)["kid"]].key,
                             algorithms=["RS256"], issuer=issuer, audience=client.client_id)
    assert id_claims["custom:tier"] == "premium" and id_claims["email"] == "alice@example.com"
    # token inspect verifies against the live issuer and tells the two apart
    for token, expected in ((result.access_token, "access token"), (result.id_token, "NO: this is an ID token")):
        out = subprocess.run([sys.executable, "-m", "authpool", "token", "inspect", token, "--issuer", issuer],
                             capture_output=True, text=True, timeout=60, check=False).stdout
        assert expected in out and "valid signature from this issuer" in out


def test_demo_seed_is_idempotent(tmp_path):
    ids = []
    for _ in range(2):
        with LiveServer(tmp_path, command="demo", env={"AUTHPOOL_DEMO_PASSWORD": PASSWORD}) as live:
            time.sleep(0.2)
            ids.append((_printed(live, "user pool"), re.search(r"demo-spa\s+(\S+)", live.log()).group(1)))
    assert ids[0] == ids[1]


def test_demo_on_another_port_registers_its_callback(tmp_path):
    from authpool.server.context import build_context as build

    ports = []
    for _ in range(2):
        with LiveServer(tmp_path, command="demo", env={"AUTHPOOL_DEMO_PASSWORD": PASSWORD}) as live:
            ports.append(live.port)
    ctx = build(Settings(data_dir=tmp_path), migrate=False)
    try:
        pool_id = ctx.pools.list().items[0].id
        spa = next(c for c in ctx.clients.list(pool_id).items if c.name == "demo-spa")
        callbacks = ctx.clients.describe(pool_id, spa.client_id).settings["CallbackURLs"]
    finally:
        ctx.db.dispose()
    for port in ports:
        assert f"http://127.0.0.1:{port}/demo/callback" in callbacks
