"""``kill -9`` of a worker of ``authpool serve --workers 2`` under load: the supervisor replaces it,
clients retry what failed and carry on, and no refresh token is lost or issued twice (rotation on,
with the client's retry grace period covering an answer lost after its commit)."""

from __future__ import annotations

import time

import pytest
from tests.cluster.load import Load, chain_problems
from tests.cluster.proxy import TcpProxy
from tests.cluster.support import Cluster, database_url, kill9, wait_until, worker_pids

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def proxy():
    with TcpProxy(5432) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, database_name, proxy):
    proxied = database_url(database_name, port=proxy.port)
    with Cluster(tmp_path_factory.mktemp("kill"), database_url(database_name), n=1, workers=2,
                 urls=[proxied]) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def world(cluster):
    return cluster.seed(users=4)


def test_kill_9_of_a_worker_under_load_loses_nothing(cluster, world):
    server = cluster.nodes[0].process.pid
    wait_until(lambda: len(worker_pids(server)) == 2, timeout=10)
    chains = Load.sign_in_chains(cluster, world, world.users)
    killed = []
    with Load(cluster, world, chains=chains, m2m_threads=1, signin_threads=1) as load:
        time.sleep(1.5)
        for _ in range(3):
            victim = worker_pids(server)[0]
            kill9(victim)
            killed.append(victim)
            wait_until(lambda v=victim: len(worker_pids(server)) == 2 and v not in worker_pids(server), timeout=20)
            time.sleep(1.0)
        last_kill = time.monotonic()
        time.sleep(2.0)
    failures = [c for c in load.calls if not c.ok]
    outcomes = {c.outcome for c in failures}
    print(f"\n{len(load.calls)} calls, {len(failures)} failed ({sorted(outcomes)}), "
          f"{sum(c.retries for c in chains)} chain retries, killed {killed}")
    # A killed worker drops its connections; nothing is ever refused as invalid.
    assert all(o.startswith(("conn ", "500 ")) for o in outcomes), outcomes
    assert [c for c in load.calls if c.started > last_kill + 1.0 and not c.ok] == []
    assert sum(1 for c in load.calls if c.ok) > 100
    assert chain_problems(cluster, chains) == []
    for chain in chains:
        assert chain.successes > 0
    assert set(killed).isdisjoint(worker_pids(server))


def test_a_worker_killed_while_the_database_is_down_is_replaced_and_serves_when_it_returns(cluster, world, proxy):
    server = cluster.nodes[0].process
    api = cluster.api(0, timeout=30)
    session = api.sign_in(world, world.users[0])
    proxy.cut()
    try:
        victim = worker_pids(server.pid)[0]
        kill9(victim)
        wait_until(lambda: len(worker_pids(server.pid)) == 2 and victim not in worker_pids(server.pid), timeout=20)
        time.sleep(2.0)  # a worker that failed to start would have stopped the whole server by now
        assert server.poll() is None and len(worker_pids(server.pid)) == 2
        assert api.health() == 503
    finally:
        proxy.restore()
    wait_until(lambda: api.health() == 200, timeout=15)
    for _ in range(4):  # and it serves again, whichever worker answers
        session["RefreshToken"] = api.refresh(world, session["RefreshToken"])["refresh_token"]
    api.close()
