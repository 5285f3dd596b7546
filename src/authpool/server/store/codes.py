"""One-time user codes (sign-up confirmation, forgot password): model and repository.

authpool sends no mail or SMS: a code is written to this table, the *outbox*, where an operator
reads it with ``authpool outbox --pool ID`` (COGNITO.md §4.2: SignUp / ConfirmSignUp /
ForgotPassword / ConfirmForgotPassword / ResendConfirmationCode). Because the operator must be able
to read it, a code is not hashed but encrypted: AES-256-GCM under the master key with the context
``user-code:<sub>:<purpose>``, so a blob copied to another row does not decrypt.

A code that verifies an attribute (``verify_email``, ``verify_phone_number``) also keeps the value it
was sent to (``target``, encrypted under ``user-code-target:<sub>:<purpose>``) and whether that value
is *pending*, taking effect only once verified (migration 0008; pool/attribute_verification.py).

One code per user and purpose: issuing a new one replaces the previous one. Using a code deletes
it with a conditional ``DELETE`` whose rowcount picks the one winner among concurrent callers (the
same single-use design as refresh tokens, ``tokens.py``). Wrong guesses are counted on the row.

Every code issued is also logged in ``user_code_issues`` (migration 0010), so the number a user can be
sent is bounded (``pool/codes.py`` ``IssueBound``): :meth:`UserCodeRepository.admit_issue` counts the
key's issuances in the window and adds one, in the transaction that writes the code. It is the sign-in
throttle's sliding log (``throttle.py``: one row per event, a keyed hash, a count over the window) in a
table of its own, whose rows outlive that throttle's 15-minute purge. The count and the insert are made
atomic by the write lock on SQLite (``BEGIN IMMEDIATE``) and by a transaction-scoped advisory lock on
the key on PostgreSQL, so the bound holds across processes.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    delete,
    false,
    func,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from ._base import Repository, decode_cursor, encode_cursor
from .models import Base, BigId
from .records import Page


class UserCode(Base):
    __tablename__ = "user_codes"
    __table_args__ = (Index("ix_user_codes_pool_created", "pool_id", "created_at"),)

    user_sub: Mapped[str] = mapped_column(ForeignKey("users.sub", ondelete="CASCADE"), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32), primary_key=True)  # confirm_sign_up | forgot_password
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"))
    code: Mapped[bytes] = mapped_column(LargeBinary)  # AES-GCM, "user-code:<sub>:<purpose>"
    attribute_name: Mapped[str | None] = mapped_column(String(32))  # where it would be delivered
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger)
    target: Mapped[bytes | None] = mapped_column(LargeBinary)  # AES-GCM, "user-code-target:<sub>:<purpose>"
    pending: Mapped[bool] = mapped_column(Boolean, server_default=false())


class UserCodeIssue(Base):
    """One code issued (or pretended, for an unknown user name): a keyed hash of who and what for, and when."""

    __tablename__ = "user_code_issues"
    __table_args__ = (Index("ix_user_code_issues_key_hash_at", "key_hash", "at"),
                      Index("ix_user_code_issues_at", "at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key_hash: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256 under a key derived from the master key
    at: Mapped[int] = mapped_column(BigInteger)


@dataclass(frozen=True, slots=True)
class UserCodeRecord:
    pool_id: str
    user_sub: str
    purpose: str
    attribute_name: str | None
    attempts: int
    created_at: int
    expires_at: int
    code: str = field(repr=False)  # decrypted
    target: str | None = field(default=None, repr=False)  # decrypted: the value an attribute code verifies
    pending: bool = False  # target takes effect only once verified


def _context(sub: str, purpose: str) -> str:
    return f"user-code:{sub}:{purpose}"


def _target_context(sub: str, purpose: str) -> str:
    return f"user-code-target:{sub}:{purpose}"


class UserCodeRepository(Repository):
    def put(self, pool_id: str, user_sub: str, purpose: str, code: str, *, attribute_name: str | None,
            expires_at: int, target: str | None = None, pending: bool = False) -> UserCodeRecord:
        """Store ``code``, replacing the user's previous code for ``purpose``; ``target``: the value
        an attribute code verifies, ``pending`` when it is not the attribute's value yet."""
        self._s.execute(delete(UserCode).where(UserCode.user_sub == user_sub, UserCode.purpose == purpose))
        key = self._key()
        row = UserCode(user_sub=user_sub, purpose=purpose, pool_id=pool_id, attempts=0,
                       code=key.encrypt(code.encode(), _context(user_sub, purpose)),
                       attribute_name=attribute_name, created_at=self._now(), expires_at=expires_at,
                       target=None if target is None else key.encrypt(target.encode(),
                                                                      _target_context(user_sub, purpose)),
                       pending=pending)
        self._s.add(row)
        self._s.flush()
        return self._record(row)

    def get(self, user_sub: str, purpose: str) -> UserCodeRecord | None:
        row = self._s.get(UserCode, (user_sub, purpose))
        return None if row is None else self._record(row)

    def count_failure(self, user_sub: str, purpose: str) -> None:
        self._s.execute(update(UserCode).where(UserCode.user_sub == user_sub, UserCode.purpose == purpose)
                        .values(attempts=UserCode.attempts + 1))

    def consume(self, record: UserCodeRecord) -> bool:
        """Delete the code if it is still the one ``record`` read; True for the one winner."""
        result = self._s.execute(delete(UserCode).where(
            UserCode.user_sub == record.user_sub, UserCode.purpose == record.purpose,
            UserCode.created_at == record.created_at, UserCode.attempts == record.attempts))
        return result.rowcount == 1

    def discard(self, user_sub: str, purpose: str) -> None:
        self._s.execute(delete(UserCode).where(UserCode.user_sub == user_sub, UserCode.purpose == purpose))

    def list(self, pool_id: str, *, limit: int = 60, next_token: str | None = None) -> Page[UserCodeRecord]:
        """The pool's outbox, oldest first."""
        stmt = select(UserCode).where(UserCode.pool_id == pool_id)
        if next_token:
            at, sub, purpose = decode_cursor(next_token, int, str, str)
            stmt = stmt.where(tuple_(UserCode.created_at, UserCode.user_sub, UserCode.purpose) > tuple_(at, sub, purpose))
        rows = self._s.scalars(stmt.order_by(UserCode.created_at, UserCode.user_sub, UserCode.purpose)
                               .limit(limit + 1)).all()
        items = [self._record(r) for r in rows[:limit]]
        token = None
        if len(rows) > limit:
            last = rows[limit - 1]
            token = encode_cursor(last.created_at, last.user_sub, last.purpose)
        return Page(items, token)

    def admit_issue(self, key: str, *, limit: int, window: int) -> bool:
        """Whether one more code may be issued for ``key`` (who and what for: ``pool/codes.py``),
        fewer than ``limit`` having been issued in the last ``window`` seconds; if so, the issuance is
        logged. Call it in the transaction that writes the code: a rollback forgets it too. Issuances
        older than the window are purged on the way (on PostgreSQL only rows no one else is purging)."""
        key_hash = hmac.new(self._key().derive("user-code-issues"), key.encode("utf-8"), hashlib.sha256).hexdigest()
        now = self._now()
        postgres = self._s.get_bind().dialect.name == "postgresql"
        if postgres:  # SQLite: the write transaction already holds the database's write lock
            self._s.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                            {"k": int.from_bytes(bytes.fromhex(key_hash[:16]), "big", signed=True)})
        cutoff = now - window
        old = select(UserCodeIssue.id).where(UserCodeIssue.at <= cutoff)
        if postgres:
            old = old.with_for_update(skip_locked=True)
        self._s.execute(delete(UserCodeIssue).where(UserCodeIssue.id.in_(old))
                        .execution_options(synchronize_session=False))
        issued = self._s.scalar(select(func.count()).select_from(UserCodeIssue)
                                .where(UserCodeIssue.key_hash == key_hash, UserCodeIssue.at > cutoff))
        if issued >= limit:
            return False
        self._s.add(UserCodeIssue(key_hash=key_hash, at=now))
        self._s.flush()
        return True

    def _record(self, row: UserCode) -> UserCodeRecord:
        key = self._key()
        code = key.decrypt(row.code, _context(row.user_sub, row.purpose)).decode()
        target = (None if row.target is None
                  else key.decrypt(row.target, _target_context(row.user_sub, row.purpose)).decode())
        return UserCodeRecord(pool_id=row.pool_id, user_sub=row.user_sub, purpose=row.purpose,
                              attribute_name=row.attribute_name, attempts=row.attempts,
                              created_at=row.created_at, expires_at=row.expires_at, code=code,
                              target=target, pending=bool(row.pending))
