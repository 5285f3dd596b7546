"""authpool.server.pool.attribute_verification on SQLite and PostgreSQL: GetUserAttributeVerificationCode
(request), VerifyUserAttribute (confirm), the codes an e-mail / phone change sends (plan_update through
UserService.change_attributes), AttributesRequireVerificationBeforeUpdate's pending values, and sign-in
aliases taken on verification."""

from __future__ import annotations

import pytest

from authpool.server.errors import AlreadyExists, InvalidParameter, Kind, LimitExceeded
from authpool.server.pool import attribute_verification
from authpool.server.pool.attribute_verification import AttributeVerification
from authpool.server.pool.codes import MAX_ATTEMPTS, CodeMismatch, ExpiredCode

PASSWORD = "Correct-Horse-9"


@pytest.fixture
def verification(database):
    return AttributeVerification(database)


@pytest.fixture
def auto(pools):
    return pools.create("auto", settings={"AutoVerifiedAttributes": ["email", "phone_number"]})


@pytest.fixture
def keep_original(pools):
    return pools.create("keep", settings={
        "AutoVerifiedAttributes": ["email"],
        "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]}})


@pytest.fixture
def by_alias(pools):
    return pools.create("aliases", settings={"AliasAttributes": ["email"], "AutoVerifiedAttributes": ["email"]})


def _outbox(database, user, name):
    with database.transaction(readonly=True) as tx:
        return tx.codes.get(user.sub, attribute_verification.purpose(name))


def _user(users, pool, name, **attributes):
    return users.admin_create(pool.id, name, attributes=attributes, temporary_password=PASSWORD).user


def _get(users, pool, name):
    return users.get(pool.id, name).attributes


def test_request_and_confirm_once(verification, users, auto, database):
    user = _user(users, auto, "ann", email="ann@example.com")
    delivery = verification.request(user, "email")
    assert delivery.to_cognito() == {"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    record = _outbox(database, user, "email")
    assert len(record.code) == 6 and record.code.isdigit()
    assert (record.target, record.pending, record.attribute_name) == ("ann@example.com", False, "email")
    with pytest.raises(CodeMismatch):
        verification.confirm(user, "email", "000000" if record.code != "000000" else "111111")
    assert _get(users, auto, "ann").get("email_verified") != "true"
    verification.confirm(user, "email", record.code)
    assert _get(users, auto, "ann")["email_verified"] == "true"
    with pytest.raises(ExpiredCode):  # used: "please request a code again"
        verification.confirm(user, "email", record.code)
    verification.request(user, "email")  # an attribute already verified may be verified again
    verification.confirm(user, "email", _outbox(database, user, "email").code)


def test_phone_numbers_go_by_sms(verification, users, auto, database):
    user = _user(users, auto, "pat", phone_number="+15551238920")
    delivery = verification.request(user, "phone_number")
    assert delivery.to_cognito() == {"Destination": "+*******8920", "DeliveryMedium": "SMS",
                                     "AttributeName": "phone_number"}
    verification.confirm(user, "phone_number", _outbox(database, user, "phone_number").code)
    assert _get(users, auto, "pat")["phone_number_verified"] == "true"


def test_refusals(verification, users, auto):
    user = _user(users, auto, "ned", email="ned@example.com")
    for name in ("name", "email_verified", "sub"):
        with pytest.raises(InvalidParameter, match="Only phone_number and email can be verified"):
            verification.request(user, name)
        with pytest.raises(InvalidParameter, match="Only phone_number and email can be verified"):
            verification.confirm(user, name, "123456")
    with pytest.raises(InvalidParameter, match="User does not have a valid registered phone number"):
        verification.request(user, "phone_number")
    with pytest.raises(ExpiredCode):  # no code was ever sent
        verification.confirm(user, "email", "123456")


def test_wrong_guesses_burn_the_code(verification, users, auto, database):
    user = _user(users, auto, "gus", email="gus@example.com")
    verification.request(user, "email")
    code = _outbox(database, user, "email").code
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(CodeMismatch):
            verification.confirm(user, "email", wrong)
    with pytest.raises(LimitExceeded):
        verification.confirm(user, "email", code)  # even the right one, once burned
    with pytest.raises(ExpiredCode):
        verification.confirm(user, "email", code)
    assert _get(users, auto, "gus").get("email_verified") != "true"


def test_codes_expire_after_a_day(verification, users, auto, database, clock):
    user = _user(users, auto, "eve", email="eve@example.com")
    verification.request(user, "email")
    code = _outbox(database, user, "email").code
    clock.advance(24 * 3600)
    with pytest.raises(ExpiredCode):
        verification.confirm(user, "email", code)


def test_a_code_verifies_only_the_value_it_was_sent_to(verification, users, auto, database):
    user = _user(users, auto, "val", email="val@example.com")
    with database.transaction() as t:  # a code for another address, as if the address changed since
        attribute_verification.send(t, user, "email", "old@example.com", pending=False)
    code = _outbox(database, user, "email").code
    with pytest.raises(ExpiredCode):
        verification.confirm(user, "email", code)
    assert _get(users, auto, "val").get("email_verified") != "true"


def test_changing_an_auto_verified_email_sends_a_code(verification, users, auto, database):
    user = _user(users, auto, "cat", email="cat@example.com", email_verified="true")
    change = users.change_attributes(auto.id, "cat", {"email": "kit@example.com", "given_name": "Kit"},
                                     as_admin=False)
    assert [d.to_cognito() for d in change.deliveries] == [
        {"Destination": "k***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}]
    assert change.user.attributes["email"] == "kit@example.com"
    assert change.user.attributes["email_verified"] == "false"
    assert _outbox(database, user, "email").target == "kit@example.com"
    verification.confirm(user, "email", _outbox(database, user, "email").code)
    assert _get(users, auto, "cat")["email_verified"] == "true"
    # unchanged value, other attributes, or an administrator marking it verified: no code
    assert users.change_attributes(auto.id, "cat", {"email": "kit@example.com"}, as_admin=False).deliveries == []
    change = users.change_attributes(auto.id, "cat", {"email": "c@example.com", "email_verified": "true"})
    assert change.deliveries == [] and change.user.attributes["email_verified"] == "true"
    assert _outbox(database, user, "email") is None


def test_a_pool_without_auto_verification_sends_nothing(users, pool, database):
    user = _user(users, pool, "moe", email="moe@example.com")
    change = users.change_attributes(pool.id, "moe", {"email": "m@example.com"}, as_admin=False)
    assert change.deliveries == [] and change.user.attributes["email_verified"] == "false"
    assert _outbox(database, user, "email") is None


def test_users_cannot_mark_themselves_verified(users, auto):
    _user(users, auto, "sly", email="sly@example.com")
    for flag in ("email_verified", "phone_number_verified"):
        with pytest.raises(InvalidParameter, match=f"Cannot modify the attribute {flag}"):
            users.change_attributes(auto.id, "sly", {flag: "true"}, as_admin=False)
        with pytest.raises(InvalidParameter, match=f"Cannot modify the attribute {flag}"):
            users.update_attributes(auto.id, "sly", {"email": "x@example.com", flag: "true"}, as_admin=False)
    assert _get(users, auto, "sly") .get("email_verified") != "true"
    assert _get(users, auto, "sly")["email"] == "sly@example.com"  # nothing of the refused call stayed


def test_keep_original_until_the_new_value_is_verified(verification, users, keep_original, database):
    pool = keep_original
    user = _user(users, pool, "ola", email="ola@example.com", email_verified="true")
    change = users.change_attributes(pool.id, "ola", {"email": "new@example.com", "name": "Ola"}, as_admin=False)
    assert [d.destination for d in change.deliveries] == ["n***@e***"]
    attributes = _get(users, pool, "ola")
    assert (attributes["email"], attributes["email_verified"], attributes["name"]) == (
        "ola@example.com", "true", "Ola")  # the original stays in effect; the rest changed
    record = _outbox(database, user, "email")
    assert (record.target, record.pending) == ("new@example.com", True)
    # asking again sends a new code to the pending value
    assert verification.request(user, "email").destination == "n***@e***"
    record = _outbox(database, user, "email")
    assert (record.target, record.pending) == ("new@example.com", True)
    verification.confirm(user, "email", record.code)
    attributes = _get(users, pool, "ola")
    assert (attributes["email"], attributes["email_verified"]) == ("new@example.com", "true")


def test_keep_original_cancelled_or_overridden(verification, users, keep_original, database):
    pool = keep_original
    user = _user(users, pool, "rex", email="rex@example.com", email_verified="true")
    users.change_attributes(pool.id, "rex", {"email": "r2@example.com"}, as_admin=False)
    code = _outbox(database, user, "email").code
    users.change_attributes(pool.id, "rex", {"email": "rex@example.com"}, as_admin=False)  # back: dropped
    assert _outbox(database, user, "email") is None
    with pytest.raises(ExpiredCode):
        verification.confirm(user, "email", code)
    # an administrator setting email_verified true changes the value at once, without a code
    change = users.change_attributes(pool.id, "rex", {"email": "r3@example.com", "email_verified": "true"})
    assert change.deliveries == [] and change.user.attributes["email"] == "r3@example.com"
    # an administrator's change without it waits like the user's
    change = users.change_attributes(pool.id, "rex", {"email": "r4@example.com", "email_verified": "false"})
    assert len(change.deliveries) == 1
    assert change.user.attributes["email"] == "r3@example.com" and change.user.attributes["email_verified"] == "true"
    users.delete_attributes(pool.id, "rex", ["name"])  # deleting something else keeps the pending value
    assert _outbox(database, user, "email").pending


def test_deleting_the_attribute_drops_its_code(verification, users, auto, database):
    user = _user(users, auto, "del", email="del@example.com", phone_number="+15550001111")
    verification.request(user, "phone_number")
    users.delete_attributes(auto.id, "del", ["phone_number"], as_admin=False)
    assert _outbox(database, user, "phone_number") is None


def test_deleting_the_attribute_drops_its_verified_flag(users, auto):
    _user(users, auto, "flag", email="flag@example.com", phone_number="+15550002222",
          phone_number_verified="true", email_verified="true")
    user = users.delete_attributes(auto.id, "flag", ["phone_number"], as_admin=False)
    assert "phone_number" not in user.attributes and "phone_number_verified" not in user.attributes
    assert user.attributes["email_verified"] == "true"  # the other medium keeps its flag


def test_verifying_takes_the_sign_in_alias(verification, users, by_alias, database):
    pool = by_alias
    first = _user(users, pool, "first", email="shared@example.com", email_verified="true")
    second = _user(users, pool, "second", email="shared@example.com")  # unverified: not an alias
    verification.request(second, "email")
    code = _outbox(database, second, "email").code
    with pytest.raises(AlreadyExists) as refused:
        verification.confirm(second, "email", code)
    assert refused.value.kind is Kind.ALIAS
    assert _get(users, pool, "second").get("email_verified") != "true"
    users.update_attributes(pool.id, "first", {"email": "first@example.com", "email_verified": "true"})
    verification.confirm(second, "email", code)  # the refusal left the code unused
    assert _get(users, pool, "second")["email_verified"] == "true"
    assert users.get(pool.id, "shared@example.com").sub == second.sub  # signs in with it now
    with pytest.raises(AlreadyExists):
        users.update_attributes(pool.id, "first", {"email": "shared@example.com", "email_verified": "true"})
    assert first.sub != second.sub
