"""authpool.server.pool.user_passwords: the password check at sign-in (unknown users cost a dummy
verification, account state only after a proven password, rehash on sign-in) and setting or changing
a password, through UserService."""

from __future__ import annotations

import pytest

from authpool.server.errors import InvalidPassword, NotAuthorized, NotFound, PasswordResetRequired
from authpool.server.pool import PasswordHasher, UserService
from authpool.server.pool.password_work import PasswordWorkBusy
from authpool.server.store import UserStatus

PW = "Correct-Horse-9"
EMAIL = {"email": "alice@example.com"}


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


def test_rehash_on_sign_in(database, pool, raw_password_hash):
    weak = UserService(database, hasher=PasswordHasher.fast_for_tests())
    weak.sign_up(pool.id, "pat", PW, attributes=EMAIL, confirmed=True)
    import argon2

    stronger = UserService(
        database, hasher=PasswordHasher(argon2.PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    )
    user = stronger.authenticate(pool.id, "pat", PW)
    assert "m=16,t=2,p=1" in user.password_hash and "m=16,t=2,p=1" in raw_password_hash(user.sub)
    stronger.authenticate(pool.id, "pat", PW)


class BusyRehash(PasswordHasher):
    """Verifies, but every new hash finds the password-work limit full."""

    def hash(self, password):
        raise PasswordWorkBusy()


def test_a_busy_rehash_does_not_fail_a_right_password(database, pool, raw_password_hash):
    import argon2

    UserService(database, hasher=PasswordHasher.fast_for_tests()).sign_up(pool.id, "pia", PW, attributes=EMAIL,
                                                                         confirmed=True)
    busy = UserService(database, hasher=BusyRehash(argon2.PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)))
    user = busy.authenticate(pool.id, "pia", PW)  # signed in; the upgrade waits for a later sign-in
    assert "m=8,t=1,p=1" in user.password_hash and "m=8,t=1,p=1" in raw_password_hash(user.sub)

