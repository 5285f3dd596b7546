"""PostgreSQL goes away under load (a TCP proxy between both servers and 127.0.0.1:5432 is cut, then
stalled): every request fails fast with the protocol's internal error, /health says 503, nothing is
half-written, and both servers recover by themselves when the database is back."""

from __future__ import annotations

import time

import pytest
from tests.cluster.load import Load, chain_problems
from tests.cluster.proxy import TcpProxy
from tests.cluster.support import Cluster, database_url, wait_until

pytestmark = pytest.mark.slow

#: What a store failure may look like on the wire: Cognito's InternalErrorException, OAuth's server_error.
STORE_DOWN = {"500 InternalErrorException", "500 server_error"}
#: connect_timeout (3 s, AUTHPOOL_DATABASE_CONNECT_TIMEOUT) plus a reconnect after a failed pre-ping,
#: plus scheduling on a busy two-core machine.
FAST = 8.0
RECOVERY = 15.0


@pytest.fixture(scope="module")
def proxy():
    with TcpProxy(5432) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, database_name, proxy):
    proxied = database_url(database_name, port=proxy.port)
    with Cluster(tmp_path_factory.mktemp("pgfault"), database_url(database_name), n=2,
                 urls=[proxied, proxied]) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def world(cluster):
    return cluster.seed(users=4)


def outage(cluster, world, proxy, fault) -> None:
    chains = Load.sign_in_chains(cluster, world, world.users[:3])
    health = [cluster.api(i, timeout=30) for i in range(2)]
    with Load(cluster, world, chains=chains, m2m_threads=1, signin_threads=1) as load:
        time.sleep(1.5)
        cut_at = time.monotonic()  # before the fault: a call that fails while it happens ends after this
        fault()
        time.sleep(0.5)
        statuses = []
        for api in health:
            started = time.monotonic()
            statuses.append((api.health(), time.monotonic() - started))
            assert api.http.get("/health/live").status_code == 200  # alive, only not ready
        time.sleep(2.5)
        proxy.restore()
        restored_at = time.monotonic()
        for api in health:
            wait_until(lambda api=api: api.health() == 200, timeout=RECOVERY)
        recovered = wait_until(lambda: any(c.ok for c in load.between(restored_at + 0.1, 1e18)), timeout=RECOVERY)
        steady_from = time.monotonic() + 1.0
        time.sleep(3.0)
    for api in health:
        api.close()

    before = [c for c in load.between(0, cut_at) if c.started + c.elapsed < cut_at]
    during = [c for c in load.between(0, restored_at) if not c.ok and c.started + c.elapsed >= cut_at]
    after = load.between(steady_from, 1e18)
    print(f"\n{fault.__name__}: {len(before)} ok before; {len(during)} failed during, slowest "
          f"{max((c.elapsed for c in during), default=0):.2f}s; health {statuses}; recovered in {recovered:.2f}s; "
          f"{len(after)} ok after")
    assert before and all(c.ok for c in before), [c for c in before if not c.ok][:5]
    assert during, "the fault produced no failed request"
    assert {c.outcome for c in during} <= STORE_DOWN, {c.outcome for c in during}
    assert max(c.elapsed for c in during) < FAST, max(c.elapsed for c in during)
    assert statuses and all(status == 503 and elapsed < FAST for status, elapsed in statuses), statuses
    assert after and all(c.ok for c in after), [c for c in after if not c.ok][:5]
    assert {c.op for c in after} >= {"refresh", "client_credentials"}
    assert chain_problems(cluster, chains) == []
    for chain in chains:  # every client goes on with its session
        assert chain.successes > 0


def test_database_stopped_mid_load(cluster, world, proxy):
    outage(cluster, world, proxy, proxy.cut)


def test_database_host_stalled_mid_load(cluster, world, proxy):
    outage(cluster, world, proxy, proxy.stall)
