"""Races across processes on one PostgreSQL database: 50 concurrent refreshes of one refresh token
(rotation on, no grace period) through two servers and both doors have exactly one winner; every
other request is refused (as a replay, or as the revoked token it has become), and the session ends
consistently everywhere."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from tests.cluster.support import ApiError, Cluster, claims

CONCURRENT = 50


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, pg_url):
    with Cluster(tmp_path_factory.mktemp("race"), pg_url, n=2) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def world(cluster):
    return cluster.seed(users=1)


def test_fifty_concurrent_refreshes_of_one_token_have_one_winner(cluster, world):
    apis = [cluster.api(i % 2, timeout=60) for i in range(CONCURRENT)]
    signed_in = apis[0].sign_in(world, "user0", client_id=world.strict_id)
    token, origin_jti = signed_in["RefreshToken"], claims(signed_in["AccessToken"])["origin_jti"]
    for api in apis:  # connections open before the start, so the requests really overlap
        assert api.health() == 200
    barrier = threading.Barrier(CONCURRENT)

    def attempt(i: int):
        api = apis[i]
        barrier.wait()
        try:
            if i % 4 < 2:
                return "ok", api.refresh(world, token, client_id=world.strict_id)["refresh_token"]
            return "ok", api.refresh_cognito(world, token, client_id=world.strict_id)["RefreshToken"]
        except ApiError as exc:
            return f"{exc.status} {exc.code}", None

    with ThreadPoolExecutor(CONCURRENT) as pool:
        results = list(pool.map(attempt, range(CONCURRENT)))
    outcomes = [outcome for outcome, _ in results]
    winners = [new for outcome, new in results if outcome == "ok"]
    assert len(winners) == 1, outcomes
    # A replay is refused as such; one that arrives after another replay has already revoked the
    # session is refused as a revoked token (Cognito: NotAuthorizedException; OAuth: invalid_grant either way).
    assert set(outcomes) - {"ok"} <= {"400 invalid_grant", "400 RefreshTokenReuseException",
                                      "400 NotAuthorizedException"}, set(outcomes)
    assert "400 RefreshTokenReuseException" in outcomes
    assert len([o for o in outcomes if o != "ok"]) == CONCURRENT - 1

    # The replays revoked the session: the store agrees, and so does every door of both servers.
    with cluster.ctx.db.transaction(readonly=True) as tx:
        family = tx.token_families.get_family(origin_jti)
        stored = tx.refresh_tokens.list_for_family(origin_jti)
    assert family.revoked_at is not None
    assert len(stored) == 2  # the original (rotated once) and the winner's; nothing else was written
    assert sum(1 for t in stored if t.rotated_at is not None) == 1
    assert all(t.revoked_at is not None for t in stored)
    for api in apis[:2]:
        with pytest.raises(ApiError) as refused:
            api.refresh(world, winners[0], client_id=world.strict_id)
        assert refused.value.code == "invalid_grant"
        with pytest.raises(ApiError) as get_user:
            api.get_user(signed_in["AccessToken"])
        assert get_user.value.code == "NotAuthorizedException"
    for api in apis:
        api.close()
