"""Two server processes on one SQLite file with ``AUTHPOOL_REDIS_URL``: cache invalidations travel
over Redis pub/sub. A change is applied by the other processes within the connected bound; while
their subscription is cut they stop trusting their caches within ``SYNC_TIMEOUT + HEARTBEAT``
(docs/deploy.md) and flush again when it is back, so a missed message is never served stale for long.
The operator's process (here the test, like the CLI) publishes to Redis directly."""

from __future__ import annotations

import pytest
from tests.cluster.proxy import TcpProxy
from tests.cluster.support import REDIS_URL, Cluster, kid, wait_until

from authpool.server.invalidation import HEARTBEAT, SYNC_TIMEOUT

CONNECTED_BOUND = 1.0
MISSED_BOUND = SYNC_TIMEOUT + HEARTBEAT + 1.0  # plus scheduling on a busy machine


@pytest.fixture(scope="module")
def proxy():
    with TcpProxy(int(REDIS_URL.rsplit(":", 1)[1].split("/")[0])) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, proxy):
    tmp = tmp_path_factory.mktemp("sqlite-redis")
    with Cluster(tmp, f"sqlite:///{tmp / 'authpool.db'}", n=2, redis_url=f"redis://127.0.0.1:{proxy.port}/0",
                 own_redis_url=REDIS_URL) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def world(cluster):
    return cluster.seed(users=0)


def signs_with(api, world, wanted: str) -> bool:
    return kid(api.client_credentials(world)["access_token"]) == wanted


def test_a_rotation_reaches_the_other_processes_over_redis(cluster, world):
    apis = [cluster.api(0), cluster.api(1)]
    for api in apis:
        api.client_credentials(world)  # both cache the pool's keys
    new = cluster.ctx.keys.rotate(world.pool_id)["access"]
    for api in apis:
        wait_until(lambda api=api: signs_with(api, world, new), timeout=CONNECTED_BOUND)
        api.close()


def test_a_missed_invalidation_is_bounded_and_flushed_on_reconnect(cluster, world, proxy):
    apis = [cluster.api(0), cluster.api(1)]
    for api in apis:
        api.client_credentials(world)
    proxy.cut()  # the servers lose Redis (sign-in fails closed meanwhile); the operator still reaches it
    try:
        new = cluster.ctx.keys.rotate(world.pool_id)["access"]
        for api in apis:  # the message is lost for them, but they stop trusting their caches
            wait_until(lambda api=api: signs_with(api, world, new), timeout=MISSED_BOUND)
    finally:
        proxy.restore()
    newer = cluster.ctx.keys.rotate(world.pool_id)["access"]  # subscribed again: back to the connected bound
    for api in apis:
        wait_until(lambda api=api: signs_with(api, world, newer), timeout=MISSED_BOUND)
        api.close()
