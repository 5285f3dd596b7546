"""Password hashing (argon2id) and the pool password policy.

Hashing: argon2id through argon2-cffi's ``PasswordHasher``. Production parameters are RFC 9106 §4's
second recommended option ("if much less memory is available"): t=3 iterations, 64 MiB, 4 lanes,
16-byte salt, 32-byte tag (argon2-cffi's ``RFC_9106_LOW_MEMORY`` profile). Verification is the
library's constant-time check; :meth:`PasswordHasher.needs_rehash` reports hashes made with older
parameters so sign-in can upgrade them. :meth:`PasswordHasher.verify_dummy` spends the same time on
a user that does not exist, so response time does not reveal which user names exist. Every hash
and verification (the dummy one included) runs in a slot of the process's :mod:`.password_work`
limit, which bounds the memory argon2id can take; when no slot frees up in time they raise
:class:`~.password_work.PasswordWorkBusy`.

Policy: Cognito's ``PasswordPolicyType`` (botocore service-2.json; developer guide "Adding user pool
password requirements"): MinimumLength (6..99, default 8), RequireUppercase / RequireLowercase /
RequireNumbers / RequireSymbols (default true), TemporaryPasswordValidityDays (0..365, default 7;
authpool reads 0 as "never expires"). Letters and digits count only in their Basic Latin forms;
the symbol set is ``^ $ * . [ ] { } ( ) ? " ! @ # % & / \\ , > < ' : ; | _ ~ ` = + -`` and the space.
Passwords are at most 256 characters (``PasswordType``) and may not start or end with whitespace
(its pattern ``[\\S]+.*[\\S]+``). Messages match Cognito's, e.g. "Password did not conform with
policy: Password must have uppercase characters".
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..errors import InvalidParameter, InvalidPassword
from .password_work import PROCESS_LIMIT, PasswordWorkLimit

MAX_PASSWORD_LENGTH = 256
SYMBOLS = frozenset("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")
_UPPER = frozenset(string.ascii_uppercase)
_LOWER = frozenset(string.ascii_lowercase)
_DIGITS = frozenset(string.digits)
_PREFIX = "Password did not conform with policy: "


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    minimum_length: int = 8
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True
    temporary_password_validity_days: int = 7

    @classmethod
    def from_cognito(cls, policy: Mapping[str, Any] | None) -> PasswordPolicy:
        """From Cognito's ``PasswordPolicy`` shape; missing members take Cognito's defaults."""
        p = policy or {}
        d = cls()
        return cls(
            minimum_length=int(p.get("MinimumLength", d.minimum_length)),
            require_uppercase=bool(p.get("RequireUppercase", d.require_uppercase)),
            require_lowercase=bool(p.get("RequireLowercase", d.require_lowercase)),
            require_numbers=bool(p.get("RequireNumbers", d.require_numbers)),
            require_symbols=bool(p.get("RequireSymbols", d.require_symbols)),
            temporary_password_validity_days=int(
                p.get("TemporaryPasswordValidityDays", d.temporary_password_validity_days)
            ),
        )

    def to_cognito(self) -> dict[str, Any]:
        return {
            "MinimumLength": self.minimum_length,
            "RequireUppercase": self.require_uppercase,
            "RequireLowercase": self.require_lowercase,
            "RequireNumbers": self.require_numbers,
            "RequireSymbols": self.require_symbols,
            "TemporaryPasswordValidityDays": self.temporary_password_validity_days,
        }

    def validate(self) -> None:
        if not 6 <= self.minimum_length <= 99:
            raise InvalidParameter("MinimumLength must be between 6 and 99.")
        if not 0 <= self.temporary_password_validity_days <= 365:
            raise InvalidParameter("TemporaryPasswordValidityDays must be between 0 and 365.")


def check_password(password: str, policy: PasswordPolicy) -> None:
    """Raise InvalidPassword (or InvalidParameter for a malformed value) unless it fits the policy."""
    if not isinstance(password, str) or not password:
        raise InvalidParameter("Password must not be empty.")
    if password != password.strip():
        raise InvalidParameter("Password must not begin or end with whitespace.")
    if len(password) < policy.minimum_length:
        raise InvalidPassword(_PREFIX + "Password not long enough")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidPassword(_PREFIX + "Password must have length less than or equal to 256")
    chars = set(password)
    rules = (
        (policy.require_uppercase, _UPPER, "Password must have uppercase characters"),
        (policy.require_lowercase, _LOWER, "Password must have lowercase characters"),
        (policy.require_numbers, _DIGITS, "Password must have numeric characters"),
        (policy.require_symbols, SYMBOLS, "Password must have symbol characters"),
    )
    for required, allowed, message in rules:
        if required and not chars & allowed:
            raise InvalidPassword(_PREFIX + message)


def generate_password(policy: PasswordPolicy, length: int = 16) -> str:
    """A random password that satisfies ``policy`` (for generated temporary passwords)."""
    rng = secrets.SystemRandom()
    symbols = "".join(sorted(SYMBOLS - {" "}))
    classes = [string.ascii_uppercase, string.ascii_lowercase, string.digits, symbols]
    chars = [rng.choice(c) for c in classes]
    alphabet = "".join(classes)
    chars += [rng.choice(alphabet) for _ in range(max(length, policy.minimum_length) - len(chars))]
    rng.shuffle(chars)
    return "".join(chars)


class PasswordHasher:
    """argon2id hashing with injectable parameters (tests use cheap ones), bounded by ``limit``
    (default: the process-wide :data:`~.password_work.PROCESS_LIMIT`)."""

    def __init__(self, hasher: argon2.PasswordHasher | None = None, *,
                 limit: PasswordWorkLimit | None = None) -> None:
        self._hasher = hasher or argon2.PasswordHasher.from_parameters(argon2.profiles.RFC_9106_LOW_MEMORY)
        if self._hasher.type is not argon2.Type.ID:
            raise ValueError("authpool hashes passwords with argon2id only")
        self.limit = limit or PROCESS_LIMIT
        self._dummy: str | None = None

    @classmethod
    def fast_for_tests(cls, *, limit: PasswordWorkLimit | None = None) -> PasswordHasher:
        """Minimal argon2id cost. Never use in production."""
        return cls(argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=argon2.Type.ID),
                   limit=limit)

    def hash(self, password: str) -> str:
        """Raises PasswordWorkBusy when no slot frees up in time."""
        with self.limit.slot():
            return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """Constant-time check; False for a wrong password or a malformed hash. Raises
        PasswordWorkBusy when no slot frees up in time."""
        with self.limit.slot():
            try:
                return self._hasher.verify(password_hash, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Reads the parameters in the hash's prefix; no argon2 work, so no slot."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def verify_dummy(self, password: str) -> bool:
        """Spend a verification's worth of time on nothing; always False."""
        if self._dummy is None:
            self._dummy = self.hash(secrets.token_urlsafe(16))
        self.verify(self._dummy, password)
        return False
