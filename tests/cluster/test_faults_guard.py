"""``authpool.guard`` in front of an API, with the server's JWKS endpoint behind a TCP proxy that goes
down: tokens keep verifying from the cached key set within its stale window (a new kid cannot be
fetched: refused), then verification fails closed; when the endpoint is back, it verifies again."""

from __future__ import annotations

import time

import pytest
from tests.cluster.proxy import TcpProxy
from tests.cluster.support import Cluster, kid

from authpool.guard import AccessTokenVerifier
from authpool.guard.errors import JwksUnavailable, KeyNotFound

MAX_AGE = 1  # AUTHPOOL_JWKS_MAX_AGE: the key set is fresh for one second
STALE_WINDOW = 4.0  # room for the rotations below to reach the server (delivery bound 1 s each)
COOLDOWN = 0.2


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, pg_url):
    with Cluster(tmp_path_factory.mktemp("guard"), pg_url, n=1, env={"AUTHPOOL_JWKS_MAX_AGE": str(MAX_AGE)}) as c:
        yield c


@pytest.fixture(scope="module")
def world(cluster):
    return cluster.seed(users=0)


@pytest.fixture(scope="module")
def proxy(cluster):
    with TcpProxy(cluster.nodes[0].port) as proxy:
        yield proxy


def _token_after_rotation(api, world, old_kid: str) -> str:
    """A token signed after a rotation made in another process has reached the server: the cache
    invalidation is asynchronous, bounded at 1 s when the channel is connected (docs/deploy.md)."""
    deadline = time.monotonic() + 1.0
    while True:
        token = api.client_credentials(world)["access_token"]
        if kid(token) != old_kid or time.monotonic() > deadline:
            return token
        time.sleep(0.05)


def test_guard_keeps_verifying_from_cache_within_its_stale_window_then_fails_closed(cluster, world, proxy):
    api = cluster.api(0)
    verifier = AccessTokenVerifier(
        issuer=f"{cluster.base_url}/{world.pool_id}", client_ids=[world.m2m_id], algorithms=["RS256"],
        jwks_uri=f"http://127.0.0.1:{proxy.port}/{world.pool_id}/.well-known/jwks.json",
        jwks_options={"min_ttl": 0.5, "default_ttl": 1.0, "max_ttl": 60.0, "stale_window": STALE_WINDOW,
                      "cooldown": COOLDOWN, "timeout": 1.0})
    token = api.client_credentials(world)["access_token"]
    assert verifier.verify(token).client_id == world.m2m_id
    fetched_at = time.monotonic()

    proxy.cut()
    time.sleep(MAX_AGE + 0.3)  # past freshness: every verification tries to refresh, and cannot
    assert time.monotonic() - fetched_at < MAX_AGE + STALE_WINDOW - 0.5
    assert verifier.verify(token).client_id == world.m2m_id  # stale, still within the window
    another = api.client_credentials(world)["access_token"]  # same key: verifies from the cache too
    assert verifier.verify(another).client_id == world.m2m_id
    cluster.ctx.keys.rotate(world.pool_id)  # the promoted key was published as "next": already cached
    promoted = _token_after_rotation(api, world, kid(token))
    assert kid(promoted) != kid(token)
    assert verifier.verify(promoted).client_id == world.m2m_id
    cluster.ctx.keys.rotate(world.pool_id)  # now a key published after the guard's last fetch
    rotated = _token_after_rotation(api, world, kid(promoted))
    time.sleep(COOLDOWN)
    with pytest.raises((KeyNotFound, JwksUnavailable)):
        verifier.verify(rotated)

    time.sleep(max(0.0, fetched_at + MAX_AGE + STALE_WINDOW + 0.2 - time.monotonic()))
    with pytest.raises(JwksUnavailable):  # past the stale window: fail closed
        verifier.verify(token)

    proxy.restore()
    time.sleep(COOLDOWN)
    assert verifier.verify(rotated).client_id == world.m2m_id
    assert verifier.verify(token).client_id == world.m2m_id  # the retired key is still published
    api.close()
