"""Changing a user's attributes: (Admin)UpdateUserAttributes and (Admin)DeleteUserAttributes
(COGNITO.md §4.2), each inside the caller's unit of work and audited there.

The pool's schema decides (``attributes.validate_attributes``): immutable attributes cannot change,
developer-only ones only through admin calls (``as_admin``). As in Cognito, a changed ``email`` or
``phone_number`` becomes unverified unless the same call sets its ``*_verified`` member; required,
immutable and unknown attributes cannot be deleted, nor can ``sub``. Audit entries name the
attributes, never their values. Sign-in aliases follow every change in the same transaction
(``sign_in_aliases.sync``): an e-mail, phone number or preferred_username another user signs in
with is refused with AliasExistsException.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..errors import InvalidParameter
from ..store import UnitOfWork, UserRecord
from . import sign_in_aliases
from .attributes import validate_attributes
from .user_lookup import require_user

_VERIFIABLE = ("email", "phone_number")


def update(t: UnitOfWork, pool_id: str, username: str, attributes: Mapping[str, str], *,
           as_admin: bool) -> UserRecord:
    """Set ``attributes`` on the user (NotFound, InvalidParameter; AlreadyExists(alias) for an
    e-mail, phone number or preferred_username another user signs in with)."""
    user = require_user(t, pool_id, username)
    pool = t.pools.require(pool_id)
    attrs = dict(attributes)
    for name in _VERIFIABLE:
        if name in attrs and attrs[name] != user.attributes.get(name):
            attrs.setdefault(f"{name}_verified", "false")
    validate_attributes(t.pools.attributes(pool_id), attrs, creating=False, as_admin=as_admin)
    before, user = user.attributes, t.users.set_attributes(pool_id, user.sub, attrs)
    sign_in_aliases.sync(t, pool, user, before=before)
    t.audit.record("user.attributes_updated", pool_id=pool_id, actor=t.actor, target=user.sub,
                   detail={"names": sorted(attrs)})
    return user


def delete(t: UnitOfWork, pool_id: str, username: str, names: Iterable[str], *, as_admin: bool) -> UserRecord:
    """Remove the named attributes from the user (NotFound, InvalidParameter)."""
    names = list(names)
    user = require_user(t, pool_id, username)
    pool = t.pools.require(pool_id)
    schema = {a.name: a for a in t.pools.attributes(pool_id)}
    for name in names:
        attr = schema.get(name)
        if attr is None or name == "sub":
            raise InvalidParameter(
                f"Attributes did not conform to the schema: {name}: Attribute does not exist in the schema."
            )
        if attr.required or not attr.mutable or (attr.developer_only and not as_admin):
            raise InvalidParameter(f"Cannot delete the attribute {name}")
    before, user = user.attributes, t.users.delete_attributes(pool_id, user.sub, names)
    sign_in_aliases.sync(t, pool, user, before=before)  # a deleted alias is released
    t.audit.record("user.attributes_deleted", pool_id=pool_id, actor=t.actor, target=user.sub,
                   detail={"names": sorted(names)})
    return user
