from __future__ import annotations

import pytest

from authpool.server.errors import (
    AlreadyExists,
    InvalidParameter,
    InvalidPassword,
    NotAuthorized,
    NotFound,
    PasswordResetRequired,
    UserNotConfirmed,
)
from authpool.server.pool import PasswordHasher, UserService
from authpool.server.pool.password_work import PasswordWorkBusy
from authpool.server.pool.passwords import PasswordPolicy, check_password
from authpool.server.store import UserStatus

PW = "Correct-Horse-9"
EMAIL = {"email": "alice@example.com"}


def _raw_hash(database, sub):
    with database.engine.connect() as conn:
        q = "SELECT password_hash FROM users WHERE sub = " + (
            "%s" if database.dialect == "postgresql" else "?"
        )
        return conn.exec_driver_sql(q, (sub,)).scalar()


# -- creating ---------------------------------------------------------------------------------


def test_admin_create_with_temporary_password(users, pool, database, clock):
    created = users.admin_create(pool.id, "alice", attributes=EMAIL, temporary_password="Temp-Pass-1")
    user = created.user
    assert user.status is UserStatus.FORCE_CHANGE_PASSWORD and user.enabled
    assert user.temporary_password_expires_at == clock.now + 7 * 86400
    assert user.attributes == {"sub": user.sub, "email": "alice@example.com"}
    assert created.temporary_password == "Temp-Pass-1" and "Temp-Pass-1" not in repr(created)
    raw = _raw_hash(database, user.sub)
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


@pytest.mark.parametrize("username", ["", "has space", "tab\t", "x" * 129, "nul\x00"])
def test_bad_usernames(users, pool, username):
    with pytest.raises(InvalidParameter):
        users.sign_up(pool.id, username, PW, attributes=EMAIL)


def test_unknown_pool(users):
    with pytest.raises(NotFound) as info:
        users.sign_up("us-east-1_nope", "x", PW)
    assert info.value.kind == "pool"


# -- attributes -------------------------------------------------------------------------------


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


def test_update_attributes(users, pool):
    users.admin_create(pool.id, "hank", attributes={**EMAIL, "email_verified": "true", "custom:badge": "b"})
    user = users.update_attributes(pool.id, "hank", {"given_name": "Hank", "custom:level": "5"})
    assert user.attributes["given_name"] == "Hank" and user.attributes["email_verified"] == "true"
    user = users.update_attributes(pool.id, "hank", {"email": "new@example.com"})
    assert user.attributes["email_verified"] == "false"  # a changed address is unverified
    user = users.update_attributes(pool.id, "hank", {"email": "x@example.com", "email_verified": "true"})
    assert user.attributes["email_verified"] == "true"
    with pytest.raises(InvalidParameter, match="non-mutable"):
        users.update_attributes(pool.id, "hank", {"custom:badge": "c"})
    with pytest.raises(InvalidParameter, match="developer-only"):
        users.update_attributes(pool.id, "hank", {"custom:internal": "x"}, as_admin=False)
    assert (
        users.update_attributes(pool.id, "hank", {"custom:internal": "x"}).attributes["custom:internal"]
        == "x"
    )


def test_delete_attributes(users, pool):
    users.admin_create(pool.id, "ivy", attributes={**EMAIL, "given_name": "Ivy", "custom:badge": "b"})
    user = users.delete_attributes(pool.id, "ivy", ["given_name"])
    assert "given_name" not in user.attributes
    for name in ("email", "custom:badge", "sub", "custom:nope"):
        with pytest.raises(InvalidParameter):
            users.delete_attributes(pool.id, "ivy", [name])


# -- sign-in ----------------------------------------------------------------------------------


class SpyHasher(PasswordHasher):
    def __init__(self):
        fast = PasswordHasher.fast_for_tests()
        super().__init__(fast._hasher)
        self.dummies = 0

    def verify_dummy(self, password):
        self.dummies += 1
        return super().verify_dummy(password)


def test_authenticate(database, pool):
    spy = SpyHasher()
    users = UserService(database, hasher=spy)
    user = users.sign_up(pool.id, "jack", PW, attributes=EMAIL, confirmed=True)
    assert users.authenticate(pool.id, "jack", PW).sub == user.sub
    assert users.authenticate(pool.id, "JACK", PW).sub == user.sub
    with pytest.raises(NotAuthorized) as wrong:
        users.authenticate(pool.id, "jack", "Wrong-Pass-1")
    with pytest.raises(NotAuthorized) as unknown:
        users.authenticate(pool.id, "nobody", PW)
    assert wrong.value.message == unknown.value.message == "Incorrect username or password."
    assert spy.dummies == 1  # the unknown user still cost a verification
    with pytest.raises(NotFound):
        users.authenticate(pool.id, "nobody", PW, reveal_user_existence=True)
    with pytest.raises(NotAuthorized):
        users.authenticate(pool.id, "jack", "x" * 300)
    with pytest.raises(NotFound):
        users.authenticate("us-east-1_nope", "jack", PW)


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


def test_temporary_password_expiry(users, pool, clock):
    users.admin_create(pool.id, "lee", attributes=EMAIL, temporary_password="Temp-Pass-1")
    clock.advance(7 * 86400 - 1)
    assert users.authenticate(pool.id, "lee", "Temp-Pass-1").status is UserStatus.FORCE_CHANGE_PASSWORD
    clock.advance(1)
    with pytest.raises(NotAuthorized, match="Temporary password has expired"):
        users.authenticate(pool.id, "lee", "Temp-Pass-1")


def test_set_password_permanent_and_temporary(users, pool):
    users.admin_create(pool.id, "max", attributes=EMAIL)
    user = users.set_password(pool.id, "max", PW, permanent=True)
    assert user.status is UserStatus.CONFIRMED and user.temporary_password_expires_at is None
    users.authenticate(pool.id, "max", PW)
    user = users.set_password(pool.id, "max", "Another-Pass-2", permanent=False)
    assert user.status is UserStatus.FORCE_CHANGE_PASSWORD and user.temporary_password_expires_at is not None
    with pytest.raises(InvalidPassword):
        users.set_password(pool.id, "max", "short", permanent=True)
    with pytest.raises(NotFound):
        users.set_password(pool.id, "nobody", PW, permanent=True)


def test_change_password(users, pool):
    users.sign_up(pool.id, "ned", PW, attributes=EMAIL, confirmed=True)
    with pytest.raises(NotAuthorized):
        users.change_password(pool.id, "ned", "Wrong-Pass-1", "New-Pass-22")
    users.change_password(pool.id, "ned", PW, "New-Pass-22")
    users.authenticate(pool.id, "ned", "New-Pass-22")
    with pytest.raises(NotAuthorized):
        users.authenticate(pool.id, "ned", PW)


def test_reset_required(users, pool):
    users.sign_up(pool.id, "ola", PW, attributes=EMAIL, confirmed=True)
    assert users.reset_password(pool.id, "ola").status is UserStatus.RESET_REQUIRED
    with pytest.raises(PasswordResetRequired):
        users.authenticate(pool.id, "ola", PW)


def test_rehash_on_sign_in(database, pool):
    weak = UserService(database, hasher=PasswordHasher.fast_for_tests())
    weak.sign_up(pool.id, "pat", PW, attributes=EMAIL, confirmed=True)
    import argon2

    stronger = UserService(
        database, hasher=PasswordHasher(argon2.PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    )
    user = stronger.authenticate(pool.id, "pat", PW)
    assert "m=16,t=2,p=1" in user.password_hash and "m=16,t=2,p=1" in _raw_hash(database, user.sub)
    stronger.authenticate(pool.id, "pat", PW)


class BusyRehash(PasswordHasher):
    """Verifies, but every new hash finds the password-work limit full."""

    def hash(self, password):
        raise PasswordWorkBusy()


def test_a_busy_rehash_does_not_fail_a_right_password(database, pool):
    import argon2

    UserService(database, hasher=PasswordHasher.fast_for_tests()).sign_up(pool.id, "pia", PW, attributes=EMAIL,
                                                                         confirmed=True)
    busy = UserService(database, hasher=BusyRehash(argon2.PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)))
    user = busy.authenticate(pool.id, "pia", PW)  # signed in; the upgrade waits for a later sign-in
    assert "m=8,t=1,p=1" in user.password_hash and "m=8,t=1,p=1" in _raw_hash(database, user.sub)


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


# -- pools that sign in with e-mail or aliases ------------------------------------------------


def test_email_as_username(users, pools):
    pool = pools.create("email pool", settings={"UsernameAttributes": ["email"]})
    user = users.sign_up(pool.id, "Rosa@Example.com", PW, confirmed=True)
    assert user.username == user.sub and user.attributes["email"] == "Rosa@Example.com"
    assert users.authenticate(pool.id, "Rosa@Example.com", PW).sub == user.sub
    assert users.get(pool.id, "Rosa@Example.com").sub == user.sub
    assert users.get(pool.id, user.sub).sub == user.sub
    with pytest.raises(AlreadyExists, match="email already exists"):
        users.sign_up(pool.id, "Rosa@Example.com", PW)
    with pytest.raises(InvalidParameter, match="Username should be an email"):
        users.sign_up(pool.id, "rosa", PW)


def test_verified_alias_sign_in(users, pools):
    pool = pools.create("alias pool", settings={"AliasAttributes": ["email"]})
    users.sign_up(pool.id, "sam", PW, attributes={"email": "sam@example.com"}, confirmed=True)
    with pytest.raises(NotAuthorized):
        users.authenticate(pool.id, "sam@example.com", PW)  # alias not verified yet
    users.update_attributes(pool.id, "sam", {"email_verified": "true"})
    assert users.authenticate(pool.id, "sam@example.com", PW).username == "sam"
