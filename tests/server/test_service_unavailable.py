"""A sign-in the server cannot do right now (``errors.ServiceUnavailable``: every argon2id slot busy,
the sign-in throttle's Redis not answering) on both front doors of one in-process app: the Cognito API answers TooManyRequestsException (400),
the hosted login page says "temporarily unavailable" with 503 (not the throttle's 429 wording), the
OAuth error map says ``temporarily_unavailable``; no stack trace, and nothing is held against the user."""

from __future__ import annotations

import secrets

import pytest
from starlette.testclient import TestClient
from tests.server.oauth.world import CSRF, PASSWORD, SESSION, SPA_CALLBACK, build_world, pkce_pair

from authpool.server.app import create_app
from authpool.server.oauth.errors import as_oauth_error
from authpool.server.oauth.login import TOO_MANY, UNAVAILABLE
from authpool.server.pool import PasswordHasher
from authpool.server.pool.password_work import PasswordWorkBusy, PasswordWorkLimit

TARGET = "AWSCognitoIdentityProviderService."
LIMIT = PasswordWorkLimit(1, wait=0.2)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    ctx, parts = build_world(tmp_path_factory.mktemp("unavailable"))
    ctx.users.hasher = PasswordHasher.fast_for_tests(limit=LIMIT)  # the sign-in service checks through it
    api = ctx.clients.create(parts["pool_id"], "cli", settings={
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]})
    ctx.users.sign_up(parts["pool_id"], "alice", PASSWORD, confirmed=True)
    yield TestClient(create_app(ctx)), ctx, parts["pool_id"], parts["spa"].client_id, api.client_id
    ctx.db.dispose()


def cognito(client: TestClient, operation: str, body: dict):
    return client.post("/", json=body, headers={"X-Amz-Target": TARGET + operation,
                                                "Content-Type": "application/x-amz-json-1.1"})


def sign_in_api(app, password: str = PASSWORD):
    client, _, _, _, api_id = app
    return cognito(client, "InitiateAuth", {"ClientId": api_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                            "AuthParameters": {"USERNAME": "alice", "PASSWORD": password}})


def login_page(app):
    client, _, pool_id, spa_id, _ = app
    _, challenge = pkce_pair()
    params = {"response_type": "code", "client_id": spa_id, "redirect_uri": SPA_CALLBACK, "scope": "openid",
              "state": "s1", "code_challenge": challenge, "code_challenge_method": "S256", "prompt": "login"}
    page = client.get(f"/{pool_id}/oauth2/authorize", params=params)
    assert page.status_code == 200 and 'name="password"' in page.text, page.text
    return page


def post_login(app, username: str, password: str):
    page = login_page(app)
    return app[0].post(str(page.url), data={"_csrf": CSRF.search(page.text).group(1), "username": username,
                                            "password": password}, follow_redirects=False)


def test_cognito_api_answers_too_many_requests_while_every_slot_is_busy(app):
    with LIMIT.slot():  # slow password work elsewhere holds the only slot
        refused = sign_in_api(app)
    assert refused.status_code == 400
    assert refused.json() == {"__type": "TooManyRequestsException", "message": PasswordWorkBusy.default_message}
    assert sign_in_api(app).json()["AuthenticationResult"]["AccessToken"]  # the slot came back


def test_busy_refusals_are_not_counted_as_failed_attempts(app):
    with LIMIT.slot():
        for _ in range(7):  # more than the 5 failures that lock a user out
            assert sign_in_api(app).json()["__type"] == "TooManyRequestsException"
    assert sign_in_api(app).json()["AuthenticationResult"]["AccessToken"]


def test_hosted_login_says_temporarily_unavailable_with_503(app):
    with LIMIT.slot():
        refused = post_login(app, "alice", PASSWORD)
    assert refused.status_code == 503
    assert UNAVAILABLE in refused.text and TOO_MANY not in refused.text
    assert 'name="password"' in refused.text and "Traceback" not in refused.text
    assert refused.headers["cache-control"] == "no-store"
    done = post_login(app, "alice", PASSWORD)
    assert done.status_code == 303 and "code=" in done.headers["location"]


def test_new_password_step_keeps_its_form_while_busy(app):
    client, ctx, pool_id, _, _ = app
    username = "temp-" + secrets.token_hex(3)
    ctx.users.admin_create(pool_id, username, temporary_password="Temp-Passw0rd!")
    challenge = post_login(app, username, "Temp-Passw0rd!")
    assert challenge.status_code == 200 and 'name="new_password"' in challenge.text
    form = {"_csrf": CSRF.search(challenge.text).group(1), "step": "new_password", "username": username,
            "session": SESSION.search(challenge.text).group(1), "new_password": "N3w-Passw0rd!",
            "confirm_password": "N3w-Passw0rd!"}
    with LIMIT.slot():
        refused = client.post(str(challenge.url), data=form, follow_redirects=False)
    assert refused.status_code == 503 and UNAVAILABLE in refused.text
    assert 'name="new_password"' in refused.text and form["session"] in refused.text  # try again as is
    done = client.post(str(challenge.url), data=form, follow_redirects=False)
    assert done.status_code == 303 and "code=" in done.headers["location"]


def test_oauth_error_map_says_temporarily_unavailable():
    error = as_oauth_error(PasswordWorkBusy())
    assert (error.error, error.status) == ("temporarily_unavailable", 503)


def test_settings_size_the_process_limit_and_metrics_show_it(tmp_path, monkeypatch):
    from authpool.server.context import build_context
    from authpool.server.pool.password_work import PROCESS_LIMIT
    from authpool.server.settings import Settings

    monkeypatch.setenv("AUTHPOOL_PASSWORD_HASH_CONCURRENCY", "3")
    monkeypatch.setenv("AUTHPOOL_PASSWORD_HASH_WAIT", "0.5")
    before = PROCESS_LIMIT.capacity, PROCESS_LIMIT.wait
    ctx = build_context(Settings(data_dir=tmp_path))
    try:
        assert (PROCESS_LIMIT.capacity, PROCESS_LIMIT.wait) == (3, 0.5)
        assert ctx.users.hasher.limit is PROCESS_LIMIT
        with PROCESS_LIMIT.slot():
            metrics = TestClient(create_app(ctx)).get("/metrics").text
        assert "authpool_password_work_capacity 3.0" in metrics
        assert "authpool_password_work_in_use 1.0" in metrics
        assert "authpool_password_work_refused_total" in metrics
    finally:
        PROCESS_LIMIT.configure(before[0], wait=before[1])
        ctx.db.dispose()


# -- the shared sign-in throttle's Redis does not answer (limiters/redis.py fails closed) ---------------------

@pytest.fixture
def redis_down(app, monkeypatch):
    """The real Redis limiters over a connection nothing listens on: every throttle call raises
    ThrottleUnavailable, as in a Redis outage (tests/cluster/test_faults_redis.py drives a real one)."""
    from authpool.server.limiters import build_throttle
    from authpool.server.redisconn import RedisConnection

    ctx = app[1]
    conn = RedisConnection("redis://127.0.0.1:1/0")
    monkeypatch.setattr(ctx.signin, "throttle", build_throttle(db=ctx.db, master_key=ctx.master_key, redis=conn))
    yield
    conn.close()


def test_hosted_login_on_a_redis_outage_says_temporarily_unavailable_with_503(app, redis_down):
    refused = post_login(app, "alice", PASSWORD)
    assert refused.status_code == 503
    assert UNAVAILABLE in refused.text and TOO_MANY not in refused.text and "Traceback" not in refused.text
    assert 'name="password"' in refused.text  # the form again, to retry


def test_cognito_api_on_a_redis_outage_is_unchanged(app, redis_down):
    refused = sign_in_api(app)
    assert refused.status_code == 400
    assert refused.json() == {"__type": "TooManyRequestsException",
                              "message": "Sign-in is temporarily unavailable; try again later."}


def test_the_throttles_own_refusal_still_reads_too_many_attempts(app):
    _, ctx, pool_id, _, _ = app
    username = "locked-" + secrets.token_hex(3)
    ctx.users.sign_up(pool_id, username, PASSWORD, confirmed=True)
    for _ in range(5):
        assert post_login(app, username, "Wr0ng-Horse!").status_code == 400
    locked = post_login(app, username, PASSWORD)
    assert locked.status_code == 400 and TOO_MANY in locked.text and UNAVAILABLE not in locked.text
