"""authpool.server.pool.user_attributes: (Admin)UpdateUserAttributes and (Admin)DeleteUserAttributes,
through UserService (the schema rules themselves: attribute validation in test_user_service.py)."""

from __future__ import annotations

import pytest

from authpool.server.errors import InvalidParameter

EMAIL = {"email": "alice@example.com"}


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

