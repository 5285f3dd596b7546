"""Confirmation and forgot-password codes, delivered to the outbox instead of mail or SMS.

Cognito (developer guide, "Signing up and confirming user accounts" and "Recovering user
accounts"): six-digit codes; a sign-up confirmation code is valid for 24 hours, a forgot-password
code for 1 hour; a new code replaces the previous one. Wrong codes answer CodeMismatchException,
old ones ExpiredCodeException; after five wrong guesses the code is burned (authpool's bound:
10^6 codes and five guesses per code keep a guess at 5 in a million).

Requests for codes are bounded too, since every new code brings five more guesses: at most
``IssueBound.limit`` codes per user and purpose within ``IssueBound.window`` seconds (settings
``code_issue_limit``, default 5, and ``code_issue_window``, default an hour); one more is
LimitExceededException "Attempt limit exceeded, please try after some time.", the answer Cognito
gives a user who asks for codes too often (amazon-archives/amazon-cognito-identity-js#548: after
five ForgotPassword requests; Cognito does not publish its exact limits, same thread;
aws-amplify/amplify-js#13225 points at the developer guide's hourly allowance). The count is kept in the store, in the transaction that writes the code
(``store/codes.py`` ``admit_issue``), so it holds across processes. Where PreventUserExistenceErrors
hides unknown users, their pretended codes are counted the same way (:meth:`CodeService.pretend`),
so the limit does not tell them apart. AdminCreateUser's invitation is not a code and is not counted.

authpool delivers nothing: codes are kept encrypted in the store (``store/codes.py``) and read by an
operator with ``authpool outbox --pool ID``. The log says a code was issued (pool, user ``sub``,
purpose), never the code. A pool can skip confirmation altogether: the authpool pool setting
``AutoConfirmSignUp: true`` (``authpool cognito auto-confirm``) confirms users at SignUp, as a
Cognito pre sign-up trigger answering ``autoConfirmUser`` would.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ..errors import AuthpoolError, LimitExceeded
from ..store import Page, UnitOfWork, UserRecord
from ..store.codes import UserCodeRecord
from ._service import Service, check_limit

log = logging.getLogger("authpool.outbox")
T = TypeVar("T")

CONFIRM_SIGN_UP = "confirm_sign_up"
FORGOT_PASSWORD = "forgot_password"
INVITATION = "invitation"  # AdminCreateUser's welcome message: the temporary password
LIFETIME = {CONFIRM_SIGN_UP: 24 * 3600, FORGOT_PASSWORD: 3600}
MAX_ATTEMPTS = 5
CODE_DIGITS = 6
TOO_MANY = "Attempt limit exceeded, please try after some time."


@dataclass(slots=True)
class IssueBound:
    """How many codes one user may be sent for one purpose within ``window`` seconds. One per process,
    :data:`ISSUE_BOUND`, set from the settings at start (``context.py``)."""

    limit: int = 5
    window: int = 3600

    def configure(self, limit: int, window: int) -> IssueBound:
        if limit < 1 or window < 1:
            raise ValueError("the code issue limit and window must be at least 1")
        self.limit, self.window = limit, window
        return self


ISSUE_BOUND = IssueBound()


class CodeMismatch(AuthpoolError):
    code = "code_mismatch"
    default_message = "Invalid verification code provided, please try again."


class ExpiredCode(AuthpoolError):
    code = "expired_code"
    default_message = "Invalid code provided, please request a code again."


@dataclass(frozen=True, slots=True)
class Delivery:
    """Cognito's ``CodeDeliveryDetails``: where the code would have gone, masked."""

    attribute_name: str
    medium: str  # EMAIL | SMS
    destination: str

    def to_cognito(self) -> dict[str, str]:
        return {"Destination": self.destination, "DeliveryMedium": self.medium, "AttributeName": self.attribute_name}


def mask(attribute: str, value: str) -> str:
    """``alice@example.com`` -> ``a***@e***``; ``+15551234567`` -> ``+*******4567`` (Cognito's style)."""
    if attribute == "email" and "@" in value:
        local, domain = value.split("@", 1)
        return f"{local[:1]}***@{domain[:1]}***"
    return value[:1] + "*" * max(len(value) - 5, 0) + value[-4:]


def delivery_for(user: UserRecord) -> Delivery | None:
    """Where Cognito would send a code: the e-mail address, else the phone number."""
    for name, medium in (("email", "EMAIL"), ("phone_number", "SMS")):
        value = user.attributes.get(name)
        if value:
            return Delivery(name, medium, mask(name, value))
    return None


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def fake_delivery(username: str) -> Delivery:
    """What an unknown user "gets" under PreventUserExistenceErrors: a plausible, masked e-mail."""
    return Delivery("email", "EMAIL", f"{username[:1] or 'u'}***@e***")


def admit(t: UnitOfWork, key: str) -> None:
    """Count one code issued for ``key`` in ``t``; LimitExceeded when the bound is reached."""
    if not t.codes.admit_issue(key, limit=ISSUE_BOUND.limit, window=ISSUE_BOUND.window):
        raise LimitExceeded(TOO_MANY)


def write(t: UnitOfWork, user: UserRecord, purpose: str, value: str, *, lifetime: int, delivery: Delivery | None,
          target: str | None = None, pending: bool = False) -> None:
    """Put a message in the outbox in ``t``, replacing the user's previous one for ``purpose``;
    ``target``/``pending``: the value an attribute code verifies (``attribute_verification.py``).
    A code (anything but the invitation) counts against :data:`ISSUE_BOUND`: LimitExceeded, and
    nothing written, when the user has had as many as it allows."""
    if purpose != INVITATION:
        admit(t, f"user\x00{user.sub}\x00{purpose}")
    t.codes.put(user.pool_id, user.sub, purpose, value, expires_at=t.now() + lifetime,
                attribute_name=delivery.attribute_name if delivery else None, target=target, pending=pending)
    t.audit.record("user.code_issued", pool_id=user.pool_id, actor=t.actor, target=user.sub,
                   detail={"purpose": purpose})
    log.info("message written to the outbox (read it with `authpool outbox`)",
             extra={"pool_id": user.pool_id, "sub": user.sub, "purpose": purpose})


class CodeService(Service):
    def issue(self, user: UserRecord, purpose: str, *, tx: UnitOfWork | None = None) -> Delivery | None:
        """A fresh code for ``user``, replacing the previous one; returns the (masked) delivery."""
        return self._deliver(user, purpose, new_code(), LIFETIME[purpose], tx)

    def invite(self, user: UserRecord, temporary_password: str, *, valid_for: int,
               tx: UnitOfWork | None = None) -> Delivery | None:
        """AdminCreateUser's invitation (unless MessageAction=SUPPRESS): the temporary password goes
        to the outbox, as Cognito would e-mail it."""
        return self._deliver(user, INVITATION, temporary_password, valid_for, tx)

    def _deliver(self, user: UserRecord, purpose: str, value: str, lifetime: int,
                 tx: UnitOfWork | None) -> Delivery | None:
        delivery = delivery_for(user)
        with self._tx(tx) as t:
            write(t, user, purpose, value, lifetime=lifetime, delivery=delivery)
        return delivery

    def pretend(self, pool_id: str, username: str, purpose: str, *, tx: UnitOfWork | None = None) -> Delivery:
        """What an unknown user "gets" under PreventUserExistenceErrors (:func:`fake_delivery`),
        counted against :data:`ISSUE_BOUND` by pool and name as a real user's codes are, so that
        LimitExceeded comes after as many requests for either."""
        with self._tx(tx) as t:
            admit(t, f"name\x00{pool_id}\x00{username.casefold()}\x00{purpose}")
        return fake_delivery(username)

    def discard(self, user: UserRecord, purpose: str, *, tx: UnitOfWork | None = None) -> None:
        with self._tx(tx) as t:
            t.codes.discard(user.sub, purpose)

    def verify(self, user: UserRecord, purpose: str, code: str) -> UserCodeRecord:
        """Use the user's code: it is deleted on success (single use). Raises CodeMismatch,
        ExpiredCode, LimitExceeded (too many wrong guesses: the code is burned)."""
        return self.use(user, purpose, code, lambda t, record: record)

    def use(self, user: UserRecord, purpose: str, code: str, then: Callable[[UnitOfWork, UserCodeRecord], T], *,
            missing: type[AuthpoolError] = CodeMismatch) -> T:
        """:meth:`verify`, and ``then(t, record)`` in the same transaction as the code's deletion: if it
        raises, the code stays unused and the change rolls back. ``missing``: the error when the user
        has no such code (CodeMismatch; attribute verification answers ExpiredCode, as Cognito does
        for a code already used)."""
        failure: AuthpoolError | None = None
        result: T | None = None
        with self.db.transaction() as t:
            record = t.codes.get(user.sub, purpose)
            if record is None or record.expires_at <= t.now():
                failure = ExpiredCode() if record is not None else missing()
            elif record.attempts >= MAX_ATTEMPTS:
                t.codes.discard(user.sub, purpose)
                failure = LimitExceeded(TOO_MANY)
            elif not isinstance(code, str) or not hmac.compare_digest(record.code.encode(), code.encode()):
                t.codes.count_failure(user.sub, purpose)
                failure = CodeMismatch()
            elif not t.codes.consume(record):
                failure = CodeMismatch()  # a concurrent caller used it first
            else:
                result = then(t, record)
        if failure is not None:  # raised after the commit, so counted guesses stay counted
            raise failure
        return result  # type: ignore[return-value]

    def outbox(self, pool_id: str, *, limit: int = 60, next_token: str | None = None,
               tx: UnitOfWork | None = None) -> Page[UserCodeRecord]:
        with self._tx(tx, readonly=True) as t:
            t.pools.require(pool_id)
            return t.codes.list(pool_id, limit=check_limit(limit), next_token=next_token)
