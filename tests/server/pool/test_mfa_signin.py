"""pool/mfa_signin.py through SignInService: the SOFTWARE_TOKEN_MFA and MFA_SETUP steps after the
password, their sealed single-use sessions, and the throttle counting wrong codes."""

from __future__ import annotations

import pytest

from authpool.server.errors import NotAuthorized
from authpool.server.pool import totp
from authpool.server.pool.mfa import (
    MFA_SETUP,
    SOFTWARE_TOKEN_MFA,
    EnableSoftwareTokenMfaFailed,
    MfaCodeMismatch,
)
from authpool.server.pool.mfa_signin import InvalidMfaSession
from authpool.server.pool.signin import NEW_PASSWORD_REQUIRED, SignInService
from authpool.server.ratelimit import SignInThrottle

PASSWORD = "Correct-Horse-9"
IP = "198.51.100.7"


@pytest.fixture
def signin(database, users, master_key):
    return SignInService(database, users, SignInThrottle.in_memory(), master_key)


@pytest.fixture
def pool(pools):
    return pools.create("mfa pool", settings={"MfaConfiguration": "OPTIONAL"})


@pytest.fixture
def client(clients, pool):
    return clients.create(pool.id, "app", settings={"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]})


def _enrol(signin, pool, user, clock) -> bytes:
    mfa = signin.mfa.service
    secret = totp.from_base32(mfa.associate(pool.id, user.sub))
    mfa.verify(pool.id, user.sub, totp.code_at(secret, clock.now), friendly_name="phone")
    mfa.set_preference(pool.id, user.sub, enabled=True, preferred=True)
    clock.advance(30)  # the verification used this step
    return secret


def _wrong(secret, now) -> str:
    good = {totp.code_at(secret, now + d) for d in (-30, 0, 30)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in good)


def test_no_challenge_without_an_enabled_token(signin, users, pool, client):
    users.sign_up(pool.id, "alice", PASSWORD, confirmed=True)
    assert signin.password(pool.id, "alice", PASSWORD, client=client, source_ip=IP).challenge is None


def test_software_token_mfa_round_trip_and_single_use_session(signin, users, pool, client, clock):
    alice = users.sign_up(pool.id, "alice", PASSWORD, confirmed=True)
    secret = _enrol(signin, pool, alice, clock)
    outcome = signin.password(pool.id, "alice", PASSWORD, client=client, source_ip=IP)
    assert outcome.challenge == SOFTWARE_TOKEN_MFA and outcome.friendly_name == "phone"
    with pytest.raises(MfaCodeMismatch):
        signin.mfa.respond(outcome.session, _wrong(secret, clock.now), client=client, source_ip=IP, username="alice")
    user = signin.mfa.respond(outcome.session, totp.code_at(secret, clock.now), client=client, source_ip=IP,
                              username="alice")  # a wrong code leaves the session usable
    assert user.sub == alice.sub
    clock.advance(30)
    with pytest.raises(InvalidMfaSession):  # answered once
        signin.mfa.respond(outcome.session, totp.code_at(secret, clock.now), client=client, source_ip=IP)


def test_session_is_bound_to_client_user_and_time(signin, users, clients, pool, client, clock):
    alice = users.sign_up(pool.id, "alice", PASSWORD, confirmed=True)
    users.sign_up(pool.id, "bob", PASSWORD, confirmed=True)
    secret = _enrol(signin, pool, alice, clock)
    session = signin.password(pool.id, "alice", PASSWORD, client=client, source_ip=IP).session
    other = clients.create(pool.id, "other", settings={"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]})
    code = totp.code_at(secret, clock.now)
    with pytest.raises(InvalidMfaSession):
        signin.mfa.respond(session, code, client=other, source_ip=IP)
    with pytest.raises(InvalidMfaSession):
        signin.mfa.respond(session, code, client=client, source_ip=IP, username="bob")
    with pytest.raises(InvalidMfaSession):
        signin.mfa.respond(session[:-4] + "AAAA", code, client=client, source_ip=IP)
    with pytest.raises(InvalidMfaSession):  # a NEW_PASSWORD_REQUIRED or MFA_SETUP session is not this one
        signin.mfa.open(session, MFA_SETUP)
    clock.advance(181)  # AuthSessionValidity: 3 minutes
    with pytest.raises(InvalidMfaSession):
        signin.mfa.respond(session, totp.code_at(secret, clock.now), client=client, source_ip=IP)


def test_wrong_codes_are_throttled_and_a_known_password_does_not_reset_the_count(signin, users, pool, client, clock):
    alice = users.sign_up(pool.id, "alice", PASSWORD, confirmed=True)
    secret = _enrol(signin, pool, alice, clock)
    for _ in range(5):  # each round: the right password, then a wrong code
        session = signin.password(pool.id, "alice", PASSWORD, client=client, source_ip=IP).session
        with pytest.raises(MfaCodeMismatch):
            signin.mfa.respond(session, _wrong(secret, clock.now), client=client, source_ip=IP)
    with pytest.raises(NotAuthorized, match="Password attempts exceeded"):
        signin.password(pool.id, "alice", PASSWORD, client=client, source_ip=IP)
    with pytest.raises(NotAuthorized, match="Password attempts exceeded"):
        signin.mfa.respond(session, totp.code_at(secret, clock.now), client=client, source_ip=IP)


def test_mfa_setup_in_an_on_pool(signin, users, pools, clients, clock):
    required = pools.create("required", settings={"MfaConfiguration": "ON"})
    app = clients.create(required.id, "app", settings={"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]})
    users.sign_up(required.id, "carol", PASSWORD, confirmed=True)
    outcome = signin.password(required.id, "carol", PASSWORD, client=app, source_ip=IP)
    assert outcome.challenge == MFA_SETUP
    with pytest.raises(InvalidMfaSession):  # not verified yet: cannot complete
        signin.mfa.complete_setup(outcome.session, client=app, source_ip=IP)
    secret_code, associated = signin.mfa.associate(outcome.session)
    secret = totp.from_base32(secret_code)
    with pytest.raises(EnableSoftwareTokenMfaFailed):
        signin.mfa.verify(associated, _wrong(secret, clock.now))
    verified = signin.mfa.verify(associated, totp.code_at(secret, clock.now), friendly_name="laptop")
    user = signin.mfa.complete_setup(verified, client=app, source_ip=IP, username="carol")
    with pytest.raises(InvalidMfaSession):
        signin.mfa.complete_setup(verified, client=app, source_ip=IP)
    assert signin.mfa.service.settings(required.id, user.sub).preferred == SOFTWARE_TOKEN_MFA
    clock.advance(30)
    again = signin.password(required.id, "carol", PASSWORD, client=app, source_ip=IP)
    assert again.challenge == SOFTWARE_TOKEN_MFA and again.friendly_name == "laptop"


def test_new_password_then_mfa_setup(signin, users, pools, clients):
    required = pools.create("required", settings={"MfaConfiguration": "ON"})
    app = clients.create(required.id, "app", settings={"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]})
    created = users.admin_create(required.id, "dan", attributes={"email": "d@example.com"})
    first = signin.password(required.id, "dan", created.temporary_password, client=app, source_ip=IP)
    assert first.challenge == NEW_PASSWORD_REQUIRED
    user = signin.complete_new_password(required.id, first.session, PASSWORD, client=app)
    assert signin.after_password(user, app).challenge == MFA_SETUP


def test_a_leftover_setup_session_cannot_replace_a_token_set_up_since(signin, users, pools, clients, clock):
    required = pools.create("required", settings={"MfaConfiguration": "ON"})
    app = clients.create(required.id, "app", settings={"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]})
    users.sign_up(required.id, "eve", PASSWORD, confirmed=True)
    first = signin.password(required.id, "eve", PASSWORD, client=app, source_ip=IP).session
    second = signin.password(required.id, "eve", PASSWORD, client=app, source_ip=IP).session
    secret_code, associated = signin.mfa.associate(first)
    signin.mfa.verify(associated, totp.code_at(totp.from_base32(secret_code), clock.now))
    with pytest.raises(InvalidMfaSession):
        signin.mfa.associate(second)
    with pytest.raises(InvalidMfaSession):
        signin.mfa.verify(second, "123456")
