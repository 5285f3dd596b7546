"""Confirmation and forgot-password codes (pool/codes.py over store/codes.py), on SQLite and
PostgreSQL: six digits, encrypted at rest, one per user and purpose, single use, expiry, attempt limit."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from authpool.server.errors import LimitExceeded
from authpool.server.pool.codes import (
    CONFIRM_SIGN_UP,
    FORGOT_PASSWORD,
    MAX_ATTEMPTS,
    CodeMismatch,
    CodeService,
    ExpiredCode,
    delivery_for,
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
