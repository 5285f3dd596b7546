"""Sign-in aliases: which of a user's attributes name them at sign-in besides their user name, and
keeping the store's unique ``sign_in_aliases`` (``store/aliases.py``) in step with them in the same
transaction as every change of a user's attributes (COGNITO.md §4.1 ``AliasExistsException``;
Cognito developer guide "User pool attributes", sign-in options).

* Pools with ``UsernameAttributes`` (sign in with e-mail / phone): every listed attribute the user
  has, verified or not; the given e-mail or phone number is the user's sign-in name from creation.
* Pools with ``AliasAttributes``: ``email`` / ``phone_number`` once verified (``*_verified`` is
  ``"true"``), ``preferred_username`` whenever set.

These are exactly the values ``user_lookup.find_user`` accepts for a user, and the lookup goes
through the same table, so what is unique is what names a user. Values match in any case
(``store/aliases.py`` ``value_key``): authpool's pools are ``CaseSensitive: false``, which in Cognito
makes the e-mail and preferred_username aliases case-insensitive as well, and a value differing from
another user's only in case is taken. The attribute keeps the case it was given in. A value another
user already signs in with is refused: on creation in a ``UsernameAttributes`` pool as Cognito's SignUp and
AdminCreateUser do (UsernameExistsException, "An account with the given email already exists."),
otherwise with AliasExistsException and the same message (the error AdminUpdateUserAttributes and
UpdateUserAttributes document for an alias already linked to another user). authpool never moves an
alias from one user to another (Cognito's ``ForceAliasCreation`` is accepted and ignored).

A read first (:func:`taken`) gives that answer in the common case; the unique index gives it when
two transactions race past the read (PostgreSQL READ COMMITTED).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import AlreadyExists, Kind
from ..store import PoolRecord, UnitOfWork, UserRecord
from ..store.aliases import value_key

_LABELS = {"email": "email", "phone_number": "phone number", "preferred_username": "preferred username"}
_VERIFIED_ALIASES = ("email", "phone_number")


def aliases(pool: PoolRecord, attributes: Mapping[str, str]) -> dict[str, str]:
    """The sign-in aliases a user with ``attributes`` holds in ``pool``: attribute name -> value."""
    out: dict[str, str] = {}
    for name in pool.settings.get("UsernameAttributes") or []:
        if attributes.get(name):
            out[name] = attributes[name]
    for name in pool.settings.get("AliasAttributes") or []:
        value = attributes.get(name)
        if value and (name not in _VERIFIED_ALIASES or attributes.get(f"{name}_verified") == "true"):
            out[name] = value
    return out


def taken(t: UnitOfWork, pool: PoolRecord, name: str, value: str, *, by_other_than: str | None) -> bool:
    """Whether another user already signs in with ``value`` (in any case) as their ``name``
    (committed data)."""
    holder = t.aliases.holder(pool.id, name, value)
    if holder is not None:
        return holder != by_other_than
    return any(  # data older than the table: a user signing in with a value it does not hold (user_lookup.py)
        user.sub != by_other_than and aliases(pool, user.attributes).get(name) == value
        for user in t.users.find_by_attribute(pool.id, name, value)
    )


def exists_error(pool: PoolRecord, name: str, *, creating: bool) -> AlreadyExists:
    """Cognito's answer to a taken alias: UsernameExistsException when creating a user whose sign-in
    name it is, AliasExistsException otherwise."""
    message = f"An account with the given {_LABELS.get(name, name)} already exists."
    username_attribute = name in (pool.settings.get("UsernameAttributes") or [])
    return AlreadyExists(Kind.USER if creating and username_attribute else Kind.ALIAS, message)


def sync(t: UnitOfWork, pool: PoolRecord, user: UserRecord, *, before: Mapping[str, str] | None) -> None:
    """After a change of ``user``'s attributes (``before``: the attributes it had, None for a new
    user), make the store's aliases of the user match :func:`aliases`: release the ones they no
    longer hold, claim new ones. Raises AlreadyExists (see :func:`exists_error`) when another user
    holds one; the caller's transaction then rolls back.

    An alias the change leaves as it was but the user does not hold is left alone: only data older
    than the table can have one (two users with the same e-mail before migration 0007, which gave
    the alias to the earlier one), and refusing that user's unrelated changes would help nobody."""
    wanted = aliases(pool, user.attributes)
    had = aliases(pool, before or {})
    held = t.aliases.held(pool.id, user.sub)
    t.aliases.release(pool.id, user.sub, [name for name in held if name not in wanted])
    for name, value in wanted.items():
        if held.get(name) == value_key(value) or (name not in held and had.get(name) == value):
            continue
        if taken(t, pool, name, value, by_other_than=user.sub):
            raise exists_error(pool, name, creating=before is None)
        try:
            t.aliases.claim(pool.id, user.sub, name, value)
        except AlreadyExists:  # a concurrent transaction claimed it after our read
            raise exists_error(pool, name, creating=before is None) from None
