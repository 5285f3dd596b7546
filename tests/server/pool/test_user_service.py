"""authpool.server.pool.users: creating, reading, the state of, listing and deleting users (the
password check, lookup and attribute changes have their own test modules, as in src)."""

from __future__ import annotations

import pytest

from authpool.server.errors import (
    AlreadyExists,
    InvalidParameter,
    InvalidPassword,
    NotAuthorized,
    NotFound,
    UserNotConfirmed,
)
from authpool.server.pool.passwords import PasswordPolicy, check_password
from authpool.server.store import UserStatus

PW = "Correct-Horse-9"
EMAIL = {"email": "alice@example.com"}


# -- creating ---------------------------------------------------------------------------------


def test_admin_create_with_temporary_password(users, pool, clock, raw_password_hash):
    created = users.admin_create(pool.id, "alice", attributes=EMAIL, temporary_password="Temp-Pass-1")
    user = created.user
    assert user.status is UserStatus.FORCE_CHANGE_PASSWORD and user.enabled
    assert user.temporary_password_expires_at == clock.now + 7 * 86400
    assert user.attributes == {"sub": user.sub, "email": "alice@example.com"}
    assert created.temporary_password == "Temp-Pass-1" and "Temp-Pass-1" not in repr(created)
    raw = raw_password_hash(user.sub)
    assert raw.startswith("$argon2id$") and "Temp-Pass-1" not in raw


def test_admin_create_generates_a_policy_conforming_password(users, pool):
    created = users.admin_create(pool.id, "bob", attributes={"email": "bob@example.com"})
    check_password(created.temporary_password, PasswordPolicy())
    assert (
        users.authenticate(pool.id, "bob", created.temporary_password).status
        is UserStatus.FORCE_CHANGE_PASSWORD
    )


def test_sign_up_and_confirm(users, pool):
    user = users.sign_up(pool.id, "carol", PW, attributes={"email": "c@example.com"})
    assert user.status is UserStatus.UNCONFIRMED
    with pytest.raises(UserNotConfirmed):
        users.authenticate(pool.id, "carol", PW)
    assert users.confirm(pool.id, "carol").status is UserStatus.CONFIRMED
    assert users.authenticate(pool.id, "carol", PW).sub == user.sub
    with pytest.raises(NotAuthorized, match="Current status is CONFIRMED"):
        users.confirm(pool.id, "carol")


def test_sign_up_refused_when_admin_only(users, pools):
    pool = pools.create("closed", settings={"AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True}})
    with pytest.raises(NotAuthorized, match="SignUp is not permitted"):
        users.sign_up(pool.id, "x", PW)


def test_duplicate_username_any_case(users, pool):
    users.sign_up(pool.id, "alice", PW, attributes=EMAIL, confirmed=True)
    with pytest.raises(AlreadyExists):
        users.sign_up(pool.id, "ALICE", PW, attributes=EMAIL)


def test_weak_password_refused_before_anything_is_written(users, pool):
    with pytest.raises(InvalidPassword, match="uppercase"):
        users.sign_up(pool.id, "dave", "weak-pass-1", attributes=EMAIL)
    with pytest.raises(NotFound):
        users.get(pool.id, "dave")


def test_unknown_pool(users):
    with pytest.raises(NotFound) as info:
        users.sign_up("us-east-1_nope", "x", PW)
    assert info.value.kind == "pool"


# -- attributes at creation (changing them: test_user_attributes.py) -------------------------


def test_custom_attributes_validated_against_schema(users, pool):
    user = users.admin_create(
        pool.id,
        "erin",
        attributes={
            **EMAIL, "custom:tenant": "acme", "custom:level": "3", "custom:is_vip": "true",
            "custom:born": "2001-02-03T04:05:06+00:00", "custom:badge": "gold", "custom:internal": "x",
            "given_name": "Erin",
        },
    ).user  # fmt: skip
    assert user.attributes["custom:level"] == "3" and user.attributes["custom:badge"] == "gold"


@pytest.mark.parametrize(
    "attributes, match",
    [
        ({"custom:unknown": "x"}, "does not exist in the schema"),
        ({"custom:tenant": "a"}, "too short"),
        ({"custom:tenant": "abcdefghi"}, "too long"),
        ({"custom:level": "ten"}, "integer"),
        ({"custom:level": "10"}, "out of range"),
        ({"custom:is_vip": "yes"}, "true"),
        ({"custom:born": "yesterday"}, "ISO 8601"),
        ({"sub": "chosen"}, "cannot be set"),
        ({"email": "not-an-email"}, "Invalid email"),
        ({"phone_number": "555-1234"}, "Invalid phone"),
        ({"email_verified": "yes"}, "true"),
        ({"given_name": "x" * 2049}, "too long"),
    ],
)
def test_attribute_violations(users, pool, attributes, match):
    with pytest.raises(InvalidParameter, match=match) as info:
        users.admin_create(pool.id, "frank", attributes={**EMAIL, **attributes})
    for value in attributes.values():
        if len(value) > 3:
            assert value not in info.value.message  # values never echoed


def test_required_attribute_missing(users, pool):
    with pytest.raises(InvalidParameter, match="email: The attribute is required"):
        users.admin_create(pool.id, "gina", attributes={"given_name": "G"})


# -- state ------------------------------------------------------------------------------------


def test_disabled_user(users, pool, database, clock):
    user = users.sign_up(pool.id, "kim", PW, attributes=EMAIL, confirmed=True)
    client = "c1"
    with database.transaction() as tx:
        tx.clients.create(pool.id, client_id=client, name="c", client_secret=None, settings={})
        fam = tx.token_families.create_family(
            pool.id, client_id=client, user_sub=user.sub, auth_time=1, scopes=[]
        )
    clock.advance(5)
    disabled = users.disable(pool.id, "kim")
    assert not disabled.enabled and disabled.tokens_valid_after == clock.now
    with database.transaction(readonly=True) as tx:
        assert tx.token_families.is_family_revoked(fam.origin_jti)
    with pytest.raises(NotAuthorized, match="User is disabled."):
        users.authenticate(pool.id, "kim", PW)
    with pytest.raises(NotAuthorized, match="Incorrect"):
        users.authenticate(pool.id, "kim", "Wrong-Pass-1")  # no hint without the password
    assert users.enable(pool.id, "kim").enabled
    users.authenticate(pool.id, "kim", PW)


def test_global_sign_out_and_delete(users, pool, database, clock):
    user = users.sign_up(pool.id, "quinn", PW, attributes=EMAIL, confirmed=True)
    clock.advance(3)
    assert users.global_sign_out(pool.id, "quinn").tokens_valid_after == clock.now
    users.delete(pool.id, "quinn")
    with pytest.raises(NotFound):
        users.get_by_sub(pool.id, user.sub)
    with pytest.raises(NotFound):
        users.delete(pool.id, "quinn")
    with database.transaction(readonly=True) as tx:
        types = [e.type for e in tx.audit.list(target=user.sub).items]
    assert types == ["user.created", "user.signed_out", "user.deleted"]


# -- listing ----------------------------------------------------------------------------------


def test_list_with_filter_and_pages(users, pool):
    for i, name in enumerate(["alan", "alice", "bert", "al", "zed"]):
        users.sign_up(pool.id, name, PW, attributes={"email": f"{name}@example.com"}, confirmed=i % 2 == 0)
    page = users.list(pool.id, filter='email ^= "al"', limit=2)
    rest = users.list(pool.id, filter='email ^= "al"', limit=2, pagination_token=page.next_token)
    assert sorted(u.username for u in page.items + rest.items) == ["al", "alan", "alice"]
    assert rest.next_token is None
    confirmed = users.list(pool.id, filter='cognito:user_status = "CONFIRMED"')
    assert sorted(u.username for u in confirmed.items) == ["alan", "bert", "zed"]
    with pytest.raises(InvalidParameter):
        users.list(pool.id, filter="email = nope")
    with pytest.raises(InvalidParameter):
        users.list(pool.id, limit=0)
