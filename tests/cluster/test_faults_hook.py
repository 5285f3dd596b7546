"""A pool's pre-token webhook goes down (cut, then stalled, through a TCP proxy) while two server
processes serve the pool: sign-ins and refreshes fail closed with a clear error within the hook's
timeout, nothing is issued, other pools' work (client credentials on a V2 hook) goes on, and it all
recovers when the webhook is back."""

from __future__ import annotations

import threading
import time

import pytest
from examples.hooks.webhook_server import make_server
from tests.cluster.proxy import TcpProxy
from tests.cluster.support import ApiError, Cluster, claims

from authpool.server.hooks import set_hook

HOOK_TIMEOUT = 1.0
ARGON2 = 1.5  # one password verification on a busy two-core machine
UNAVAILABLE = "UnexpectedLambdaException"


def handler(event, _context):
    event["response"] = {"claimsAndScopeOverrideDetails": {
        "accessTokenGeneration": {"claimsToAddOrOverride": {"tier": "gold"}}}}
    return event


@pytest.fixture(scope="module")
def webhook():
    server = make_server(handler, b"unset")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with TcpProxy(server.server_address[1]) as proxy:
        yield server, proxy
    server.shutdown()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, pg_url):
    with Cluster(tmp_path_factory.mktemp("hook"), pg_url, n=2) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def world(cluster, webhook):
    server, proxy = webhook
    world = cluster.seed(users=1)
    secret = set_hook(cluster.ctx.db, world.pool_id, arn=f"http://127.0.0.1:{proxy.port}/pretoken", version="V2_0",
                      timeout=HOOK_TIMEOUT)
    server.secret = secret.encode()
    return world


@pytest.fixture(scope="module")
def apis(cluster):
    apis = [cluster.api(0), cluster.api(1)]
    yield apis
    for api in apis:
        api.close()


@pytest.mark.parametrize("fault", ["cut", "stall"])
def test_webhook_down_fails_sign_in_closed(world, webhook, apis, fault):
    _, proxy = webhook
    a, b = apis
    session = a.sign_in(world, "user0")
    assert claims(session["AccessToken"])["tier"] == "gold"  # the hook runs
    getattr(proxy, fault)()
    try:
        for api in (a, b):
            started = time.monotonic()
            with pytest.raises(ApiError) as refused:
                api.sign_in(world, "user0")
            assert refused.value.code == UNAVAILABLE
            assert refused.value.message.startswith("PreTokenGeneration invocation failed")
            assert time.monotonic() - started < HOOK_TIMEOUT + ARGON2
        with pytest.raises(ApiError) as refresh:  # the hook runs on refresh too: no token without it
            b.refresh(world, session["RefreshToken"])
        assert (refresh.value.status, refresh.value.code) == (500, "server_error")
        assert "pre-token hook failed" in refresh.value.message
        assert a.client_credentials(world)["access_token"]  # V2 does not run for client credentials
    finally:
        proxy.restore()
    assert claims(b.sign_in(world, "user0")["AccessToken"])["tier"] == "gold"
    assert claims(a.refresh(world, session["RefreshToken"])["access_token"])["tier"] == "gold"
