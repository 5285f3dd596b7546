"""authpool.server.pool.user_lookup: valid user names, pools that sign in with e-mail or phone, and
verified aliases, through UserService."""

from __future__ import annotations

import pytest

from authpool.server.errors import AlreadyExists, InvalidParameter, NotAuthorized

PW = "Correct-Horse-9"
EMAIL = {"email": "alice@example.com"}


@pytest.mark.parametrize("username", ["", "has space", "tab\t", "x" * 129, "nul\x00"])
def test_bad_usernames(users, pool, username):
    with pytest.raises(InvalidParameter):
        users.sign_up(pool.id, username, PW, attributes=EMAIL)


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

