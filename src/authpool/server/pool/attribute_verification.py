"""Verifying a user's e-mail address or phone number: GetUserAttributeVerificationCode,
VerifyUserAttribute, and the codes an attribute change sends (COGNITO.md §4.2; Cognito API Reference
``GetUserAttributeVerificationCode``, ``VerifyUserAttribute``, ``UpdateUserAttributes``,
``AdminUpdateUserAttributes``, ``UserAttributeUpdateSettingsType``).

* Only ``email`` and ``phone_number`` can be verified; another name is InvalidParameterException
  "Invalid attribute name. Only phone_number and email can be verified." A user without the
  attribute gets "User does not have a valid registered email address" (``phone number``). An
  attribute already verified may be verified again. (Messages as observed against Cognito and
  recorded by the floci emulator, floci-io/floci#1898 and #2018.)
* A code is six digits, valid 24 hours, one outstanding per user and attribute (a new one replaces
  it), single use, burned after five wrong guesses (``codes.py``). It is bound to the value it was
  sent to: after the attribute changes, an older code no longer verifies it (ExpiredCodeException).
  With no code outstanding, including a code already used, VerifyUserAttribute answers
  ExpiredCodeException "Invalid code provided, please request a code again." (floci-io/floci#2018).
* Success sets ``<attr>_verified`` to ``"true"`` (and first the pending value, below) in the same
  transaction as the code's use; a newly verified e-mail or phone number that is a sign-in alias is
  claimed through ``sign_in_aliases.sync`` there, so one held by another user is
  AliasExistsException and leaves the code unused.
* A change of ``email`` / ``phone_number`` (:func:`plan_update`): unless the same call sets
  ``<attr>_verified`` to ``"true"`` (administrators only: the user's own UpdateUserAttributes may not
  write ``*_verified``), the new value is unverified and, when the attribute is in the pool's
  ``AutoVerifiedAttributes``, a code goes to the new value ("This behavior happens in user pools
  configured to automatically verify changes to those attributes", UpdateUserAttributesResponse).
  When it is in ``UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate``, the value
  does not change at all: the new one waits, with its code, until VerifyUserAttribute ("Your user can
  sign in and receive messages with the original attribute value until they verify the new value"),
  and a code is always sent. The pending value lives with its code (``store/codes.py`` ``target``),
  so a code burned by wrong guesses drops it (the user changes the attribute again).

The outbox stands for the e-mail or text message (``authpool outbox``); the log says a code was
written, never the code or the address.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import InvalidParameter
from ..store import PoolRecord, UnitOfWork, UserRecord
from ..store.codes import UserCodeRecord
from . import sign_in_aliases
from .codes import CodeService, Delivery, ExpiredCode, mask, new_code, write

MEDIUM = {"email": "EMAIL", "phone_number": "SMS"}
LIFETIME = 24 * 3600
_LABELS = {"email": "email address", "phone_number": "phone number"}


def purpose(name: str) -> str:
    """The outbox purpose of a code verifying ``name``: ``verify_email``, ``verify_phone_number``."""
    return f"verify_{name}"


def check_verifiable(name: str) -> str:
    if name not in MEDIUM:
        raise InvalidParameter("Invalid attribute name. Only phone_number and email can be verified.")
    return name


def auto_verified(pool: PoolRecord, name: str) -> bool:
    return name in (pool.settings.get("AutoVerifiedAttributes") or [])


def defers_update(pool: PoolRecord, name: str) -> bool:
    """Whether a new value of ``name`` waits for verification (AttributesRequireVerificationBeforeUpdate)."""
    update_settings = pool.settings.get("UserAttributeUpdateSettings") or {}
    return name in (update_settings.get("AttributesRequireVerificationBeforeUpdate") or [])


@dataclass(slots=True)
class PlannedUpdate:
    """What an attribute change does: the attributes written now, the codes to send
    (name, value, pending) and the attributes whose outstanding code no longer applies."""

    attributes: dict[str, str]
    codes: list[tuple[str, str, bool]] = field(default_factory=list)
    cancel: list[str] = field(default_factory=list)


def plan_update(pool: PoolRecord, user: UserRecord, attributes: Mapping[str, str]) -> PlannedUpdate:
    plan = PlannedUpdate(dict(attributes))
    attrs = plan.attributes
    for name in MEDIUM:
        if name not in attrs:
            continue
        value, flag = attrs[name], f"{name}_verified"
        if value == user.attributes.get(name):  # set to what it is: a pending change is dropped
            plan.cancel.append(name)
            continue
        if attrs.get(flag) == "true" or not value:  # verified by an administrator, or removed
            plan.cancel.append(name)
            continue
        if defers_update(pool, name):
            del attrs[name]
            attrs.pop(flag, None)  # the current value keeps its state
            plan.codes.append((name, value, True))
            continue
        attrs[flag] = "false"
        if auto_verified(pool, name):
            plan.codes.append((name, value, False))
        else:
            plan.cancel.append(name)
    return plan


def send(t: UnitOfWork, user: UserRecord, name: str, value: str, *, pending: bool) -> Delivery:
    """Write a code verifying ``value`` as ``name`` to the outbox, in ``t``."""
    delivery = Delivery(name, MEDIUM[name], mask(name, value))
    write(t, user, purpose(name), new_code(), lifetime=LIFETIME, delivery=delivery, target=value, pending=pending)
    return delivery


class AttributeVerification(CodeService):
    def request(self, user: UserRecord, name: str, *, tx: UnitOfWork | None = None) -> Delivery:
        """GetUserAttributeVerificationCode: a code for the attribute's pending value if it has
        one, else for its value (InvalidParameter when it has neither)."""
        check_verifiable(name)
        with self._tx(tx) as t:
            current = t.users.get_by_sub(user.pool_id, user.sub) or user
            outstanding = t.codes.get(user.sub, purpose(name))
            if outstanding is not None and outstanding.pending and outstanding.target:
                return send(t, current, name, outstanding.target, pending=True)
            value = current.attributes.get(name)
            if not value:
                raise InvalidParameter(f"User does not have a valid registered {_LABELS[name]}")
            return send(t, current, name, value, pending=False)

    def confirm(self, user: UserRecord, name: str, code: str) -> UserRecord:
        """VerifyUserAttribute: use the code; the attribute (its pending value first) becomes
        verified. CodeMismatch, ExpiredCode, LimitExceeded (codes.py), AlreadyExists(alias)."""
        check_verifiable(name)

        def apply(t: UnitOfWork, record: UserCodeRecord) -> UserRecord:
            return _mark_verified(t, user, name, record)

        return self.use(user, purpose(name), code, apply, missing=ExpiredCode)


def _mark_verified(t: UnitOfWork, user: UserRecord, name: str, record: UserCodeRecord) -> UserRecord:
    current = t.users.get_by_sub(user.pool_id, user.sub)
    if current is None:
        raise ExpiredCode()
    if record.target is None or (not record.pending and record.target != current.attributes.get(name)):
        raise ExpiredCode()  # sent to a value the attribute no longer has: ask for a new code
    pool = t.pools.require(user.pool_id)
    before = current.attributes
    updated = t.users.set_attributes(user.pool_id, user.sub, {name: record.target, f"{name}_verified": "true"})
    sign_in_aliases.sync(t, pool, updated, before=before)
    t.audit.record("user.attribute_verified", pool_id=user.pool_id, actor=t.actor, target=user.sub,
                   detail={"name": name, "pending": record.pending})
    return updated
