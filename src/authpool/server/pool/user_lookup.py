"""Which user a name means: user names, sign-in aliases and pools that sign in with e-mail or phone
(COGNITO.md §4.2).

* User names follow Cognito's ``UsernameType``: 1 to 128 characters of ``[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]``
  (no spaces or control characters); they are case-insensitive in authpool (the store folds case).
* Pools with ``UsernameAttributes`` (sign in with e-mail / phone): a new user's given name must be an
  e-mail address or phone number (:func:`username_attribute`); it is stored as that attribute and the
  user name becomes the ``sub``, as in Cognito. Sign-in then finds the user by that attribute.
* Pools with ``AliasAttributes`` accept a *verified* e-mail or phone alias at sign-in (unverified
  ``preferred_username`` too, which has no verification).
* Aliases are found through the store's ``sign_in_aliases`` (:mod:`.sign_in_aliases`), which keeps each
  of these sign-in names on one user of the pool, in any case: ``Alice@Example.com`` signs in the
  user whose e-mail is ``alice@example.com``, as in a Cognito pool with ``CaseSensitive: false``
  ("This option also enables both preferred_username and email alias to be case insensitive",
  ``UsernameConfigurationType``). Where data older than migrations 0007 / 0011 gave one value to
  several users, the earliest holds it and signs in with it; the others do not. A value no one holds
  still names the one user who has it exactly (older data whose holder has changed it since).
"""

from __future__ import annotations

import unicodedata

from ..errors import InvalidParameter, Kind, NotFound
from ..store import PoolRecord, UnitOfWork, UserRecord
from .attributes import looks_like
from .sign_in_aliases import aliases as sign_in_aliases

MAX_USERNAME_LENGTH = 128
_USERNAME_CATEGORIES = ("L", "M", "S", "N", "P")  # UsernameType: [\p{L}\p{M}\p{S}\p{N}\p{P}]+


def check_username(username: str) -> str:
    """``username`` if it is a valid new user name, else InvalidParameter."""
    if (
        not isinstance(username, str)
        or not 1 <= len(username) <= MAX_USERNAME_LENGTH
        or any(unicodedata.category(ch)[0] not in _USERNAME_CATEGORIES for ch in username)
    ):
        raise InvalidParameter("Username must be 1 to 128 characters without spaces or control characters.")
    return username


def find_user(t: UnitOfWork, pool: PoolRecord, username: str) -> UserRecord | None:
    """The user a sign-in name refers to: the user name, or an alias (in any case) the user holds."""
    user = t.users.get(pool.id, username)
    if user is not None:
        return user
    by_username_attr = pool.settings.get("UsernameAttributes") or []
    aliases = pool.settings.get("AliasAttributes") or []
    for name in [*by_username_attr, *aliases]:
        if name != "preferred_username" and not looks_like(name, username):
            continue
        sub = t.aliases.holder(pool.id, name, username)
        if sub is not None:
            holder = t.users.get_by_sub(pool.id, sub)
            # The table is written with the attributes; checking the rule again costs nothing.
            if holder is not None and (sign_in_aliases(pool, holder.attributes).get(name) or "").lower() == username.lower():
                return holder
            continue
        # Held by no one: only data older than migration 0007 has a user signing in with a value it
        # does not hold (its holder has since changed it). Matched exactly, as before the table.
        found = [u for u in t.users.find_by_attribute(pool.id, name, username)
                 if sign_in_aliases(pool, u.attributes).get(name) == username]
        if len(found) == 1:
            return found[0]
    return None


def require_user(t: UnitOfWork, pool_id: str, username: str) -> UserRecord:
    """:func:`find_user` in the pool, or NotFound (pool or user)."""
    user = find_user(t, t.pools.require(pool_id), username)
    if user is None:
        raise NotFound(Kind.USER)
    return user


def username_attribute(pool: PoolRecord, username: str) -> str | None:
    """For a new user: the attribute the given name is stored as in a pool with ``UsernameAttributes``
    (``email`` or ``phone_number``), None in other pools; InvalidParameter (Cognito's message) when
    the name is neither form the pool allows."""
    allowed = pool.settings.get("UsernameAttributes") or []
    if not allowed:
        return None
    for name in allowed:
        if looks_like(name, username):
            return name
    raise InvalidParameter(
        "Username should be an email." if allowed == ["email"]
        else "Username should be a phone number." if allowed == ["phone_number"]
        else "Username should be either an email or a phone number."
    )  # fmt: skip
