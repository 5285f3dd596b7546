"""authpool.server.pool.srp_signin: USER_SRP_AUTH + PASSWORD_VERIFIER over the real store (SQLite and
PostgreSQL), the client side computed by pycognito, time from the injected clock."""

from __future__ import annotations

import base64

import pytest
from tests.server.srp.client import SrpClient

from authpool.server.errors import (
    InvalidParameter,
    NotAuthorized,
    NotFound,
    PasswordResetRequired,
    UserNotConfirmed,
)
from authpool.server.pool import srp as srp_math
from authpool.server.pool.signin import NEW_PASSWORD_REQUIRED

PASSWORD = "Correct-Horse-9"
INCORRECT = "Incorrect username or password."


def _sign_in(srp_service, pool, client, username, password=PASSWORD, *, clock, ip="198.51.100.7", **answer):
    c = SrpClient(pool.id, username, password)
    challenge = srp_service.start(pool.id, username, c.srp_a, client=client, source_ip=ip)
    responses = c.answer(challenge, now=int(clock()), **answer)
    return srp_service.verify(pool.id, client=client, source_ip=ip, **responses)


def test_sign_in_returns_the_user(srp, users, pool, client, clock):
    users.sign_up(pool.id, "alice", PASSWORD, confirmed=True)
    c = SrpClient(pool.id, "alice", PASSWORD)
    challenge = srp.start(pool.id, "alice", c.srp_a, client=client, source_ip=None)
    assert set(challenge) == {"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME", "USER_ID_FOR_SRP"}
    assert challenge["USERNAME"] == challenge["USER_ID_FOR_SRP"] == "alice"
    outcome = srp.verify(pool.id, client=client, source_ip=None, **c.answer(challenge, now=int(clock())))
    assert outcome.user.username == "alice" and outcome.challenge is None


def test_case_insensitive_name_gets_the_stored_user_id(srp, users, pool, client, clock):
    users.sign_up(pool.id, "Alice", PASSWORD, confirmed=True)
    c = SrpClient(pool.id, "ALICE", PASSWORD)
    challenge = srp.start(pool.id, "ALICE", c.srp_a, client=client, source_ip=None)
    assert challenge["USER_ID_FOR_SRP"] == "Alice"  # x was computed over the stored name
    assert srp.verify(pool.id, client=client, source_ip=None, **c.answer(challenge, now=int(clock()))).user


def test_wrong_password_is_refused_and_throttled(srp, users, pool, client, clock):
    users.sign_up(pool.id, "erin", PASSWORD, confirmed=True)
    for _ in range(5):
        with pytest.raises(NotAuthorized, match=INCORRECT):
            _sign_in(srp, pool, client, "erin", "Wrong-Horse-9", clock=clock)
    with pytest.raises(NotAuthorized, match="Password attempts exceeded"):
        _sign_in(srp, pool, client, "erin", clock=clock)
    assert _sign_in(srp, pool, client, "erin", clock=clock, ip="198.51.100.8").user  # another address


def test_srp_and_password_failures_share_one_throttle(srp, signin, users, pool, client, clock):
    users.sign_up(pool.id, "gail", PASSWORD, confirmed=True)
    for _ in range(3):
        with pytest.raises(NotAuthorized):
            signin.password(pool.id, "gail", "Wrong-Horse-9", client=client, source_ip="10.0.0.1")
    for _ in range(2):
        with pytest.raises(NotAuthorized, match=INCORRECT):
            _sign_in(srp, pool, client, "gail", "Wrong-Horse-9", clock=clock, ip="10.0.0.1")
    with pytest.raises(NotAuthorized, match="Password attempts exceeded"):
        signin.password(pool.id, "gail", PASSWORD, client=client, source_ip="10.0.0.1")


def test_tampered_signature_and_replay_are_refused(srp, users, pool, client, clock):
    users.sign_up(pool.id, "alice", PASSWORD, confirmed=True)
    c = SrpClient(pool.id, "alice", PASSWORD)
    challenge = srp.start(pool.id, "alice", c.srp_a, client=client, source_ip=None)
    good = c.answer(challenge, now=int(clock()))
    raw = bytearray(base64.b64decode(good["signature"]))
    raw[0] ^= 1
    with pytest.raises(NotAuthorized, match=INCORRECT):
        srp.verify(pool.id, client=client, source_ip=None, **{**good, "signature": base64.b64encode(raw).decode()})
    with pytest.raises(NotAuthorized, match=INCORRECT):  # the block was used up by the failed attempt
        srp.verify(pool.id, client=client, source_ip=None, **good)
    fresh = srp.start(pool.id, "alice", c.srp_a, client=client, source_ip=None)
    answer = c.answer(fresh, now=int(clock()))
    assert srp.verify(pool.id, client=client, source_ip=None, **answer).user
    with pytest.raises(NotAuthorized, match=INCORRECT):  # a replay of a successful answer
        srp.verify(pool.id, client=client, source_ip=None, **answer)


@pytest.mark.parametrize("signature", ["", "!!!", base64.b64encode(b"short").decode(), "A" * 100])
def test_malformed_signature_is_incorrect(srp, users, pool, client, clock, signature):
    users.sign_up(pool.id, "alice", PASSWORD, confirmed=True)
    c = SrpClient(pool.id, "alice", PASSWORD)
    challenge = srp.start(pool.id, "alice", c.srp_a, client=client, source_ip=None)
    with pytest.raises(NotAuthorized, match=INCORRECT):
        srp.verify(pool.id, client=client, source_ip=None,
                   **{**c.answer(challenge, now=int(clock())), "signature": signature})


@pytest.mark.parametrize("srp_a", ["0", format(srp_math.N, "x"), format(3 * srp_math.N, "x"), "not-hex", "f" * 2000])
def test_bad_client_public_value(srp, users, pool, client, srp_a):
    users.sign_up(pool.id, "alice", PASSWORD, confirmed=True)
    with pytest.raises(InvalidParameter):
        srp.start(pool.id, "alice", srp_a, client=client, source_ip=None)


@pytest.mark.parametrize("offset", [-301, 301, -3600])
def test_timestamp_outside_the_window_is_refused(srp, users, pool, client, clock, offset):
    users.sign_up(pool.id, "alice", PASSWORD, confirmed=True)
    with pytest.raises(NotAuthorized, match=INCORRECT):
        _sign_in(srp, pool, client, "alice", clock=clock, timestamp=_stamp(int(clock()) + offset))


def _stamp(epoch: int) -> str:
    return srp_math.format_timestamp(epoch)


def test_timestamp_within_the_window_is_accepted(srp, users, pool, client, clock):
    users.sign_up(pool.id, "alice", PASSWORD, confirmed=True)
    assert _sign_in(srp, pool, client, "alice", clock=clock, timestamp=_stamp(int(clock()) - 299)).user
    assert _sign_in(srp, pool, client, "alice", clock=clock, timestamp=_stamp(int(clock()) + 299)).user


def test_non_canonical_and_malformed_timestamps(srp, users, pool, client, clock):
    users.sign_up(pool.id, "alice", PASSWORD, confirmed=True)
    clock.now = 1788599587 - 4 * 86400  # Tue Sep 1 2026: a one-digit day
    padded = _stamp(int(clock())).replace(" 1 ", " 01 ")
    with pytest.raises(NotAuthorized, match=INCORRECT):  # signed correctly, but not Cognito's form
        _sign_in(srp, pool, client, "alice", clock=clock, timestamp=padded)
    with pytest.raises(InvalidParameter, match="TIMESTAMP format"):
        _sign_in(srp, pool, client, "alice", clock=clock, timestamp="2026-09-01T00:00:00Z")


def test_expired_block_and_wrong_username(srp, users, pool, client, clock):
    users.sign_up(pool.id, "alice", PASSWORD, confirmed=True)
    users.sign_up(pool.id, "bob", PASSWORD, confirmed=True)
    c = SrpClient(pool.id, "alice", PASSWORD)
    challenge = srp.start(pool.id, "alice", c.srp_a, client=client, source_ip=None)
    with pytest.raises(NotAuthorized, match=INCORRECT):
        srp.verify(pool.id, client=client, source_ip=None, **{**c.answer(challenge, now=int(clock())),
                                                                 "username": "bob"})
    challenge = srp.start(pool.id, "alice", c.srp_a, client=client, source_ip=None)
    clock.advance(3 * 60)  # the client's AuthSessionValidity (3 minutes by default)
    with pytest.raises(NotAuthorized, match=INCORRECT):
        srp.verify(pool.id, client=client, source_ip=None, **c.answer(challenge, now=int(clock())))


def test_block_from_another_client_is_refused(srp, users, pool, client, clients, clock):
    users.sign_up(pool.id, "alice", PASSWORD, confirmed=True)
    other = clients.create(pool.id, "other")
    c = SrpClient(pool.id, "alice", PASSWORD)
    challenge = srp.start(pool.id, "alice", c.srp_a, client=client, source_ip=None)
    with pytest.raises(NotAuthorized, match=INCORRECT):
        srp.verify(pool.id, client=other, source_ip=None, **c.answer(challenge, now=int(clock())))


def test_unknown_user_legacy_and_hidden(srp, pool, clients, client, clock):
    with pytest.raises(NotFound):
        srp.start(pool.id, "nobody", SrpClient(pool.id, "nobody", PASSWORD).srp_a, client=client, source_ip=None)
    hiding = clients.create(pool.id, "hiding", settings={"PreventUserExistenceErrors": "ENABLED"})
    first = srp.start(pool.id, "nobody", SrpClient(pool.id, "nobody", PASSWORD).srp_a, client=hiding, source_ip=None)
    second = srp.start(pool.id, "NOBODY", SrpClient(pool.id, "NOBODY", PASSWORD).srp_a, client=hiding, source_ip=None)
    assert first["SALT"] == second["SALT"] and first["SRP_B"] != second["SRP_B"]  # a stable decoy salt
    with pytest.raises(NotAuthorized, match=INCORRECT):
        _sign_in(srp, pool, hiding, "nobody", clock=clock)


def test_user_without_verifier_gets_one_at_the_next_password_sign_in(srp, signin, users, pool, client, database,
                                                                      clock, hasher):
    with database.transaction() as t:  # a user from before SRP support: a hash and no verifier
        t.users.create(pool.id, username="legacy", password_hash=hasher.hash(PASSWORD), status="CONFIRMED")
    with pytest.raises(NotAuthorized, match=INCORRECT):
        _sign_in(srp, pool, client, "legacy", clock=clock)
    assert signin.password(pool.id, "legacy", PASSWORD, client=client, source_ip=None).user
    assert _sign_in(srp, pool, client, "legacy", clock=clock).user


def test_every_password_path_writes_the_verifier(srp, signin, users, pool, client, clock):
    created = users.admin_create(pool.id, "frank", attributes={"email": "f@example.com"})
    outcome = _sign_in(srp, pool, client, "frank", created.temporary_password, clock=clock)
    assert outcome.challenge == NEW_PASSWORD_REQUIRED and outcome.session
    signin.complete_new_password(pool.id, outcome.session, "Second-Horse-9", client=client)
    with pytest.raises(NotAuthorized):
        _sign_in(srp, pool, client, "frank", created.temporary_password, clock=clock)
    assert _sign_in(srp, pool, client, "frank", "Second-Horse-9", clock=clock).challenge is None
    users.change_password(pool.id, "frank", "Second-Horse-9", "Third-Horse-9")
    assert _sign_in(srp, pool, client, "frank", "Third-Horse-9", clock=clock).user
    users.set_password(pool.id, "frank", "Fourth-Horse-9", permanent=True)  # also ConfirmForgotPassword's path
    assert _sign_in(srp, pool, client, "frank", "Fourth-Horse-9", clock=clock).user
    users.set_password(pool.id, "frank", "Fifth-Horse-9", permanent=False)
    assert _sign_in(srp, pool, client, "frank", "Fifth-Horse-9", clock=clock).challenge == NEW_PASSWORD_REQUIRED
    with pytest.raises(NotAuthorized):
        _sign_in(srp, pool, client, "frank", "Fourth-Horse-9", clock=clock)


def test_user_state_is_checked_after_the_proof(srp, users, pool, client, clock):
    users.sign_up(pool.id, "dora", PASSWORD)
    with pytest.raises(UserNotConfirmed):
        _sign_in(srp, pool, client, "dora", clock=clock)
    users.confirm(pool.id, "dora")
    users.disable(pool.id, "dora")
    with pytest.raises(NotAuthorized, match="User is disabled"):
        _sign_in(srp, pool, client, "dora", clock=clock)
    users.enable(pool.id, "dora")
    users.reset_password(pool.id, "dora")
    with pytest.raises(PasswordResetRequired):
        _sign_in(srp, pool, client, "dora", clock=clock)


def test_pool_signing_in_with_email_uses_the_sub(srp, pools, users, clients, clock):
    pool = pools.create("by-email", schema=[{"Name": "email", "Mutable": True}],
                        settings={"UsernameAttributes": ["email"]})
    client = clients.create(pool.id, "app")
    user = users.sign_up(pool.id, "ann@example.com", PASSWORD, confirmed=True)
    c = SrpClient(pool.id, "ann@example.com", PASSWORD)
    challenge = srp.start(pool.id, "ann@example.com", c.srp_a, client=client, source_ip=None)
    assert challenge["USER_ID_FOR_SRP"] == challenge["USERNAME"] == user.sub == user.username
    assert srp.verify(pool.id, client=client, source_ip=None, **c.answer(challenge, now=int(clock()))).user.sub == user.sub


def test_aliases_sign_in_in_any_case(srp, pools, users, clients, clock):
    """An e-mail sign-in name and an e-mail / preferred_username alias typed in another case find the user
    (the pool is CaseSensitive: false); the challenge names the stored user id, over which x is computed."""
    by_email = pools.create("by-email", schema=[{"Name": "email", "Mutable": True}],
                            settings={"UsernameAttributes": ["email"]})
    ann = users.sign_up(by_email.id, "Ann@Example.com", PASSWORD, confirmed=True)
    by_alias = pools.create("aliases", settings={"AliasAttributes": ["email", "preferred_username"]})
    bea = users.sign_up(by_alias.id, "bea", PASSWORD, confirmed=True,
                        attributes={"email": "Bea@Example.com", "email_verified": "true", "preferred_username": "Bee"})
    for pool, user, typed in [(by_email, ann, "ann@EXAMPLE.COM"), (by_alias, bea, "BEA@example.com"),
                              (by_alias, bea, "bEE")]:
        client = clients.create(pool.id, "app")
        c = SrpClient(pool.id, typed, PASSWORD)
        challenge = srp.start(pool.id, typed, c.srp_a, client=client, source_ip=None)
        assert challenge["USER_ID_FOR_SRP"] == challenge["USERNAME"] == user.username
        assert srp.verify(pool.id, client=client, source_ip=None,
                          **c.answer(challenge, now=int(clock()))).user.sub == user.sub
