"""The SRP salt and verifier that go with a password (docs/srp.md, "What is stored").

SRP needs ``v = g^x`` where ``x`` is derived from the password, so it can only be computed when the
password is known: whenever one is set (AdminCreateUser, SignUp, AdminSetUserPassword,
ConfirmForgotPassword, ChangePassword, the NEW_PASSWORD_REQUIRED answer) and, for users whose
password predates SRP support, at their next successful password sign-in. Every such path calls
:func:`make` next to the argon2 hash and :func:`store` in the transaction that writes the hash, so
the two never disagree. The password itself is never stored.

``x`` hashes the pool name and the user's *stored* user name (Cognito's ``USER_ID_FOR_SRP``, the
``sub`` in pools that sign in with e-mail or phone), which never change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..store import UnitOfWork, UserRecord
from . import srp


@dataclass(frozen=True, slots=True)
class SrpCredential:
    salt: int
    verifier: int = field(repr=False)


def make(pool_id: str, username: str, password: str, *, randbytes: srp.RandBytes = os.urandom) -> SrpCredential:
    """A fresh salt and the verifier of ``password`` for this user (about 10 ms of CPU)."""
    salt = srp.new_salt(randbytes)
    return SrpCredential(salt, srp.verifier(srp.pool_name(pool_id), username, password, salt))


def store(t: UnitOfWork, user: UserRecord, credential: SrpCredential) -> None:
    t.srp.put(user.pool_id, user.sub, salt=credential.salt, verifier=credential.verifier)
