"""authpool.server.pool.signin: the password step shared by the Cognito API and the login page."""

from __future__ import annotations

import base64

import pytest

from authpool.server.errors import InvalidPassword, NotAuthorized, NotFound, UserNotConfirmed
from authpool.server.pool.signin import NEW_PASSWORD_REQUIRED, InvalidSession, SignInService
from authpool.server.ratelimit import SignInThrottle
from authpool.server.store import UserStatus

PASSWORD = "Correct-Horse-9"


@pytest.fixture
def throttle():
    return SignInThrottle.in_memory()


@pytest.fixture
def signin(database, users, throttle, master_key):
    return SignInService(database, users, throttle, master_key)


@pytest.fixture
def client(clients, pool):
    return clients.create(pool.id, "app", settings={"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]})


def _client(clients, pool, **settings):
    return clients.create(pool.id, "other", settings={"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"], **settings})


def test_confirmed_user_signs_in(signin, users, pool, client):
    users.sign_up(pool.id, "alice", PASSWORD, confirmed=True)
    outcome = signin.password(pool.id, "alice", PASSWORD, client=client, source_ip="127.0.0.1")
    assert outcome.user.username == "alice" and outcome.challenge is None and outcome.session is None


def test_wrong_password_and_unknown_user(signin, users, pool, client, clients):
    users.sign_up(pool.id, "alice", PASSWORD, confirmed=True)
    with pytest.raises(NotAuthorized, match="Incorrect username or password."):
        signin.password(pool.id, "alice", "Wrong-Horse-9", client=client, source_ip=None)
    with pytest.raises(NotFound):  # LEGACY (Cognito's default) reveals unknown users
        signin.password(pool.id, "nobody", PASSWORD, client=client, source_ip=None)
    hiding = _client(clients, pool, PreventUserExistenceErrors="ENABLED")
    with pytest.raises(NotAuthorized, match="Incorrect username or password.") as unknown:
        signin.password(pool.id, "nobody", PASSWORD, client=hiding, source_ip=None)
    with pytest.raises(NotAuthorized) as wrong:
        signin.password(pool.id, "alice", "Wrong-Horse-9", client=hiding, source_ip=None)
    assert type(unknown.value) is type(wrong.value) and unknown.value.message == wrong.value.message


def test_unconfirmed_user(signin, users, pool, client):
    users.sign_up(pool.id, "dora", PASSWORD)
    with pytest.raises(UserNotConfirmed):
        signin.password(pool.id, "dora", PASSWORD, client=client, source_ip=None)


def test_throttled_after_five_failures_even_with_the_right_password(signin, users, pool, client):
    users.sign_up(pool.id, "erin", PASSWORD, confirmed=True)
    for _ in range(5):
        with pytest.raises(NotAuthorized, match="Incorrect"):
            signin.password(pool.id, "erin", "Wrong-Horse-9", client=client, source_ip="10.0.0.1")
    with pytest.raises(NotAuthorized, match="Password attempts exceeded"):
        signin.password(pool.id, "erin", PASSWORD, client=client, source_ip="10.0.0.1")
    # from another address the real user still gets in
    assert signin.password(pool.id, "erin", PASSWORD, client=client, source_ip="10.0.0.2").user


def test_new_password_required_round_trip(signin, users, pool, client):
    created = users.admin_create(pool.id, "frank", attributes={"email": "f@example.com"})
    outcome = signin.password(pool.id, "frank", created.temporary_password, client=client, source_ip=None)
    assert outcome.challenge == NEW_PASSWORD_REQUIRED and 20 <= len(outcome.session) <= 4096
    with pytest.raises(InvalidPassword):
        signin.complete_new_password(pool.id, outcome.session, "short", client=client)
    user = signin.complete_new_password(pool.id, outcome.session, PASSWORD, client=client, username="frank",
                                        attributes={"email": "frank@example.com"})
    assert user.status is UserStatus.CONFIRMED and user.attributes["email"] == "frank@example.com"
    assert user.temporary_password_expires_at is None
    with pytest.raises(InvalidSession):  # answered once; the session is now dead
        signin.complete_new_password(pool.id, outcome.session, "Another-Horse-9", client=client)
    assert signin.password(pool.id, "frank", PASSWORD, client=client, source_ip=None).challenge is None


def test_session_is_bound_to_client_user_and_time(signin, users, pool, client, clients, clock):
    created = users.admin_create(pool.id, "gina")
    users.admin_create(pool.id, "hank")
    session = signin.password(pool.id, "gina", created.temporary_password, client=client, source_ip=None).session
    other = _client(clients, pool)
    with pytest.raises(InvalidSession):
        signin.complete_new_password(pool.id, session, PASSWORD, client=other)
    with pytest.raises(InvalidSession):
        signin.complete_new_password(pool.id, session, PASSWORD, client=client, username="hank")
    raw = bytearray(base64.urlsafe_b64decode(session + "=" * (-len(session) % 4)))
    raw[-1] ^= 1
    with pytest.raises(InvalidSession):
        signin.complete_new_password(pool.id, base64.urlsafe_b64encode(raw).decode(), PASSWORD, client=client)
    for garbage in ("", "x" * 19, "!" * 40, "A" * 5000):
        with pytest.raises(InvalidSession):
            signin.complete_new_password(pool.id, garbage, PASSWORD, client=client)
    clock.advance(3 * 60 + 1)  # AuthSessionValidity: 3 minutes by default
    with pytest.raises(InvalidSession):
        signin.complete_new_password(pool.id, session, PASSWORD, client=client)


def test_session_dies_when_the_temporary_password_changes(signin, users, pool, client):
    created = users.admin_create(pool.id, "ivan")
    session = signin.password(pool.id, "ivan", created.temporary_password, client=client, source_ip=None).session
    users.set_password(pool.id, "ivan", "Temp-Horse-99", permanent=False)
    with pytest.raises(InvalidSession):
        signin.complete_new_password(pool.id, session, PASSWORD, client=client)


def test_expired_temporary_password(signin, users, pool, client, clock):
    created = users.admin_create(pool.id, "jill")
    clock.advance(7 * 86400 + 1)
    with pytest.raises(NotAuthorized, match="Temporary password has expired"):
        signin.password(pool.id, "jill", created.temporary_password, client=client, source_ip=None)


def test_write_attributes_are_enforced(signin, users, pool, clients):
    client = _client(clients, pool, WriteAttributes=["name"])
    created = users.admin_create(pool.id, "kim")
    session = signin.password(pool.id, "kim", created.temporary_password, client=client, source_ip=None).session
    with pytest.raises(NotAuthorized, match="unauthorized attribute"):
        signin.complete_new_password(pool.id, session, PASSWORD, client=client, attributes={"email": "k@x.io"})
