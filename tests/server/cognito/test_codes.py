"""Confirmation and forgot-password codes (pool/codes.py over store/codes.py), on SQLite and
PostgreSQL: six digits, encrypted at rest, one per user and purpose, single use, expiry, attempt limit,
and the bound on how many codes a user can be sent (``IssueBound``)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from authpool.server.errors import LimitExceeded
from authpool.server.pool.attribute_verification import AttributeVerification
from authpool.server.pool.codes import (
    CONFIRM_SIGN_UP,
    FORGOT_PASSWORD,
    ISSUE_BOUND,
    MAX_ATTEMPTS,
    CodeMismatch,
    CodeService,
    ExpiredCode,
    delivery_for,
    fake_delivery,
    mask,
)


@pytest.fixture
def codes(database):
    return CodeService(database)


@pytest.fixture
def user(users, pool):
    return users.sign_up(pool.id, "alice", "Correct-Horse-9", attributes={"email": "alice@example.com"})


def _current(database, user, purpose):
    with database.transaction(readonly=True) as tx:
        return tx.codes.get(user.sub, purpose).code


def test_issue_and_use_once(codes, database, user):
    delivery = codes.issue(user, CONFIRM_SIGN_UP)
    assert delivery.to_cognito() == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    code = _current(database, user, CONFIRM_SIGN_UP)
    assert len(code) == 6 and code.isdigit()
    record = codes.verify(user, CONFIRM_SIGN_UP, code)
    assert record.purpose == CONFIRM_SIGN_UP
    with pytest.raises(CodeMismatch):
        codes.verify(user, CONFIRM_SIGN_UP, code)


def test_codes_are_encrypted_at_rest(codes, database, user):
    codes.issue(user, FORGOT_PASSWORD)
    code = _current(database, user, FORGOT_PASSWORD)
    with database.engine.connect() as conn:
        blob = conn.execute(text("SELECT code FROM user_codes")).scalar()
    assert code.encode() not in bytes(blob)


def test_a_new_code_replaces_the_old_one_per_purpose(codes, database, user):
    codes.issue(user, CONFIRM_SIGN_UP)
    codes.issue(user, FORGOT_PASSWORD)
    first = _current(database, user, CONFIRM_SIGN_UP)
    codes.issue(user, CONFIRM_SIGN_UP)
    second = _current(database, user, CONFIRM_SIGN_UP)
    if first != second:
        with pytest.raises(CodeMismatch):
            codes.verify(user, CONFIRM_SIGN_UP, first)
    codes.verify(user, CONFIRM_SIGN_UP, second)
    codes.verify(user, FORGOT_PASSWORD, _current(database, user, FORGOT_PASSWORD))


def test_expiry(codes, database, user, clock):
    codes.issue(user, FORGOT_PASSWORD)
    code = _current(database, user, FORGOT_PASSWORD)
    clock.advance(3600)  # forgot-password codes live one hour
    with pytest.raises(ExpiredCode):
        codes.verify(user, FORGOT_PASSWORD, code)


def test_wrong_guesses_burn_the_code(codes, database, user):
    codes.issue(user, CONFIRM_SIGN_UP)
    code = _current(database, user, CONFIRM_SIGN_UP)
    wrong = "x" + code[1:]
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(CodeMismatch):
            codes.verify(user, CONFIRM_SIGN_UP, wrong)
    with pytest.raises(LimitExceeded):
        codes.verify(user, CONFIRM_SIGN_UP, code)
    with pytest.raises(CodeMismatch):  # gone
        codes.verify(user, CONFIRM_SIGN_UP, code)


def test_concurrent_use_has_one_winner(codes, database, user):
    codes.issue(user, CONFIRM_SIGN_UP)
    code = _current(database, user, CONFIRM_SIGN_UP)
    results: list[str] = []

    def use():
        try:
            codes.verify(user, CONFIRM_SIGN_UP, code)
            results.append("ok")
        except CodeMismatch:
            results.append("lost")

    threads = [threading.Thread(target=use) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["lost", "lost", "lost", "ok"]


def test_outbox_lists_the_pool_and_paginates(codes, users, database, pool, user):
    bob = users.sign_up(pool.id, "bob", "Correct-Horse-9")
    codes.issue(user, CONFIRM_SIGN_UP)
    codes.issue(bob, CONFIRM_SIGN_UP)
    codes.invite(bob, "Temp-Pass-123", valid_for=86400)
    first = codes.outbox(pool.id, limit=2)
    rest = codes.outbox(pool.id, limit=2, next_token=first.next_token)
    rows = first.items + rest.items
    assert len(rows) == 3 and rest.next_token is None
    assert {(r.user_sub, r.purpose) for r in rows} == {(user.sub, "confirm_sign_up"), (bob.sub, "confirm_sign_up"),
                                                       (bob.sub, "invitation")}
    assert delivery_for(bob) is None  # no e-mail, no phone: nowhere to deliver
    users.delete(pool.id, "bob")
    assert {r.user_sub for r in codes.outbox(pool.id).items} == {user.sub}  # cascades with the user


def test_mask():
    assert mask("email", "alice@example.com") == "a***@e***"
    assert mask("phone_number", "+15555550100") == "+*******0100"


# -- the bound on codes issued ---------------------------------------------------------------------------------

@pytest.fixture
def bound():
    """ISSUE_BOUND is process-wide (set from the settings at start): put it back after each test."""
    before = ISSUE_BOUND.limit, ISSUE_BOUND.window
    yield ISSUE_BOUND
    ISSUE_BOUND.configure(*before)


def _issues(database) -> int:
    with database.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM user_code_issues")).scalar()


def test_the_default_bound_is_five_an_hour(bound):
    assert (bound.limit, bound.window) == (5, 3600)


def test_the_sixth_code_within_the_window_is_refused_and_leaves_the_fifth(codes, database, user, clock, bound):
    for _ in range(bound.limit):
        codes.issue(user, FORGOT_PASSWORD)
        clock.advance(60)
    fifth = _current(database, user, FORGOT_PASSWORD)
    with pytest.raises(LimitExceeded) as refused:
        codes.issue(user, FORGOT_PASSWORD)
    assert str(refused.value) == "Attempt limit exceeded, please try after some time."
    assert _current(database, user, FORGOT_PASSWORD) == fifth  # nothing written: the fifth code still works
    codes.issue(user, CONFIRM_SIGN_UP)  # another purpose has its own count
    clock.advance(3600 - 5 * 60)  # the first code is now out of the window: one more
    codes.issue(user, FORGOT_PASSWORD)
    with pytest.raises(LimitExceeded):
        codes.issue(user, FORGOT_PASSWORD)
    clock.advance(3600)  # the whole window has passed: five more
    for _ in range(bound.limit):
        codes.issue(user, FORGOT_PASSWORD)
    codes.verify(user, FORGOT_PASSWORD, _current(database, user, FORGOT_PASSWORD))


def test_the_bound_is_per_user_and_the_setting_is_honoured(codes, users, pool, user, bound):
    bound.configure(2, 600)
    bob = users.sign_up(pool.id, "bob", "Correct-Horse-9", attributes={"email": "bob@example.com"})
    for _ in range(2):
        codes.issue(user, CONFIRM_SIGN_UP)
    with pytest.raises(LimitExceeded):
        codes.issue(user, CONFIRM_SIGN_UP)
    codes.issue(bob, CONFIRM_SIGN_UP)  # alice's requests do not count against bob
    codes.invite(user, "Temp-Pass-123", valid_for=86400)  # an invitation is not a code: not counted


def test_attribute_verification_codes_are_bounded_too(database, users, pool, user, bound):
    verification = AttributeVerification(database)
    for _ in range(bound.limit):
        verification.request(user, "email")
    with pytest.raises(LimitExceeded):
        verification.request(user, "email")


def test_an_unknown_name_is_bounded_as_a_known_user_is(codes, user, bound):
    """PreventUserExistenceErrors: the pretended delivery is counted by pool and name, so the answers to
    the same requests for a known and an unknown user are the same, LimitExceeded included."""
    def answers(request) -> list[str]:
        out = []
        for _ in range(bound.limit + 2):
            try:
                request()
                out.append("sent")
            except LimitExceeded:
                out.append("limit")
        return out

    known = answers(lambda: codes.issue(user, FORGOT_PASSWORD))
    unknown = answers(lambda: codes.pretend(user.pool_id, "nobody", FORGOT_PASSWORD))
    assert known == unknown == ["sent"] * bound.limit + ["limit"] * 2
    with pytest.raises(LimitExceeded):  # the name is counted as typed, in any case
        codes.pretend(user.pool_id, "NoBody", FORGOT_PASSWORD)
    assert codes.pretend(user.pool_id, "nobody", CONFIRM_SIGN_UP) == fake_delivery("nobody")  # per purpose
    assert codes.pretend("us-east-1_Other", "nobody", FORGOT_PASSWORD) == fake_delivery("nobody")  # per pool


def test_issuances_hold_no_names_and_are_purged_after_the_window(codes, database, user, clock, bound):
    codes.pretend(user.pool_id, "nobody@example.com", FORGOT_PASSWORD)
    codes.issue(user, FORGOT_PASSWORD)
    with database.engine.connect() as conn:
        rows = conn.execute(text("SELECT key_hash, at FROM user_code_issues")).all()
    assert len(rows) == 2 and all(len(key) == 64 and "nobody" not in key for key, _ in rows)
    assert user.sub not in str(rows)
    clock.advance(3600)
    codes.issue(user, CONFIRM_SIGN_UP)  # any issuance purges what is out of the window
    assert _issues(database) == 1


def test_concurrent_requests_get_no_more_than_the_bound(codes, database, user, bound):
    """Across connections (threads here, processes in production): the count and the insert are one
    step under the write lock (SQLite) or the key's advisory lock (PostgreSQL)."""
    results: list[str] = []

    def request():
        try:
            codes.issue(user, FORGOT_PASSWORD)
            results.append("sent")
        except LimitExceeded:
            results.append("limit")

    threads = [threading.Thread(target=request) for _ in range(bound.limit + 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["limit"] * 3 + ["sent"] * bound.limit
    assert _issues(database) == bound.limit
