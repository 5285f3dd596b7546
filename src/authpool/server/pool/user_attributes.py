"""Changing a user's attributes: (Admin)UpdateUserAttributes and (Admin)DeleteUserAttributes
(COGNITO.md §4.2), each inside the caller's unit of work and audited there.

The pool's schema decides (``attributes.validate_attributes``): immutable attributes cannot change,
developer-only ones only through admin calls (``as_admin``), and only administrators may write
``email_verified`` / ``phone_number_verified`` (a user verifies with a code). A changed ``email`` or
``phone_number`` becomes unverified unless the same call sets its ``*_verified`` member, and gets a
verification code, or waits for one, as the pool says (``attribute_verification.plan_update``);
required, immutable and unknown attributes cannot be deleted, nor can ``sub``. Audit entries name the
attributes, never their values. Sign-in aliases follow every change in the same transaction
(``sign_in_aliases.sync``): an e-mail, phone number or preferred_username another user signs in
with is refused with AliasExistsException.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..errors import InvalidParameter
from ..store import UnitOfWork, UserRecord
from . import attribute_verification, sign_in_aliases
from .attributes import validate_attributes
from .codes import Delivery
from .user_lookup import require_user

_VERIFIED_FLAGS = ("email_verified", "phone_number_verified")


@dataclass(frozen=True, slots=True)
class AttributeChange:
    """The user after an update, and the verification codes it sent (UpdateUserAttributes'
    ``CodeDeliveryDetailsList``)."""

    user: UserRecord
    deliveries: list[Delivery] = field(default_factory=list)


def update(t: UnitOfWork, pool_id: str, username: str, attributes: Mapping[str, str], *,
           as_admin: bool) -> UserRecord:
    """Set ``attributes`` on the user (NotFound, InvalidParameter; AlreadyExists(alias) for an
    e-mail, phone number or preferred_username another user signs in with)."""
    return change(t, pool_id, username, attributes, as_admin=as_admin).user


def change(t: UnitOfWork, pool_id: str, username: str, attributes: Mapping[str, str], *,
           as_admin: bool) -> AttributeChange:
    """:func:`update`, also saying which verification codes went to the outbox."""
    user = require_user(t, pool_id, username)
    pool = t.pools.require(pool_id)
    if not as_admin:
        for flag in _VERIFIED_FLAGS:
            if flag in attributes:
                raise InvalidParameter(f"Cannot modify the attribute {flag}: verify it with a code "
                                       "(VerifyUserAttribute).")
    validate_attributes(t.pools.attributes(pool_id), attributes, creating=False, as_admin=as_admin)
    plan = attribute_verification.plan_update(pool, user, attributes)
    attrs = plan.attributes
    before, user = user.attributes, t.users.set_attributes(pool_id, user.sub, attrs) if attrs else user
    sign_in_aliases.sync(t, pool, user, before=before)
    for name in plan.cancel:
        t.codes.discard(user.sub, attribute_verification.purpose(name))
    deliveries = [attribute_verification.send(t, user, name, value, pending=pending)
                  for name, value, pending in plan.codes]
    t.audit.record("user.attributes_updated", pool_id=pool_id, actor=t.actor, target=user.sub,
                   detail={"names": sorted(attributes), "pending": sorted(n for n, _, p in plan.codes if p)})
    return AttributeChange(user, deliveries)


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
    # A deleted e-mail or phone number takes its *_verified flag along: nothing is left to be verified,
    # and an ID token should not say email_verified=true beside no email.
    flags = [f"{name}_verified" for name in names if name in attribute_verification.MEDIUM]
    before, user = user.attributes, t.users.delete_attributes(pool_id, user.sub, [*names, *flags])
    sign_in_aliases.sync(t, pool, user, before=before)  # a deleted alias is released
    for name in attribute_verification.MEDIUM:
        if name in names:  # its code, and any pending new value, go with it
            t.codes.discard(user.sub, attribute_verification.purpose(name))
    t.audit.record("user.attributes_deleted", pool_id=pool_id, actor=t.actor, target=user.sub,
                   detail={"names": sorted(names)})
    return user
