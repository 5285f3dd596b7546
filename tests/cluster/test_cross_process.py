"""Two server processes on one PostgreSQL database behave as one server: sessions, revocation, user
state, signing keys, client changes, hook settings and sign-in throttling are shared; cache
invalidations travel over PostgreSQL LISTEN/NOTIFY (no Redis here: throttle counters in the
database)."""

from __future__ import annotations

import time

import boto3
import pytest
from botocore.config import Config
from tests.cluster.support import PASSWORD, ApiError, Cluster, claims, kid, wait_until

#: docs/deploy.md: a change reaches the other processes' caches in milliseconds while connected. The
#: caches keep entries for 30 s when a channel is attached, so seeing a change sooner proves the channel.
PROPAGATION_BOUND = 1.0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, pg_url):
    with Cluster(tmp_path_factory.mktemp("cross"), pg_url, n=2) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def world(cluster):
    return cluster.seed(users=3)


@pytest.fixture(scope="module")
def a(cluster):
    api = cluster.api(0)
    yield api
    api.close()


@pytest.fixture(scope="module")
def b(cluster):
    api = cluster.api(1)
    yield api
    api.close()


def admin(cluster, i: int):
    config = Config(retries={"max_attempts": 1})
    return boto3.client("cognito-idp", endpoint_url=cluster.nodes[i].base_url, region_name="us-east-1",
                        aws_access_key_id=cluster.admin[0], aws_secret_access_key=cluster.admin[1], config=config)


def test_tokens_issued_by_a_refresh_at_b_through_both_doors(world, a, b):
    signed_in = a.sign_in(world, "user0")
    first = claims(signed_in["AccessToken"])
    refreshed = b.refresh(world, signed_in["RefreshToken"])  # OAuth door
    assert claims(refreshed["access_token"])["origin_jti"] == first["origin_jti"]
    again = a.refresh_cognito(world, refreshed["refresh_token"])  # Cognito door, back at A
    assert claims(again["AccessToken"])["auth_time"] == first["auth_time"]
    assert b.get_user(again["AccessToken"])["Username"] == "user0"
    assert a.get_user(refreshed["access_token"])["Username"] == "user0"


def test_a_refresh_token_revoked_at_a_is_refused_at_b(world, a, b):
    signed_in = b.sign_in(world, "user1")
    a.revoke(world, signed_in["RefreshToken"])
    with pytest.raises(ApiError) as refused:
        b.refresh(world, signed_in["RefreshToken"])
    assert (refused.value.status, refused.value.code) == (400, "invalid_grant")
    with pytest.raises(ApiError) as get_user:
        b.get_user(signed_in["AccessToken"])
    assert get_user.value.code == "NotAuthorizedException"


def test_a_user_disabled_at_b_cannot_sign_in_at_a(cluster, world, a, b):
    session = a.sign_in(world, "user2")
    admin(cluster, 1).admin_disable_user(UserPoolId=world.pool_id, Username="user2")
    with pytest.raises(ApiError) as refused:
        a.sign_in(world, "user2")
    assert (refused.value.code, refused.value.message) == ("NotAuthorizedException", "User is disabled.")
    with pytest.raises(ApiError) as refresh:
        a.refresh(world, session["RefreshToken"])
    assert refresh.value.code == "invalid_grant"
    admin(cluster, 0).admin_enable_user(UserPoolId=world.pool_id, Username="user2")
    assert b.sign_in(world, "user2")["AccessToken"]


def test_a_key_rotated_at_a_is_published_and_used_by_b_within_the_bound(cluster, world, a, b):
    before = kid(b.client_credentials(world)["access_token"])  # B now has the pool's keys cached
    rotated = cluster.ctx.keys.rotate(world.pool_id)  # "A": here the operator's CLI process
    new_kid = rotated["access"]
    assert new_kid != before
    wait_until(lambda: new_kid in b.jwks_kids(world), timeout=PROPAGATION_BOUND)
    wait_until(lambda: kid(b.client_credentials(world)["access_token"]) == new_kid, timeout=PROPAGATION_BOUND)
    assert before in a.jwks_kids(world)  # the retired key stays published for tokens it signed


def test_a_client_deleted_at_a_is_refused_at_b_within_the_bound(cluster, world, a, b):
    extra = cluster.ctx.clients.create(world.pool_id, "short-lived", generate_secret=True, settings={
        "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["client_credentials"],
        "AllowedOAuthScopes": ["api/read"]})
    creds = (extra.client_id, extra.client_secret)

    def token(api):
        return api.http.post(f"/{world.pool_id}/oauth2/token", data={"grant_type": "client_credentials"},
                             auth=creds)

    assert token(b).status_code == 200  # cached at B
    admin(cluster, 0).delete_user_pool_client(UserPoolId=world.pool_id, ClientId=extra.client_id)
    wait_until(lambda: token(b).status_code in (400, 401), timeout=PROPAGATION_BOUND)
    assert token(b).json()["error"] == "invalid_client"


def test_a_hook_set_at_a_runs_at_b_at_once(cluster, world, a, b):
    b.sign_in(world, "user0")  # B caches "no hook" for the pool
    admin(cluster, 0).update_user_pool(UserPoolId=world.pool_id, LambdaConfig={"PreTokenGenerationConfig": {
        "LambdaVersion": "V2_0", "LambdaArn": "http://127.0.0.1:9/unreachable-hook"}})
    started = time.monotonic()
    try:
        with pytest.raises(ApiError) as refused:  # the webhook is unreachable: the sign-in fails closed
            b.sign_in(world, "user0")
        assert refused.value.code == "UnexpectedLambdaException"
        assert time.monotonic() - started < PROPAGATION_BOUND + 1  # one argon2 verification included
    finally:
        admin(cluster, 1).update_user_pool(UserPoolId=world.pool_id, LambdaConfig={})
    assert b.sign_in(world, "user0")["AccessToken"]


def test_throttling_counts_across_processes(world, a, b):
    for api in (a, b, a, b, a):  # five failures for user1 from 127.0.0.1, spread over both processes
        with pytest.raises(ApiError) as wrong:
            api.sign_in(world, "user1", "Wrong-Horse-42")
        assert wrong.value.message == "Incorrect username or password."
    for api in (a, b):
        with pytest.raises(ApiError) as locked:
            api.sign_in(world, "user1", PASSWORD)
        assert (locked.value.code, locked.value.message) == ("NotAuthorizedException", "Password attempts exceeded")
    time.sleep(1.1)  # 2^(5-5) s, then it lifts by itself, everywhere
    assert b.sign_in(world, "user1")["AccessToken"]
